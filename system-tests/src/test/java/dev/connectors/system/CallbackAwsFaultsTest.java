package dev.connectors.system;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.config.Settings;
import dev.connectors.functions.oauth.OAuthHandler;
import dev.connectors.functions.sync.JobReconcilerHandler;
import dev.connectors.sync.JobQueue;
import dev.connectors.testing.FaultProxy;
import dev.connectors.testing.FaultProxy.Fault;
import dev.connectors.testing.StandIns;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Browser;
import dev.connectors.testkit.Harness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static dev.connectors.testing.FaultProxy.mentions;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DynamoDB throttling / 5xx and SQS send failures during an OAuth callback (the real handler; DynamoDB and SQS
 * behind a {@link FaultProxy} answering as the services do), then {@link JobReconcilerHandler} on its schedule.
 * A callback is never half-written: either the connection is stored with its backfill job recorded (sent, or left
 * for the reconciler, which sends it), or nothing is stored and the user gets a friendly, retryable error.
 */
class CallbackAwsFaultsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUT = "DynamoDB_20120810.PutItem";
    private static final String SEND = "AmazonSQS.SendMessage";

    private Harness h;
    private FaultProxy dynamoProxy;
    private FaultProxy sqsProxy;
    private OAuthHandler handler;

    @BeforeEach
    void setUp() {
        dynamoProxy = FaultProxy.start(StandIns.dynamoEndpoint());
        sqsProxy = FaultProxy.start(StandIns.sqsEndpoint());
        h = Harness.forFunction("GenericFunction");
        h.set(Settings.AWS_ENDPOINT_URL_DYNAMODB, dynamoProxy.endpoint().toString());
        h.set(Settings.AWS_ENDPOINT_URL_SQS, sqsProxy.endpoint().toString());
        String stubs = "/callback-aws-faults-" + UUID.randomUUID();
        String base = h.wiremock.baseUrl() + stubs;
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        h.wiremock.stubFor(post(urlEqualTo(stubs + "/token")).willReturn(okJson(
                "{\"access_token\":\"caf-access\",\"refresh_token\":\"caf-refresh\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        handler = new OAuthHandler(h.services());
    }

    @AfterEach
    void stop() {
        dynamoProxy.close();
        sqsProxy.close();
    }

    @Test
    void anSqsOutageLeavesAConnectedUserAndTheReconcilerSendsTheJobLater() {
        String tenant = newTenant();
        String state = authorize(tenant);
        sqsProxy.fail(SEND, syncQueue(), -1, Fault.sqsInternalError());

        Result result = callback(state);

        assertThat(result.connected()).isTrue();
        assertThat(sqsProxy.count(SEND, syncQueue())).isEqualTo(3); // the SDK's three attempts, then the job waits
        assertThat(connected(tenant)).isTrue();
        String jobId = onlyJob(tenant);
        assertThat(pendingJobs()).containsExactly(jobId);
        assertThat(queuedJobs()).isEmpty();

        sqsProxy.reset(); // SQS is back
        h.clock.advance(Duration.ofMinutes(3));
        Map<String, Object> ran = new JobReconcilerHandler(h.services()).handleRequest(Map.of(), null);

        assertThat(ran).containsEntry("resent", 1);
        assertThat(queuedJobs()).containsExactly(jobId);
        assertThat(pendingJobs()).isEmpty();
    }

    @Test
    void aConnectionWriteThrottledPastTheRetriesStoresNothingAndSaysTryAgain() {
        String tenant = newTenant();
        String state = authorize(tenant);
        dynamoProxy.fail(PUT, table("ConnectionsTable"), -1, Fault.dynamoThroughputExceeded());

        Result result = callback(state);

        assertFriendlyRetryable(result);
        assertThat(dynamoProxy.count(PUT, table("ConnectionsTable"))).isEqualTo(3);
        assertThat(connected(tenant)).isFalse();
        assertThat(jobsOf(tenant)).isEmpty();
        assertThat(queuedJobs()).isEmpty();
    }

    @Test
    void aJobWriteThrottledPastTheRetriesNeverLeavesAConnectionWithoutItsBackfill() {
        String tenant = newTenant();
        String state = authorize(tenant);
        dynamoProxy.fail(PUT, table("SyncJobsTable"), -1, Fault.dynamoThroughputExceeded());

        Result result = callback(state);

        assertFriendlyRetryable(result);
        assertThat(dynamoProxy.count(PUT, table("SyncJobsTable"))).isEqualTo(3);
        assertThat(connected(tenant)).isFalse();
        assertThat(jobsOf(tenant)).isEmpty();
    }

    @Test
    void writesThatSucceededAlthoughTheirAnswerWasLostAreNotMistakenForConflicts() {
        String tenant = newTenant();
        String state = authorize(tenant);
        // DynamoDB applied each write, then answered 500: the SDK retries a put that is already there
        dynamoProxy.fail(PUT, table("SyncJobsTable"), 1, Fault.dynamoInternalError().afterApplying());
        dynamoProxy.fail(PUT, table("ConnectionsTable"), 1, Fault.dynamoInternalError().afterApplying());

        Result result = callback(state);

        assertThat(dynamoProxy.count(PUT, table("SyncJobsTable"))).isEqualTo(2); // the lost answer, then the SDK's retry
        assertThat(dynamoProxy.count(PUT, table("ConnectionsTable"))).isGreaterThanOrEqualTo(2);
        assertThat(result.connected()).as(String.valueOf(result)).isTrue();
        assertThat(connected(tenant)).isTrue();
        assertThat(queuedJobs()).containsExactly(onlyJob(tenant));
    }

    @Test
    void aSessionConsumedAlthoughItsAnswerWasLostStillFinishesTheFlow() {
        String tenant = newTenant();
        String state = authorize(tenant);
        FaultProxy.Rule claim = dynamoProxy.fail("DynamoDB_20120810.UpdateItem", table("OAuthSessionsTable"), 1,
                Fault.dynamoInternalError().afterApplying());
        dynamoProxy.fail("DynamoDB_20120810.DeleteItem", table("OAuthSessionsTable"), 1, Fault.dynamoInternalError().afterApplying());

        Result result = callback(state);

        assertThat(claim.injected()).isEqualTo(1);
        assertThat(result.connected()).as(String.valueOf(result)).isTrue();
        assertThat(connected(tenant)).isTrue();
        assertThat(callback(state).error()).isEqualTo("state_reused"); // and it still works exactly once
    }

    @Test
    void aThirdOfAllWritesAndSendsFailingNeverHalfWritesAnyCallback() {
        // 5xx (not throttling) keeps the SDK's back-off short; every DynamoDB write and every SQS send may fail
        for (String op : List.of(PUT, "DynamoDB_20120810.UpdateItem", "DynamoDB_20120810.DeleteItem")) {
            dynamoProxy.failSometimes(op, body -> true, 0.33, Fault.dynamoInternalError());
        }
        sqsProxy.failSometimes(SEND, syncQueue(), 0.33, Fault.sqsInternalError());
        int flows = 12;
        Set<String> connectedTenants = new HashSet<>();
        for (int i = 0; i < flows; i++) {
            String tenant = newTenant();
            String state;
            try {
                state = authorize(tenant);
            } catch (AssertionError authorizeFailed) { // the session write failed: the user retries later
                continue;
            }
            Result result = callback(state);
            if (result.connected()) {
                assertThat(connected(tenant)).as("connected but not stored").isTrue();
                assertThat(jobsOf(tenant)).as("connected without a backfill job").hasSize(1);
                connectedTenants.add(tenant);
            } else {
                assertFriendlyRetryable(result);
                assertThat(connected(tenant)).as("an error but the connection stored").isFalse();
            }
        }
        assertThat(connectedTenants).isNotEmpty();
        assertThat(dynamoProxy.seen().stream().filter(FaultProxy.Seen::faulted).count()).isPositive();

        dynamoProxy.reset();
        sqsProxy.reset();
        h.clock.advance(Duration.ofMinutes(3));
        new JobReconcilerHandler(h.services()).handleRequest(Map.of(), null);

        Set<String> expected = new HashSet<>();
        connectedTenants.forEach(t -> expected.add(onlyJob(t)));
        assertThat(new HashSet<>(queuedJobs())).isEqualTo(expected); // every connected tenant's backfill is on its way
        assertThat(pendingJobs()).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private static String newTenant() {
        return "tenant-" + UUID.randomUUID();
    }

    private Predicate<String> table(String logicalId) {
        return mentions("\"" + h.resources.tableName(logicalId) + "\"");
    }

    private Predicate<String> syncQueue() {
        String url = h.resources.queueUrl("SyncQueue");
        return mentions(url.substring(url.lastIndexOf('/') + 1) + "\"");
    }

    /** The users' browser: the binding cookie set by authorize comes back with the callback. */
    private final Browser browser = new Browser();

    /** Starts a flow as the tenant's user; returns the signed state the provider will send back. */
    private String authorize(String tenant) {
        APIGatewayV2HTTPResponse res = browser.send(handler, ApiEvents.get("/oauth/generic/authorize",
                "return_to=" + Harness.APP_ORIGIN + "/done", Map.of("tenant_id", tenant, "sub", "user-1"),
                Map.of("accept", "application/json")));
        assertThat(res.getStatusCode()).isEqualTo(200);
        try {
            URI url = URI.create(JSON.readTree(res.getBody()).get("authorizationUrl").asText());
            return query(url, "state");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    /** How a callback ended for the user: connected, or an error code and its message. */
    private record Result(boolean connected, String error, String message) {
    }

    /**
     * The provider's redirect back with a code. With the session read the user is sent back to the app; when even
     * the session could not be read (storage down), the result page says the same without a return URL.
     */
    private Result callback(String state) {
        APIGatewayV2HTTPResponse res = browser.send(handler, ApiEvents.get("/oauth/generic/callback",
                "code=the-code&state=" + java.net.URLEncoder.encode(state, StandardCharsets.UTF_8), null, null));
        if (res.getStatusCode() == 400) { // the result page
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"error\":\"([a-z_]+)\",\"message\":\"([^\"]*)\"")
                    .matcher(res.getBody());
            assertThat(m.find()).as("result page names the error: " + res.getBody()).isTrue();
            return new Result(false, m.group(1), m.group(2));
        }
        assertThat(res.getStatusCode()).isEqualTo(302);
        URI location = URI.create(res.getHeaders().get("Location"));
        assertThat(location.toString()).startsWith(Harness.APP_ORIGIN + "/done?");
        if ("connected=generic".equals(location.getRawQuery())) return new Result(true, null, null);
        return new Result(false, query(location, "error"), query(location, "message"));
    }

    private static void assertFriendlyRetryable(Result result) {
        assertThat(result.connected()).isFalse();
        assertThat(result.error()).isEqualTo("storage_unavailable");
        assertThat(result.message()).isEqualTo(
                "Our service had a temporary problem while connecting Sandbox; please try again in a few minutes.");
    }

    private static String query(URI uri, String name) {
        for (String pair : uri.getRawQuery().split("&")) {
            if (pair.startsWith(name + "=")) return URLDecoder.decode(pair.substring(name.length() + 1), StandardCharsets.UTF_8);
        }
        throw new AssertionError("no " + name + " in " + uri);
    }

    private boolean connected(String tenant) {
        return !StandIns.dynamo().getItem(r -> r.tableName(h.resources.tableName("ConnectionsTable")).consistentRead(true)
                .key(Map.of("tenant_id", AttributeValue.fromS(tenant), "provider", AttributeValue.fromS("generic")))).item().isEmpty();
    }

    private List<Map<String, AttributeValue>> jobsOf(String tenant) {
        return StandIns.dynamo().scan(r -> r.tableName(h.resources.tableName("SyncJobsTable")).consistentRead(true)
                .filterExpression("tenant_id = :t").expressionAttributeValues(Map.of(":t", AttributeValue.fromS(tenant)))).items();
    }

    private String onlyJob(String tenant) {
        List<Map<String, AttributeValue>> jobs = jobsOf(tenant);
        assertThat(jobs).hasSize(1);
        return jobs.get(0).get("job_id").s();
    }

    private List<String> pendingJobs() {
        return StandIns.dynamo().scan(r -> r.tableName(h.resources.tableName("SyncJobsTable")).consistentRead(true)
                .filterExpression("attribute_exists(enqueue_pending)")).items().stream().map(i -> i.get("job_id").s()).toList();
    }

    /** Job ids of the messages now on the sync queue (received, so each test reads them once). */
    private List<String> queuedJobs() {
        List<String> ids = new ArrayList<>();
        while (true) {
            var messages = StandIns.sqs().receiveMessage(r -> r.queueUrl(h.resources.queueUrl("SyncQueue"))
                    .maxNumberOfMessages(10).waitTimeSeconds(0).visibilityTimeout(60)).messages();
            if (messages.isEmpty()) return ids;
            messages.forEach(m -> ids.add(JobQueue.jobId(m.body())));
        }
    }
}
