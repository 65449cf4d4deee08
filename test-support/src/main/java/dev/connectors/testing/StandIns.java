package dev.connectors.testing;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The DynamoDB and SQS every test talks to, started at most once per test JVM and shared by all
 * test classes (isolate data with {@link TemplateResources#uniquePrefix()}).
 *
 * <p>Locally: dynalite and ElasticMQ on loopback ports, static "test" credentials, us-east-1.
 * When {@code AWS_ENDPOINT_URL} (or {@code AWS_ENDPOINT_URL_DYNAMODB} / {@code _SQS}) is set, that
 * endpoint is used instead, with the default credentials and region chains, so the same suite runs
 * against LocalStack or real AWS.
 *
 * <p>The shared clients are closed at JVM exit: do not close them in a test.
 */
public final class StandIns {
    private static final Endpoints ENDPOINTS = Endpoints.fromEnvironment();

    private static Dynalite dynalite;
    private static ElasticMq elasticMq;
    private static DynamoDbClient dynamo;
    private static SqsClient sqs;

    private StandIns() {}

    public static synchronized URI dynamoEndpoint() {
        return ENDPOINTS.external("DYNAMODB").orElseGet(() -> {
            if (dynalite == null) {
                dynalite = ShutdownHook.closeAtExit(Dynalite.start(RepoRoot.path()));
            }
            return dynalite.endpoint();
        });
    }

    public static synchronized URI sqsEndpoint() {
        return ENDPOINTS.external("SQS").orElseGet(() -> {
            if (elasticMq == null) {
                elasticMq = ShutdownHook.closeAtExit(ElasticMq.start());
            }
            return elasticMq.endpoint();
        });
    }

    public static synchronized DynamoDbClient dynamo() {
        if (dynamo == null) {
            dynamo = ShutdownHook.closeAtExit(DynamoDbClient.builder()
                    .endpointOverride(dynamoEndpoint())
                    .region(region())
                    .credentialsProvider(credentials())
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .build());
        }
        return dynamo;
    }

    public static synchronized SqsClient sqs() {
        if (sqs == null) {
            sqs = ShutdownHook.closeAtExit(SqsClient.builder()
                    .endpointOverride(sqsEndpoint())
                    .region(region())
                    .credentialsProvider(credentials())
                    .httpClientBuilder(UrlConnectionHttpClient.builder())
                    .build());
        }
        return sqs;
    }

    /** For tests that build their own clients (e.g. to simulate a cold start): the region to use. */
    public static Region region() {
        if (!ENDPOINTS.anyExternal()) {
            return Region.US_EAST_1;
        }
        try {
            return DefaultAwsRegionProviderChain.builder().build().getRegion();
        } catch (RuntimeException noRegionConfigured) {
            return Region.US_EAST_1;
        }
    }

    /** For tests that build their own clients: dummy credentials locally, the default chain otherwise. */
    public static AwsCredentialsProvider credentials() {
        return ENDPOINTS.anyExternal()
                ? DefaultCredentialsProvider.builder().build()
                : StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test"));
    }
}
