package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.aws.AwsClients;
import dev.connectors.config.Settings;
import dev.connectors.functions.oauth.OAuthHandler;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs in a fresh JVM on the OAuth function's jar with Lambda's flags: the warm callback, interleaved with
 * the raw sequence of the I/O it makes, through the same SDK clients (AwsClients) and the same kind of
 * HTTP client. Prints {@code REAL}, {@code RAW} and {@code RAW5} with the measured round trips in µs.
 * <ul>
 *   <li>RAW, the callback's own I/O: consume the session, POST the code, read the connection (its version),
 *       write it, write the job, send it to SQS, clear its pending mark, send connection.active to the app;</li>
 *   <li>RAW5, the minimum any callback needs: consume, POST, write the connection, write the job, send it.</li>
 * </ul>
 */
public final class CallbackBenchChild {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[0]);
        int measured = Integer.parseInt(args[1]);
        URI tokenUrl = URI.create(args[2]);
        Settings settings = Settings.fromEnvironment();
        OAuthHandler handler = new OAuthHandler();
        AwsClients aws = new AwsClients(settings);
        Raw raw = new Raw(aws.dynamo(), aws.sqs(), settings, tokenUrl);

        StringBuilder real = new StringBuilder("REAL");
        StringBuilder rawAll = new StringBuilder("RAW");
        StringBuilder rawMin = new StringBuilder("RAW5");
        for (int i = 0; i < warmup + measured; i++) {
            String tenant = "cb-" + i + "-" + System.nanoTime();
            APIGatewayV2HTTPEvent callback = callback(handler, tenant);
            long t0 = System.nanoTime();
            APIGatewayV2HTTPResponse res = handler.handleRequest(callback, null);
            long t1 = System.nanoTime();
            if (res.getStatusCode() != 200 || !res.getBody().contains("\"connected\":true")) {
                throw new IllegalStateException("callback answered " + res.getStatusCode());
            }
            long all = raw.callback(tenant, true);
            long min = raw.callback(tenant, false);
            if (i >= warmup) {
                real.append(' ').append((t1 - t0) / 1000);
                rawAll.append(' ').append(all / 1000);
                rawMin.append(' ').append(min / 1000);
            }
        }
        System.err.println(real);
        System.err.println(rawAll);
        System.err.println(rawMin);
        aws.sqs().close();
    }

    /** A real authorize for this tenant (not timed), then the callback the provider would send its browser to. */
    private static APIGatewayV2HTTPEvent callback(OAuthHandler handler, String tenant) throws Exception {
        APIGatewayV2HTTPEvent authorize = APIGatewayV2HTTPEvent.builder().withRawPath("/oauth/generic/authorize")
                .withRawQueryString("").withHeaders(Map.of("accept", "application/json"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("bench")
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                                        .withClaims(Map.of("tenant_id", tenant, "sub", "bench")).build()).build()).build())
                .build();
        APIGatewayV2HTTPResponse started = handler.handleRequest(authorize, null);
        String url = JSON.readTree(started.getBody()).path("authorizationUrl").asText();
        List<String> browser = started.getCookies() == null ? List.of()
                : started.getCookies().stream().map(c -> c.split(";", 2)[0]).toList(); // the binding cookie comes back
        for (String pair : URI.create(url).getRawQuery().split("&")) {
            if (pair.startsWith("state=")) return callback(URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8), browser);
        }
        throw new IllegalStateException("no state in " + url);
    }

    private static APIGatewayV2HTTPEvent callback(String state, List<String> cookies) {
        return APIGatewayV2HTTPEvent.builder().withRawPath("/oauth/generic/callback")
                .withQueryStringParameters(Map.of("code", "bench-code", "state", state)).withCookies(cookies)
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("bench").build())
                .build();
    }

    /** The same I/O made directly: no state check, no encryption, no flow. */
    private record Raw(DynamoDbClient dynamo, SqsClient sqs, Settings settings, URI tokenUrl, HttpClient http) {
        Raw(DynamoDbClient dynamo, SqsClient sqs, Settings settings, URI tokenUrl) {
            this(dynamo, sqs, settings, tokenUrl, HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build());
        }

        /** @return nanoseconds for the sequence; the session it consumes is written first, untimed */
        long callback(String tenant, boolean sameAsHandler) throws Exception {
            String nonce = "raw-" + System.nanoTime();
            String sessions = settings.require(Settings.OAUTH_SESSIONS_TABLE);
            String connections = settings.require(Settings.CONNECTIONS_TABLE);
            String jobs = settings.require(Settings.SYNC_JOBS_TABLE);
            dynamo.putItem(r -> r.tableName(sessions).item(Map.of("nonce", s(nonce), "provider", s("generic"),
                    "tenant_id", s(tenant), "code_verifier", s("v".repeat(43)))));
            long t0 = System.nanoTime();
            Map<String, AttributeValue> session = dynamo.deleteItem(r -> r.tableName(sessions).key(Map.of("nonce", s(nonce)))
                    .conditionExpression("attribute_exists(nonce)").returnValues(ReturnValue.ALL_OLD)).attributes();
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(tokenUrl)
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=bench-code&client_id=bench-client"
                            + "&client_secret=bench-secret&code_verifier=" + session.get("code_verifier").s())).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            JsonNode token = JSON.readTree(res.body());
            Map<String, AttributeValue> key = Map.of("tenant_id", s(tenant), "provider", s("generic-raw"));
            if (sameAsHandler) dynamo.getItem(r -> r.tableName(connections).key(key).consistentRead(true));
            Map<String, AttributeValue> connection = new HashMap<>(key);
            connection.put("status", s("active"));
            connection.put("access_token", AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromUtf8String(
                    token.path("access_token").asText())));
            connection.put("refresh_token", AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromUtf8String(
                    token.path("refresh_token").asText())));
            connection.put("version", n(1));
            connection.put("expires_at", n(Instant.now().getEpochSecond() + token.path("expires_in").asLong()));
            dynamo.putItem(r -> r.tableName(connections).item(connection));
            String jobId = "raw-job-" + nonce;
            dynamo.putItem(r -> r.tableName(jobs).conditionExpression("attribute_not_exists(job_id)").item(Map.of(
                    "job_id", s(jobId), "tenant_id", s(tenant), "provider", s("generic-raw"), "status", s("queued"),
                    "enqueue_pending", s("1"), "created_at", n(Instant.now().getEpochSecond()))));
            sqs.sendMessage(r -> r.queueUrl(settings.require(Settings.SYNC_QUEUE_URL)).messageBody("{\"job_id\":\"" + jobId + "\"}"));
            if (sameAsHandler) {
                dynamo.updateItem(r -> r.tableName(jobs).key(Map.of("job_id", s(jobId))).updateExpression("REMOVE enqueue_pending")
                        .conditionExpression("attribute_exists(job_id)"));
                sqs.sendMessage(r -> r.queueUrl(settings.require(Settings.WEBHOOK_QUEUE_URL))
                        .messageBody("{\"type\":\"connection.active\",\"tenant_id\":\"" + tenant + "\"}"));
            }
            return System.nanoTime() - t0;
        }

        private static AttributeValue s(String v) {
            return AttributeValue.fromS(v);
        }

        private static AttributeValue n(long v) {
            return AttributeValue.fromN(Long.toString(v));
        }
    }
}
