package dev.connectors.aws;

import dev.connectors.config.Settings;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.client.builder.AwsSyncClientBuilder;
import software.amazon.awssdk.awscore.client.builder.AwsClientBuilder;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The one place that builds AWS SDK clients: one explicitly chosen HTTP client (url-connection, the
 * lightest at cold start), region from AWS_REGION, and the SDK's endpoint override variables so the
 * same code talks to dynalite / ElasticMQ / WireMock locally.
 *
 * <p>Retries use the SDK's standard mode (3 attempts, short jittered backoff) for every service.
 * Without it DynamoDB gets the SDK's legacy default of 9 attempts with up to ~6 s of backoff per
 * call, so an unreachable endpoint held a user's OAuth callback for many seconds per call (with a
 * 2 s connect timeout, past API Gateway's 30 s limit), turning a friendly storage_unavailable
 * into the gateway's own 503.
 */
public final class AwsClients {
    private final Settings settings;
    private final SdkHttpClient http;

    public AwsClients(Settings settings) {
        this(settings, UrlConnectionHttpClient.builder()
                .connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10))
                .build());
    }

    /** With another HTTP client: SnapStart priming answers in memory (see {@code runtime.Priming}). */
    public AwsClients(Settings settings, SdkHttpClient http) {
        this.settings = settings;
        this.http = http;
    }

    public DynamoDbClient dynamo() {
        return configure(DynamoDbClient.builder(), Settings.AWS_ENDPOINT_URL_DYNAMODB).build();
    }

    public SqsClient sqs() {
        return configure(SqsClient.builder(), Settings.AWS_ENDPOINT_URL_SQS).build();
    }

    public SecretsManagerClient secretsManager() {
        return configure(SecretsManagerClient.builder(), Settings.AWS_ENDPOINT_URL_SECRETS_MANAGER).build();
    }

    private <B extends AwsClientBuilder<B, ?> & AwsSyncClientBuilder<B, ?>> B configure(B builder, String endpointKey) {
        builder.httpClient(http);
        builder.overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD));
        builder.region(Region.of(settings.get(Settings.AWS_REGION, "us-east-1")));
        Optional<String> endpoint = settings.optional(endpointKey).or(() -> settings.optional(Settings.AWS_ENDPOINT_URL));
        endpoint.ifPresent(e -> builder.endpointOverride(URI.create(e)));
        builder.credentialsProvider(credentials(endpoint.isPresent()));
        return builder;
    }

    private AwsCredentialsProvider credentials(boolean localEndpoint) {
        // Stand-ins accept any signature; real AWS (and LocalStack with real keys) use the default chain.
        if (localEndpoint && settings.optional("AWS_ACCESS_KEY_ID").isEmpty()) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        }
        return DefaultCredentialsProvider.builder().build();
    }
}
