package dev.connectors.local;

import dev.connectors.testing.Dynalite;
import dev.connectors.testing.ElasticMq;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The runner's own DynamoDB and SQS: dynalite persisting to {@code <data dir>/dynamodb} (so data
 * survives a restart) and an in-memory ElasticMQ (messages do not survive; see UnfinishedJobs).
 */
final class LocalStandIns implements AutoCloseable {
    private final Dynalite dynalite;
    private final ElasticMq elasticMq;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;

    private LocalStandIns(Dynalite dynalite, ElasticMq elasticMq) {
        this.dynalite = dynalite;
        this.elasticMq = elasticMq;
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        this.dynamo = DynamoDbClient.builder().endpointOverride(dynalite.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
        this.sqs = SqsClient.builder().endpointOverride(elasticMq.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(credentials).httpClientBuilder(UrlConnectionHttpClient.builder()).build();
    }

    static LocalStandIns start(Path repoRoot, Path dataDir) {
        requireNode();
        Dynalite dynalite;
        try {
            dynalite = Dynalite.start(repoRoot, dataDir.resolve("dynamodb"));
        } catch (RuntimeException e) {
            throw new StartupException("The DynamoDB stand-in (dynalite) did not start: " + e.getMessage(), e);
        }
        try {
            return new LocalStandIns(dynalite, ElasticMq.start());
        } catch (RuntimeException e) {
            dynalite.close();
            throw new StartupException("The SQS stand-in (ElasticMQ) did not start: " + e.getMessage(), e);
        }
    }

    /** dynalite runs on Node: say so plainly instead of an IOException from ProcessBuilder. */
    private static void requireNode() {
        String hint = "Node.js 20 is needed for the local DynamoDB stand-in (dynalite): install it (https://nodejs.org, "
                + "or e.g. `sudo apt-get install nodejs`), make sure `node` is on the PATH, then run ./run-local.sh again.";
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            String version = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new StartupException(hint);
            int major = Integer.parseInt(version.replaceFirst("^v", "").split("\\.")[0]);
            if (major < 18) throw new StartupException("Found Node " + version + ". " + hint);
        } catch (IOException | NumberFormatException e) {
            throw new StartupException(hint, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StartupException(hint, e);
        }
    }

    URI dynamoEndpoint() {
        return dynalite.endpoint();
    }

    URI sqsEndpoint() {
        return elasticMq.endpoint();
    }

    DynamoDbClient dynamo() {
        return dynamo;
    }

    SqsClient sqs() {
        return sqs;
    }

    @Override
    public void close() {
        sqs.close();
        dynamo.close();
        elasticMq.close();
        dynalite.close();
    }
}
