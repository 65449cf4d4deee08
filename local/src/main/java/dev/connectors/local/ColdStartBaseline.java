package dev.connectors.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The cold start bench's baseline: what any function on this stack must pay. It builds the same SDK
 * clients (one url-connection HTTP client, standard retries) and a Jackson mapper at init, then makes
 * the same calls as a first authorize (two secret reads, one session write) and renders a JSON answer,
 * with no logic at all. Runs in a fresh JVM on the function's own jar.
 */
public final class ColdStartBaseline {
    public static void main(String[] args) throws Exception {
        long t0 = System.nanoTime();
        ObjectMapper json = new ObjectMapper();
        SdkHttpClient http = UrlConnectionHttpClient.builder().connectionTimeout(Duration.ofSeconds(2))
                .socketTimeout(Duration.ofSeconds(10)).build();
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local"));
        Region region = Region.of(System.getenv("AWS_REGION"));
        DynamoDbClient dynamo = DynamoDbClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
                .endpointOverride(URI.create(System.getenv("AWS_ENDPOINT_URL_DYNAMODB"))).build();
        SqsClient sqs = SqsClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
                .endpointOverride(URI.create(System.getenv("AWS_ENDPOINT_URL_SQS"))).build();
        SecretsManagerClient secrets = SecretsManagerClient.builder().httpClient(http).region(region).credentialsProvider(credentials)
                .overrideConfiguration(o -> o.retryStrategy(RetryMode.STANDARD))
                .endpointOverride(URI.create(System.getenv("AWS_ENDPOINT_URL_SECRETS_MANAGER"))).build();
        long t1 = System.nanoTime();

        JsonNode provider = json.readTree(secrets.getSecretValue(r -> r.secretId(System.getenv("PROVIDER_SECRET_ID"))).secretString());
        JsonNode app = json.readTree(secrets.getSecretValue(r -> r.secretId(System.getenv("APP_SECRET_ID"))).secretString());
        long expires = Instant.now().plusSeconds(600).getEpochSecond();
        dynamo.putItem(r -> r.tableName(System.getenv("OAUTH_SESSIONS_TABLE")).conditionExpression("attribute_not_exists(nonce)")
                .item(Map.of("nonce", AttributeValue.fromS("baseline-" + System.nanoTime()), "provider", AttributeValue.fromS("generic"),
                        "tenant_id", AttributeValue.fromS("bench"), "expires_at", AttributeValue.fromN(Long.toString(expires)))));
        String body = json.writeValueAsString(Map.of("authorizationUrl", provider.path("authorize_url").asText()
                + "?client_id=" + provider.path("client_id").asText() + "&k=" + app.size()));
        long t2 = System.nanoTime();
        System.err.println("FIRST " + (t1 - t0) / 1_000_000 + " " + (t2 - t1) / 1_000_000 + " " + (body.isEmpty() ? 500 : 200));
        sqs.close();
    }
}
