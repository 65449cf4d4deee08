package dev.connectors.functions.connections;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.config.Settings;
import dev.connectors.http.ProviderHttp;
import dev.connectors.runtime.Services;
import dev.connectors.sync.SyncJob;
import dev.connectors.sync.SyncRecord;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connections API against the stand-ins (tables from template.yaml). Data is written through
 * the real stores with the app keys; the handler runs with an app secret id that does not exist,
 * so every passing read also shows that the read side never touches key material.
 */
class ConnectionsApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Harness h;
    private static ConnectionsApiHandler handler;

    static {
        LogCapture.install();
    }

    private final String tenantA = "tenant-a-" + UUID.randomUUID();
    private final String tenantB = "tenant-b-" + UUID.randomUUID();
    private final List<String> tokens = new ArrayList<>();

    @BeforeAll
    static void harness() {
        h = Harness.forFunction("ConnectionsApiFunction");
        Settings noKeys = h.settings().with(Settings.APP_SECRET_ID, "no-such-secret-" + UUID.randomUUID());
        handler = new ConnectionsApiHandler(new Services(noKeys, h.clock, ProviderHttp.defaults()));
    }

    @BeforeEach
    void clearLogs() {
        LogCapture.clear();
    }

    // ================================================================ isolation

    @Test
    void eachTenantListsOnlyItsOwnConnectionsAndNeverATokenOrCiphertext() {
        connect(tenantA, "slack");
        connect(tenantA, "gitlab");
        connect(tenantB, "slack");

        JsonNode a = ok(get("/connections", null, tenantA)).path("connections");
        JsonNode b = ok(get("/connections", null, tenantB)).path("connections");

        assertThat(a.findValuesAsText("provider")).containsExactlyInAnyOrder("slack", "gitlab");
        assertThat(b.findValuesAsText("provider")).containsExactly("slack");
        JsonNode slack = b.get(0);
        assertThat(slack.path("displayName").asText()).isEqualTo("Slack");
        assertThat(slack.path("status").asText()).isEqualTo("active");
        assertThat(slack.path("scopes")).extracting(JsonNode::asText).containsExactly("read", "history");
        assertThat(Instant.parse(slack.path("expiresAt").asText())).isAfter(h.clock.instant());
        assertThat(slack.path("connectedBy").asText()).isEqualTo("user-" + tenantB);
        assertThat(slack.path("metadata").path("team_id").asText()).isEqualTo("T-" + tenantB);
        assertThat(slack.path("createdAt").asText()).isNotBlank();
        assertThat(slack.path("updatedAt").asText()).isNotBlank();
        assertThat(slack.has("lastSync")).isTrue();

        String everything = get("/connections", null, tenantA).getBody() + get("/connections", null, tenantB).getBody();
        assertThat(tokens).isNotEmpty().allSatisfy(t -> assertThat(everything).doesNotContain(t));
        assertThat(everything).doesNotContain("access_token_ct").doesNotContain("refresh_token_ct")
                .doesNotContain("key_id").doesNotContain("version");
        assertThat(LogCapture.all()).contains("\"tenant\":\"" + tenantA + "\"");
        tokens.forEach(t -> assertThat(LogCapture.all()).doesNotContain(t));
    }

    @Test
    void aTenantWithoutConnectionsGetsAnEmptyList() {
        assertThat(ok(get("/connections", null, tenantA)).path("connections")).isEmpty();
    }

    @Test
    void aJobIsVisibleToItsTenantOnlyAndAnotherTenantsLooksExactlyLikeAnUnknownOne() {
        connect(tenantA, "slack");
        SyncJob job = h.services().syncJobs().start(tenantA, "slack", "connect v1");

        JsonNode own = ok(job(job.jobId(), tenantA));
        assertThat(own.path("jobId").asText()).isEqualTo(job.jobId());
        assertThat(own.path("provider").asText()).isEqualTo("slack");
        assertThat(own.path("status").asText()).isEqualTo("queued");
        assertThat(own.path("pages").asLong()).isZero();
        assertThat(own.path("records").asLong()).isZero();
        assertThat(own.path("attempts").asInt()).isZero();
        assertThat(Instant.parse(own.path("windowStart").asText())).isBefore(Instant.parse(own.path("windowEnd").asText()));
        assertThat(own.path("createdAt").asText()).isNotBlank();
        assertThat(own.has("lastError") && own.has("outcome") && own.has("updatedAt")).isTrue();
        assertThat(own.has("checkpoint") || own.has("lease_owner") || own.has("tenantId")).isFalse();
        assertThat(own.path("stepsTotal").isNull()).as("not planned before the worker's first delivery").isTrue();

        APIGatewayV2HTTPResponse foreign = job(job.jobId(), tenantB);
        APIGatewayV2HTTPResponse unknown = job("job_" + UUID.randomUUID(), tenantB);
        assertThat(foreign.getStatusCode()).isEqualTo(404);
        assertThat(unknown.getStatusCode()).isEqualTo(404);
        assertThat(foreign.getBody()).isEqualTo(unknown.getBody());
        JsonNode error = parse(foreign).path("error");
        assertThat(error.path("code").asText()).isEqualTo("not_found");
        assertThat(error.path("retryable").asBoolean()).isFalse();
        assertThat(error.has("message") && error.has("provider")).isTrue();
    }

    @Test
    void aJobWhoseStepsRunInParallelShowsStepsDoneOutOfTotal() {
        connect(tenantA, "slack");
        SyncJob job = h.services().syncJobs().start(tenantA, "slack", "connect steps");
        var store = h.services().jobStore();
        SyncJob leased = store.lease(job.jobId(), "worker-1", Instant.now().plusSeconds(60)).orElseThrow();
        // three weekly steps ran in the job's own message, then steps 3..13 went to parallel messages
        assertThat(store.save(leased.withStepsTotal(14).fannedOut(3, 14), "worker-1", true)).isTrue();
        assertThat(store.addDoneStep(job.jobId(), 7, 2, 40, 0)).isPresent();
        assertThat(store.addDoneStep(job.jobId(), 7, 2, 40, 0)).as("a step counts once").isEmpty();
        assertThat(store.addDoneStep(job.jobId(), 8, 1, 5, 2)).isPresent(); // a step that skipped two refused parents

        JsonNode view = ok(job(job.jobId(), tenantA));
        assertThat(view.path("status").asText()).isEqualTo("running");
        assertThat(view.path("stepsDone").asLong()).isEqualTo(5);
        assertThat(view.path("stepsTotal").asLong()).isEqualTo(14);
        assertThat(view.path("pages").asLong()).isEqualTo(3);
        assertThat(view.path("records").asLong()).isEqualTo(45);
        assertThat(view.path("parentsSkipped").asLong()).isEqualTo(2);
    }

    @Test
    void stepsAndConnectionSlotsInTheJobsTableAreNotFoundNeverAServerError() {
        connect(tenantA, "slack");
        SyncJob job = h.services().syncJobs().start(tenantA, "slack", "connect slots");
        var store = h.services().jobStore();
        SyncJob leased = store.lease(job.jobId(), "worker-1", Instant.now().plusSeconds(60)).orElseThrow();
        assertThat(store.save(leased.withStepsTotal(14).fannedOut(3, 14), "worker-1", true)).isTrue();
        assertThat(store.createStep(leased.stepItem(5, dev.connectors.sync.Checkpoint.startOf(5)))).isTrue();
        assertThat(h.services().connectionSlots().acquire(tenantA, "slack", "worker-1")).isPresent();

        // a slot item has no status: reading it as a job would fail, and would tell other tenants it exists
        for (String id : List.of("slot#slack#0#" + tenantA, "slot#slack#1#" + tenantA, job.jobId() + "#s5")) {
            APIGatewayV2HTTPResponse res = job(id, tenantB);
            assertThat(res.getStatusCode()).as(id).isEqualTo(404);
            assertThat(job(id, tenantA).getStatusCode()).as(id).isEqualTo(404);
        }
    }

    @Test
    void cancellingAFannedOutJobStopsItsRunningStepsAtTheirNextCheckpoint() {
        connect(tenantA, "slack");
        SyncJob job = h.services().syncJobs().start(tenantA, "slack", "connect cancel steps");
        var store = h.services().jobStore();
        SyncJob leased = store.lease(job.jobId(), "worker-1", Instant.now().plusSeconds(60)).orElseThrow();
        assertThat(store.save(leased.withStepsTotal(14).fannedOut(3, 14), "worker-1", true)).isTrue();
        assertThat(store.createStep(leased.stepItem(5, dev.connectors.sync.Checkpoint.startOf(5)))).isTrue();
        SyncJob step = store.lease(SyncJob.stepId(job.jobId(), 5), "worker-2", Instant.now().plusSeconds(60)).orElseThrow();

        assertThat(store.cancel(job.jobId(), "disconnected")).isTrue();

        assertThat(store.save(step.progressed(step.checkpoint(), 1, 10), "worker-2", false))
                .as("the running step's next checkpoint save").isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", "../connections", "%00", "job_\u00e9\u4e2d", "x"})
    void oddJobIdsAreNotFoundNeverAServerError(String id) {
        APIGatewayV2HTTPResponse res = job(id, tenantA);
        assertThat(res.getStatusCode()).isEqualTo(404);
        assertThat(parse(res).path("error").path("code").asText()).isEqualTo("not_found");
        assertThat(job("j".repeat(5000), tenantA).getStatusCode()).isEqualTo(404);
    }

    @Test
    void lastSyncIsTheConnectionsNewestJob() {
        connect(tenantA, "slack");
        connect(tenantA, "gitlab");
        h.services().syncJobs().start(tenantA, "slack", "connect v1");
        h.clock.advance(Duration.ofSeconds(30));
        SyncJob newer = h.services().syncJobs().start(tenantA, "slack", "resync 2");
        h.services().syncJobs().start(tenantB, "gitlab", "connect v1"); // another tenant's job on the same provider

        JsonNode list = ok(get("/connections", null, tenantA)).path("connections");
        JsonNode slack = byProvider(list, "slack");
        assertThat(slack.path("lastSync").path("jobId").asText()).isEqualTo(newer.jobId());
        assertThat(slack.path("lastSync").path("status").asText()).isEqualTo("queued");
        assertThat(slack.path("lastSync").has("provider")).isFalse();
        assertThat(byProvider(list, "gitlab").path("lastSync").isNull()).as("no job yet").isTrue();
    }

    @Test
    void eachTenantReadsOnlyItsOwnRecords() {
        records(tenantA, "gitlab", "events", 3, "a");
        records(tenantB, "gitlab", "events", 2, "b");

        JsonNode a = ok(records(tenantA, "provider=gitlab&model=events"));
        JsonNode b = ok(records(tenantB, "provider=gitlab&model=events"));

        assertThat(a.path("records").findValuesAsText("owner")).hasSize(3).containsOnly("a");
        assertThat(b.path("records").findValuesAsText("owner")).hasSize(2).containsOnly("b");
        JsonNode first = a.path("records").get(0);
        assertThat(first.path("id").asText()).isEqualTo("r-0000");
        assertThat(first.path("data").path("n").asInt()).as("data is the payload, parsed").isZero();
        assertThat(first.path("updatedAt").asText()).isNotBlank();
        assertThat(a.path("nextCursor").isNull()).isTrue();
    }

    // ================================================================ paging

    @Test
    void oneHundredTwentyRecordsComeInThreePagesWithoutDuplicates() {
        records(tenantA, "gitlab", "events", 120, "a");
        List<String> seen = new ArrayList<>();
        List<Integer> sizes = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = ok(records(tenantA, "provider=gitlab&model=events&limit=50"
                    + (cursor == null ? "" : "&cursor=" + cursor)));
            sizes.add(page.path("records").size());
            seen.addAll(page.path("records").findValuesAsText("id"));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            assertThat(sizes).hasSizeLessThan(5);
        } while (cursor != null);

        assertThat(sizes).containsExactly(50, 50, 20);
        assertThat(seen).doesNotHaveDuplicates().hasSize(120)
                .containsExactlyElementsOf(IntStream.range(0, 120).mapToObj(i -> String.format("r-%04d", i)).toList());
    }

    @Test
    void aFullLastPageSaysSoInsteadOfPointingAtAnEmptyOne() {
        records(tenantA, "gitlab", "events", 100, "a");
        JsonNode first = ok(records(tenantA, "provider=gitlab&model=events&limit=50"));
        JsonNode second = ok(records(tenantA, "provider=gitlab&model=events&limit=50&cursor=" + first.path("nextCursor").asText()));
        assertThat(second.path("records")).hasSize(50);
        assertThat(second.path("nextCursor").isNull()).isTrue();
    }

    @Test
    void pagesThatDynamoDbCutsAtOneMegabyteStillContinueWhereTheyStopped() {
        String big = "y".repeat(300_000);
        h.services().recordStore().upsert(tenantA, "notion", "pages", "job-1", IntStream.range(0, 7)
                .mapToObj(i -> new SyncRecord("p-" + i, h.clock.instant(), "{\"body\":\"" + big + "\"}")).toList());
        List<String> seen = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            JsonNode page = ok(records(tenantA, "provider=notion&model=pages&limit=200" + (cursor == null ? "" : "&cursor=" + cursor)));
            seen.addAll(page.path("records").findValuesAsText("id"));
            cursor = page.path("nextCursor").isNull() ? null : page.path("nextCursor").asText();
            assertThat(++pages).isLessThan(10);
        } while (cursor != null);
        assertThat(seen).doesNotHaveDuplicates().containsExactly("p-0", "p-1", "p-2", "p-3", "p-4", "p-5", "p-6");
        System.out.println("7 records of 300 KB came in " + pages + " page(s)");
    }

    @Test
    void limitDefaultsTo50AndIsClampedTo200() {
        records(tenantA, "gitlab", "events", 230, "a");
        assertThat(ok(records(tenantA, "provider=gitlab&model=events")).path("records")).hasSize(50);
        JsonNode clamped = ok(records(tenantA, "provider=gitlab&model=events&limit=500"));
        assertThat(clamped.path("records")).hasSize(200);
        assertThat(clamped.path("nextCursor").isNull()).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=-1", "limit=abc", "limit=", "limit=1.5", "limit=99999999999"})
    void aLimitThatIsNotAPositiveIntegerIsInvalid(String limit) {
        assertInvalid(records(tenantA, "provider=gitlab&model=events&" + limit), "invalid_request");
    }

    @ParameterizedTest
    @ValueSource(strings = {"!!!", "AAAA", "bm90LWEtY3Vyc29y", "%25ZZ", "MTpkZWFkYmVlZjpyLTAwMDE", "_-_-", "%C3%A9"})
    void aGarbageCursorIsInvalidNeverAServerError(String cursor) {
        records(tenantA, "gitlab", "events", 3, "a");
        assertInvalid(records(tenantA, "provider=gitlab&model=events&cursor=" + cursor), "invalid_request");
        assertInvalid(records(tenantA, "provider=gitlab&model=events&cursor=" + "A".repeat(3000)), "invalid_request");
    }

    @Test
    void aBrokenPercentEscapeInTheRawQueryIsInvalid() {
        APIGatewayV2HTTPEvent event = ApiEvents.get("/records", "provider=gitlab&model=events",
                Map.of("tenant_id", tenantA), null);
        event.setRawQueryString("provider=gitlab&model=events&cursor=%ZZ");
        assertInvalid(handler.handleRequest(event, null), "invalid_request");
    }

    @Test
    void aCursorOnlyWorksForItsOwnTenantProviderAndModel() {
        records(tenantA, "gitlab", "events", 5, "a");
        records(tenantB, "gitlab", "events", 5, "b");
        records(tenantA, "gitlab", "projects", 5, "a");
        String cursor = ok(records(tenantA, "provider=gitlab&model=events&limit=2")).path("nextCursor").asText();

        assertThat(ok(records(tenantA, "provider=gitlab&model=events&limit=2&cursor=" + cursor))
                .path("records").findValuesAsText("id")).containsExactly("r-0002", "r-0003");
        assertInvalid(records(tenantB, "provider=gitlab&model=events&cursor=" + cursor), "invalid_request");
        assertInvalid(records(tenantA, "provider=gitlab&model=projects&cursor=" + cursor), "invalid_request");
        assertInvalid(records(tenantA, "provider=slack&model=events&cursor=" + cursor), "invalid_request");
    }

    @Test
    void providerAndModelAreRequiredAndPlain() {
        assertInvalid(records(tenantA, "model=events"), "invalid_request");
        assertInvalid(records(tenantA, "provider=gitlab"), "invalid_request");
        assertInvalid(records(tenantA, ""), "invalid_request");
        assertInvalid(records(tenantA, "provider=gitlab&model="), "invalid_request");
        assertInvalid(records(tenantA, "provider=gitlab&model=events&model=projects"), "invalid_request");
        assertInvalid(records(tenantA, "provider=gitlab&model=a%23b"), "invalid_request"); // '#' would reach another partition
        assertInvalid(records(tenantA, "provider=gitlab&model=" + "m".repeat(65)), "invalid_request");
        assertInvalid(records(tenantA, "provider=gitlab%23x&model=events"), "unknown_provider");
        assertInvalid(records(tenantA, "provider=nope&model=events"), "unknown_provider");
    }

    @Test
    void aPayloadTooLargeToStoreIsListedAsAMarker() {
        h.services().recordStore().upsert(tenantA, "notion", "pages", "job-1",
                List.of(new SyncRecord("big", h.clock.instant(), "{\"text\":\"" + "x".repeat(360_000) + "\"}")));
        JsonNode record = ok(records(tenantA, "provider=notion&model=pages")).path("records").get(0);
        assertThat(record.path("id").asText()).isEqualTo("big");
        assertThat(record.path("data").isNull()).isTrue();
        assertThat(record.path("payloadTooLarge").asBoolean()).isTrue();
    }

    // ================================================================ auth and routes

    @Test
    void withoutATenantClaimEveryRouteIsUnauthorized() {
        for (APIGatewayV2HTTPEvent event : List.of(
                ApiEvents.get("/connections", null, null, null),
                ApiEvents.get("/connections", null, Map.of("sub", "user-1"), null),
                ApiEvents.get("/connections", null, Map.of("tenant_id", " "), null),
                ApiEvents.route("/sync-jobs/{id}", Map.of("id", "job_1"), null, null),
                ApiEvents.get("/records", "provider=gitlab&model=events", null, null))) {
            APIGatewayV2HTTPResponse res = handler.handleRequest(event, null);
            assertThat(res.getStatusCode()).as(event.getRawPath()).isEqualTo(401);
            assertThat(parse(res).path("error").path("code").asText()).isEqualTo("unauthorized");
            assertNoStoreJson(res);
        }
    }

    @Test
    void theTenantClaimNameComesFromSettings() {
        ConnectionsApiHandler custom = new ConnectionsApiHandler(new Services(h.settings().with(Settings.TENANT_CLAIM, "org"),
                h.clock, ProviderHttp.defaults()));
        connect(tenantA, "slack");
        assertThat(custom.handleRequest(ApiEvents.get("/connections", null, Map.of("tenant_id", tenantA), null), null)
                .getStatusCode()).isEqualTo(401);
        assertThat(parseBody(custom.handleRequest(ApiEvents.get("/connections", null, Map.of("org", tenantA), null), null)
                .getBody()).path("connections")).hasSize(1);
    }

    @Test
    void unknownRoutesAreNotFound() {
        for (String path : List.of("/", "/connection", "/connections/slack", "/sync-jobs", "/sync-jobs/", "/sync-jobs/a/b",
                "/records/x", "/oauth/slack/authorize")) {
            APIGatewayV2HTTPResponse res = get(path, null, tenantA);
            assertThat(res.getStatusCode()).as(path).isEqualTo(404);
            assertThat(parse(res).path("error").path("code").asText()).isEqualTo("not_found");
            assertNoStoreJson(res);
        }
        APIGatewayV2HTTPEvent delete = ApiEvents.get("/connections", null, Map.of("tenant_id", tenantA), null);
        delete.getRequestContext().getHttp().setMethod("DELETE");
        assertThat(handler.handleRequest(delete, null).getStatusCode()).as("write side not built yet").isEqualTo(404);
        assertThat(handler.handleRequest(null, null).getStatusCode()).isEqualTo(401);
    }

    // ================================================================ helpers

    private void connect(String tenant, String provider) {
        String access = "at-" + UUID.randomUUID();
        String refresh = "rt-" + UUID.randomUUID();
        tokens.add(access);
        tokens.add(refresh);
        h.services().tokenStore().upsert(new Connection(tenant, provider, ConnectionStatus.active, access, refresh,
                "Bearer", List.of("read", "history"), h.clock.instant().plusSeconds(3600).truncatedTo(ChronoUnit.SECONDS),
                Map.of("team_id", "T-" + tenant), "user-" + tenant, null, null, 0));
    }

    private static void records(String tenant, String provider, String model, int count, String owner) {
        List<SyncRecord> records = IntStream.range(0, count).mapToObj(i -> new SyncRecord(String.format("r-%04d", i),
                h.clock.instant(), "{\"n\":" + i + ",\"owner\":\"" + owner + "\"}")).toList();
        h.services().recordStore().upsert(tenant, provider, model, "job-1", records);
    }

    private static APIGatewayV2HTTPResponse get(String path, String query, String tenant) {
        return handler.handleRequest(ApiEvents.get(path, query, Map.of("tenant_id", tenant, "sub", "user-1"), null), null);
    }

    private static APIGatewayV2HTTPResponse records(String tenant, String query) {
        return get("/records", query, tenant);
    }

    private static APIGatewayV2HTTPResponse job(String id, String tenant) {
        return handler.handleRequest(ApiEvents.route("/sync-jobs/{id}", Map.of("id", id), null,
                Map.of("tenant_id", tenant, "sub", "user-1")), null);
    }

    private static JsonNode ok(APIGatewayV2HTTPResponse res) {
        assertThat(res.getStatusCode()).as(res.getBody()).isEqualTo(200);
        assertNoStoreJson(res);
        return parse(res);
    }

    private static void assertInvalid(APIGatewayV2HTTPResponse res, String code) {
        assertThat(res.getStatusCode()).as(res.getBody()).isEqualTo(400);
        assertNoStoreJson(res);
        JsonNode error = parse(res).path("error");
        assertThat(error.path("code").asText()).isEqualTo(code);
        assertThat(error.path("message").asText()).isNotBlank().doesNotContain("Exception");
    }

    private static void assertNoStoreJson(APIGatewayV2HTTPResponse res) {
        assertThat(res.getHeaders()).containsEntry("Cache-Control", "no-store").containsEntry("Content-Type", "application/json");
    }

    private static JsonNode byProvider(JsonNode list, String provider) {
        for (JsonNode c : list) if (c.path("provider").asText().equals(provider)) return c;
        throw new AssertionError("no " + provider + " in " + list);
    }

    private static JsonNode parse(APIGatewayV2HTTPResponse res) {
        return parseBody(res.getBody());
    }

    private static JsonNode parseBody(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
