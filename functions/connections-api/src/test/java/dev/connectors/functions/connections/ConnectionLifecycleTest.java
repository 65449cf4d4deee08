package dev.connectors.functions.connections;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.aws.AwsClients;
import dev.connectors.config.Settings;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Services;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.JobStore;
import dev.connectors.sync.SyncJob;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The write side of the connections API against the stand-ins: DELETE (revoke at the provider as the
 * registry describes it, then delete; a failed revoke still deletes), POST .../sync (idempotent while a job
 * runs, one job for a double click), cross-tenant isolation on every route, and the events the app gets.
 */
class ConnectionLifecycleTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Harness h;
    private static ConnectionsApiHandler handler;
    private static final Map<String, ProviderSpec> SPECS = new ConcurrentHashMap<>();

    static {
        LogCapture.install();
    }

    private final String tenantA = "tenant-a-" + UUID.randomUUID();
    private final String tenantB = "tenant-b-" + UUID.randomUUID();
    private final List<String> tokens = new ArrayList<>();

    @BeforeAll
    static void harness() {
        h = Harness.forFunction("ConnectionsApiFunction");
        for (String p : List.of("slack", "gitlab", "notion", "outlook")) h.providerSecret(p, Map.of());
        handler = new ConnectionsApiHandler(h.services(), id -> SPECS.computeIfAbsent(id, h::rebased));
    }

    @BeforeEach
    void clearLogs() {
        LogCapture.clear();
    }

    // ================================================================ DELETE

    @Test
    void deleteRevokesWithTheBearerTokenThenDeletesAndTellsTheApp() {
        Connection c = connect(tenantA, "slack");
        h.wiremock.stubFor(post(urlPathEqualTo("/slack/api/auth.revoke"))
                .withHeader("Authorization", equalTo("Bearer " + c.accessToken()))
                .willReturn(okJson("{\"ok\":true,\"revoked\":true}")));

        JsonNode body = body(call("DELETE", "/connections/{provider}", "slack", tenantA), 200);

        assertThat(body.path("revoked").asBoolean()).isTrue();
        assertThat(body.path("revokeSupported").asBoolean()).isTrue();
        assertThat(body.path("revokeError").isNull()).isTrue();
        assertThat(h.services().tokenStore().get(tenantA, "slack")).isEmpty();
        h.wiremock.verify(1, postRequestedFor(urlPathEqualTo("/slack/api/auth.revoke"))
                .withHeader("Authorization", equalTo("Bearer " + c.accessToken())));
        assertThat(LogCapture.all()).doesNotContain(c.accessToken()).doesNotContain(c.refreshToken());
        assertThat(events(tenantA)).anySatisfy(e -> {
            assertThat(e.path("type").asText()).isEqualTo("connection.revoked");
            assertThat(e.path("provider").asText()).isEqualTo("slack");
            assertThat(e.path("data").path("revoked").asBoolean()).isTrue();
        });
    }

    @Test
    void deleteSendsTheRefreshTokenAndClientCredentialsInTheFormWhereTheEntrySaysSo() {
        Connection c = connect(tenantA, "gitlab");
        h.wiremock.stubFor(post(urlPathEqualTo("/gitlab/oauth/revoke"))
                .withRequestBody(containing("token=" + c.refreshToken())).willReturn(okJson("{}")));

        JsonNode body = body(call("DELETE", "/connections/{provider}", "gitlab", tenantA), 200);

        assertThat(body.path("revoked").asBoolean()).isTrue();
        h.wiremock.verify(1, postRequestedFor(urlPathEqualTo("/gitlab/oauth/revoke"))
                .withHeader("Content-Type", containing("application/x-www-form-urlencoded"))
                .withRequestBody(containing("token=" + c.refreshToken()))
                .withRequestBody(containing("client_id=gitlab-client-id"))
                .withRequestBody(containing("client_secret=" + Harness.clientSecret("gitlab"))));
        assertThat(LogCapture.all()).doesNotContain(Harness.clientSecret("gitlab"));
    }

    @Test
    void aJsonRevokeWithBasicAuthIsSentAsTheEntryDescribes() {
        Connection c = connect(tenantA, "notion");
        h.wiremock.stubFor(post(urlPathEqualTo("/notion/v1/oauth/revoke")).willReturn(okJson("{}")));

        assertThat(body(call("DELETE", "/connections/{provider}", "notion", tenantA), 200).path("revoked").asBoolean()).isTrue();
        h.wiremock.verify(1, postRequestedFor(urlPathEqualTo("/notion/v1/oauth/revoke"))
                .withHeader("Authorization", equalTo("Basic " + java.util.Base64.getEncoder().encodeToString(
                        ("notion-client-id:" + Harness.clientSecret("notion")).getBytes())))
                .withRequestBody(equalToJson("{\"token\":\"" + c.accessToken() + "\"}")));
    }

    @Test
    void aRevokeAnsweredWithAnHtmlPageStillDeletesTheTokensAndSaysRevokedFalse() {
        Connection c = connect(tenantA, "slack");
        h.wiremock.stubFor(post(urlPathEqualTo("/slack/api/auth.revoke"))
                .withHeader("Authorization", equalTo("Bearer " + c.accessToken()))
                .willReturn(aResponse().withStatus(503).withHeader("Content-Type", "text/html")
                        .withBody("<html><head><title>Down for maintenance</title></head><body>Back soon</body></html>")));

        JsonNode body = body(call("DELETE", "/connections/{provider}", "slack", tenantA), 200);

        assertThat(body.path("revoked").asBoolean()).isFalse();
        assertThat(body.path("deleted").asBoolean()).isTrue();
        assertThat(body.path("revokeError").path("code").asText()).isEqualTo("provider_html_error");
        assertThat(body.path("revokeError").path("message").asText()).contains("Slack");
        assertThat(h.services().tokenStore().get(tenantA, "slack")).isEmpty();
        assertThat(body.toString()).doesNotContain("Down for maintenance").doesNotContain("Back soon"); // the page stays in the log
    }

    @Test
    void aRevokeFailingWith500OrOkFalseStillDeletes() {
        Connection c = connect(tenantA, "gitlab");
        h.wiremock.stubFor(post(urlPathEqualTo("/gitlab/oauth/revoke")).withRequestBody(containing(c.refreshToken()))
                .willReturn(aResponse().withStatus(500).withBody("oops")));
        JsonNode body = body(call("DELETE", "/connections/{provider}", "gitlab", tenantA), 200);
        assertThat(body.path("revoked").asBoolean()).isFalse();
        assertThat(body.path("revokeError").path("code").asText()).isEqualTo("provider_unavailable");
        assertThat(h.services().tokenStore().get(tenantA, "gitlab")).isEmpty();

        Connection s = connect(tenantA, "slack");
        h.wiremock.stubFor(post(urlPathEqualTo("/slack/api/auth.revoke")).withHeader("Authorization", equalTo("Bearer " + s.accessToken()))
                .willReturn(okJson("{\"ok\":false,\"error\":\"invalid_auth\"}")));
        JsonNode slack = body(call("DELETE", "/connections/{provider}", "slack", tenantA), 200);
        assertThat(slack.path("revoked").asBoolean()).isFalse();
        assertThat(slack.path("revokeError").path("code").asText()).isNotBlank();
        assertThat(h.services().tokenStore().get(tenantA, "slack")).isEmpty();
    }

    @Test
    void aProviderWithoutRevokeIsDeletedLocallyWithoutAnyProviderCall() {
        connect(tenantA, "outlook");
        int before = h.wiremock.getAllServeEvents().size();
        JsonNode body = body(call("DELETE", "/connections/{provider}", "outlook", tenantA), 200);
        assertThat(body.path("revokeSupported").asBoolean()).isFalse();
        assertThat(body.path("revoked").asBoolean()).isFalse();
        assertThat(body.path("revokeError").isNull()).isTrue();
        assertThat(h.services().tokenStore().get(tenantA, "outlook")).isEmpty();
        assertThat(h.wiremock.getAllServeEvents().stream().skip(0).filter(e -> e.getRequest().getUrl().startsWith("/outlook")).count())
                .as("no call to the provider (before: %d requests)", before).isZero();
    }

    @Test
    void deletingWithoutAConnectionIs404AndAnUnknownProviderToo() {
        assertError(call("DELETE", "/connections/{provider}", "slack", tenantA), 404, "not_found");
        assertError(call("DELETE", "/connections/{provider}", "no-such-provider", tenantA), 404, "not_found");
    }

    @Test
    void deleteStopsTheConnectionsRunningJobAndItsWorkerLosesTheLease() {
        connect(tenantA, "outlook");
        SyncJob job = h.services().syncJobs().start(tenantA, "outlook", "test-" + UUID.randomUUID());
        JobStore jobs = h.services().jobStore();
        SyncJob leased = jobs.lease(job.jobId(), "worker-1", h.clock.instant().plus(JobStore.LEASE)).orElseThrow();

        JsonNode body = body(call("DELETE", "/connections/{provider}", "outlook", tenantA), 200);

        assertThat(body.path("cancelledJobs").toString()).contains(job.jobId());
        SyncJob after = jobs.get(job.jobId()).orElseThrow();
        assertThat(after.status()).isEqualTo(JobStatus.failed);
        assertThat(after.lastError()).isEqualTo(Disconnect.JOB_CANCELLED);
        // the worker's next checkpoint save fails: it stops (BackfillResult.LeaseLost)
        assertThat(jobs.save(leased.progressed(leased.checkpoint(), 1, 1), "worker-1", false)).isFalse();
        assertThat(jobs.lease(job.jobId(), "worker-2", h.clock.instant().plus(JobStore.LEASE))).isEmpty();
    }

    @Test
    void aReconnectAfterADeleteGetsANewBackfillJob() {
        String firstJob = dev.connectors.runtime.AfterConnect.store(h.services(), connect(tenantA, "outlook")).jobId();
        body(call("DELETE", "/connections/{provider}", "outlook", tenantA), 200);
        h.clock.advance(java.time.Duration.ofSeconds(5));
        String secondJob = dev.connectors.runtime.AfterConnect.store(h.services(), connect(tenantA, "outlook")).jobId();
        assertThat(secondJob).isNotEqualTo(firstJob);
        assertThat(h.services().jobStore().get(secondJob)).isPresent();
    }

    // ================================================================ POST /connections/{provider}/sync

    @Test
    void syncStartsAJobAndReturnsTheSameOneWhileItRuns() {
        connect(tenantA, "outlook");
        APIGatewayV2HTTPResponse first = call("POST", "/connections/{provider}/sync", "outlook", tenantA);
        JsonNode started = body(first, 202);
        assertThat(started.path("created").asBoolean()).isTrue();
        assertThat(started.path("status").asText()).isEqualTo("queued");

        JsonNode again = body(call("POST", "/connections/{provider}/sync", "outlook", tenantA), 200);
        assertThat(again.path("jobId").asText()).isEqualTo(started.path("jobId").asText());
        assertThat(again.path("created").asBoolean()).isFalse();

        // once it finished, a new request starts a new job
        JobStore jobs = h.services().jobStore();
        SyncJob job = jobs.lease(started.path("jobId").asText(), "w", h.clock.instant().plus(JobStore.LEASE)).orElseThrow();
        assertThat(jobs.save(job.finished(JobStatus.succeeded, null, "complete"), "w", true)).isTrue();
        h.clock.advance(java.time.Duration.ofSeconds(2));
        JsonNode next = body(call("POST", "/connections/{provider}/sync", "outlook", tenantA), 202);
        assertThat(next.path("jobId").asText()).isNotEqualTo(started.path("jobId").asText());
    }

    @Test
    void aDoubleClickCreatesOneJob() throws Exception {
        connect(tenantA, "outlook");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<APIGatewayV2HTTPResponse>> clicks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            clicks.add(pool.submit(() -> {
                go.await();
                return call("POST", "/connections/{provider}/sync", "outlook", tenantA);
            }));
        }
        go.countDown();
        List<String> ids = new ArrayList<>();
        int created = 0;
        for (Future<APIGatewayV2HTTPResponse> f : clicks) {
            APIGatewayV2HTTPResponse r = f.get();
            assertThat(r.getStatusCode()).isIn(200, 202);
            if (r.getStatusCode() == 202) created++;
            ids.add(parse(r).path("jobId").asText());
        }
        pool.shutdown();
        assertThat(created).isEqualTo(1);
        assertThat(ids).containsOnly(ids.get(0));
    }

    @Test
    void syncWithoutAnActiveConnectionIs404() {
        assertError(call("POST", "/connections/{provider}/sync", "outlook", tenantA), 404, "not_found");
        Connection c = connect(tenantA, "outlook");
        h.services().tokenStore().save(c.withStatus(ConnectionStatus.needs_reauth));
        assertError(call("POST", "/connections/{provider}/sync", "outlook", tenantA), 404, "not_found");
    }

    // ================================================================ tenants

    @Test
    void tenantBsTokenCanNeitherReadNorChangeTenantAsData() {
        Connection a = connect(tenantA, "outlook");
        SyncJob aJob = h.services().syncJobs().start(tenantA, "outlook", "test-" + UUID.randomUUID());

        assertThat(parse(get("/connections", tenantB)).path("connections")).isEmpty();
        assertError(callJob(aJob.jobId(), tenantB), 404, "not_found");
        JsonNode records = parse(handler.handleRequest(ApiEvents.get("/records", "provider=outlook&model=messages",
                Map.of("tenant_id", tenantB, "sub", "u"), null), null));
        assertThat(records.path("records")).isEmpty();
        assertError(call("POST", "/connections/{provider}/sync", "outlook", tenantB), 404, "not_found");
        assertError(call("DELETE", "/connections/{provider}", "outlook", tenantB), 404, "not_found");

        // tenant A's connection and job are untouched
        assertThat(h.services().tokenStore().get(tenantA, "outlook")).get().extracting(Connection::version).isEqualTo(a.version());
        assertThat(h.services().jobStore().get(aJob.jobId()).orElseThrow().status()).isEqualTo(JobStatus.queued);
        // a claim-less request (no authorizer) is refused on the write routes too
        APIGatewayV2HTTPEvent noClaims = event("DELETE", "/connections/{provider}", "outlook", null);
        assertError(handler.handleRequest(noClaims, null), 401, "unauthorized");
    }

    // ================================================================ helpers

    private Connection connect(String tenant, String provider) {
        String access = "at-" + UUID.randomUUID();
        String refresh = "rt-" + UUID.randomUUID();
        tokens.add(access);
        tokens.add(refresh);
        return h.services().tokenStore().upsert(new Connection(tenant, provider, ConnectionStatus.active, access, refresh,
                "Bearer", List.of("read"), h.clock.instant().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS),
                Map.of(), "user-" + tenant, null, null, 0));
    }

    private static APIGatewayV2HTTPEvent event(String method, String route, String provider, String tenant) {
        APIGatewayV2HTTPEvent e = ApiEvents.route(route, Map.of("provider", provider), null,
                tenant == null ? null : Map.of("tenant_id", tenant, "sub", "user-" + tenant));
        e.getRequestContext().getHttp().setMethod(method);
        e.setRouteKey(method + " " + route);
        e.getRequestContext().setRouteKey(method + " " + route);
        return e;
    }

    private static APIGatewayV2HTTPResponse call(String method, String route, String provider, String tenant) {
        return handler.handleRequest(event(method, route, provider, tenant), null);
    }

    private static APIGatewayV2HTTPResponse callJob(String jobId, String tenant) {
        return handler.handleRequest(ApiEvents.route("/sync-jobs/{id}", Map.of("id", jobId), null,
                Map.of("tenant_id", tenant, "sub", "u")), null);
    }

    private static APIGatewayV2HTTPResponse get(String path, String tenant) {
        return handler.handleRequest(ApiEvents.get(path, null, Map.of("tenant_id", tenant, "sub", "u"), null), null);
    }

    private static JsonNode body(APIGatewayV2HTTPResponse r, int status) {
        assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(status);
        assertThat(r.getHeaders()).containsEntry("Cache-Control", "no-store");
        return parse(r);
    }

    private static void assertError(APIGatewayV2HTTPResponse r, int status, String code) {
        assertThat(r.getStatusCode()).as(r.getBody()).isEqualTo(status);
        assertThat(parse(r).path("error").path("code").asText()).isEqualTo(code);
    }

    private static JsonNode parse(APIGatewayV2HTTPResponse r) {
        try {
            return JSON.readTree(r.getBody());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Events on the webhook queue for this tenant (other tests' events are left alone by filtering). */
    private static List<JsonNode> events(String tenant) {
        SqsClient sqs = new AwsClients(h.settings()).sqs();
        String url = h.settings().require(Settings.WEBHOOK_QUEUE_URL);
        List<JsonNode> out = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            var messages = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(0).visibilityTimeout(0)).messages();
            if (messages.isEmpty()) break;
            for (var m : messages) {
                try {
                    JsonNode e = JSON.readTree(m.body());
                    if (tenant.equals(e.path("tenantId").asText())) out.add(e);
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        return out;
    }
}
