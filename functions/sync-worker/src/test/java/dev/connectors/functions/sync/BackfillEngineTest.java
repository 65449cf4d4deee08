package dev.connectors.functions.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.sync.SyncRecord;
import dev.connectors.testing.StandIns;
import dev.connectors.testing.WireMockStandIn;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Engine features of the backfill vocabulary, each on a spec written here (no provider's entry): two-level
 * fan-out with parent payload fields, relative next links, last-id and offset paging, token placement,
 * header placeholders, quota headers, API-key connections without a provider secret, and oversized payloads.
 * Every spec runs as the "generic" provider against WireMock paths under /engine-&lt;test&gt;/.
 */
class BackfillEngineTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The generic entry with its backfill (and optionally other fields) replaced. */
    private static ProviderSpec spec(WorkerFixture f, String backfillJson, Map<String, Object> overrides) {
        try {
            ObjectNode entry = (ObjectNode) JSON.readTree(JSON.writeValueAsString(f.h.rebased("generic")));
            entry.set("backfill", JSON.readTree(backfillJson));
            overrides.forEach((k, v) -> entry.set(k, JSON.valueToTree(v)));
            return JSON.treeToValue(entry, ProviderSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A connected generic tenant whose API base is {wiremock}/{base}. */
    private static WorkerFixture fixture(String base, String backfillJson, Map<String, Object> overrides, Map<String, String> metadata) {
        WorkerFixture f = WorkerFixture.generic();
        String api = f.h.wiremock.baseUrl() + "/" + base;
        f.h.providerSecret("generic", Map.of("authorize_url", api + "/authorize", "token_url", api + "/token", "api_base_url", api));
        ProviderSpec s = spec(f, backfillJson, overrides);
        f.specs = id -> s;
        return f.connect("tok-engine", null, null, metadata);
    }

    private static List<String> storedIds(WorkerFixture f, String model) {
        List<String> ids = new ArrayList<>();
        StandIns.dynamo().queryPaginator(r -> r.tableName(f.h.resources.tableName("RecordsTable"))
                        .keyConditionExpression("pk = :pk").projectionExpression("record_id")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(f.tenant + "#generic#" + model))))
                .items().forEach(item -> ids.add(item.get("record_id").s()));
        return ids;
    }

    private static SyncJob runToEnd(WorkerFixture f) {
        f.deliver(TestContext.plenty());
        return f.reload();
    }

    @Test
    void twoLevelFanOutFillsParentPayloadFieldsAndTheGrandparentId() {
        String backfill = """
                {"resources": [
                  {"model": "teams", "path": "/me/teams", "records": "value", "id": "id"},
                  {"model": "channels", "parent": "teams", "path": "/teams/{parent.id}/channels", "records": "value", "id": "id"},
                  {"model": "messages", "parent": "channels", "path": "/teams/{grandparent.id}/channels/{parent.id}/messages",
                   "query": {"kind": "{parent.membershipType}", "since": "{window_start_date}"},
                   "records": "value", "id": "id", "updatedAt": "lastModifiedDateTime"}
                ]}""";
        WorkerFixture f = fixture("engine-fanout", backfill, Map.of(), Map.of());
        var wm = f.h.wiremock;
        String recent = Instant.now().minusSeconds(86_400).toString();
        wm.stubFor(get(urlPathEqualTo("/engine-fanout/me/teams")).willReturn(okJson("{\"value\":[{\"id\":\"T1\"},{\"id\":\"T2\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/engine-fanout/teams/T1/channels")).willReturn(okJson(
                "{\"value\":[{\"id\":\"19:general@thread.tacv2\",\"membershipType\":\"standard\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/engine-fanout/teams/T2/channels")).willReturn(okJson(
                "{\"value\":[{\"id\":\"19:secret@thread.tacv2\",\"membershipType\":\"private\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/engine-fanout/teams/T1/channels/19:general@thread.tacv2/messages"))
                .withQueryParam("kind", equalTo("standard")).willReturn(okJson(
                        "{\"value\":[{\"id\":\"m1\",\"lastModifiedDateTime\":\"" + recent + "\"},{\"id\":\"m2\",\"lastModifiedDateTime\":\"" + recent + "\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/engine-fanout/teams/T2/channels/19:secret@thread.tacv2/messages"))
                .withQueryParam("kind", equalTo("private")).willReturn(okJson(
                        "{\"value\":[{\"id\":\"m1\",\"lastModifiedDateTime\":\"" + recent + "\"}]}")));

        SyncJob job = runToEnd(f);

        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(storedIds(f, "channels")).containsExactly("T1:19:general@thread.tacv2", "T2:19:secret@thread.tacv2");
        assertThat(storedIds(f, "messages")).containsExactlyInAnyOrder(
                "T1:19:general@thread.tacv2:m1", "T1:19:general@thread.tacv2:m2", "T2:19:secret@thread.tacv2:m1");
    }

    @Test
    void aDetailCallPerParentStoresOneRecordUnderItsOwnId() {
        String backfill = """
                {"resources": [
                  {"model": "message_ids", "path": "/messages", "query": {"q": "after:{window_start_epoch}"}, "records": "messages", "id": "id"},
                  {"model": "messages", "parent": "message_ids", "path": "/messages/{parent.id}", "query": {"format": "metadata"},
                   "records": "", "id": "id", "updatedAt": "internalDate", "updatedAtFormat": "epoch_millis",
                   "singleRecord": true, "ownId": true}
                ]}""";
        WorkerFixture f = fixture("engine-detail", backfill, Map.of(), Map.of());
        var wm = f.h.wiremock;
        long ms = Instant.now().minusSeconds(3600).toEpochMilli();
        wm.stubFor(get(urlPathEqualTo("/engine-detail/messages")).willReturn(okJson("{\"messages\":[{\"id\":\"a1\"},{\"id\":\"b/2\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/engine-detail/messages/a1")).willReturn(okJson("{\"id\":\"a1\",\"internalDate\":\"" + ms + "\"}")));
        wm.stubFor(get(urlEqualTo("/engine-detail/messages/b%2F2?format=metadata")).willReturn(okJson("{\"id\":\"b/2\",\"internalDate\":\"" + ms + "\"}")));

        SyncJob job = runToEnd(f);

        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(storedIds(f, "messages")).containsExactly("a1", "b/2"); // the parent's id, encoded as one path segment
    }

    @Test
    void aRelativeNextLinkIsFollowedOnTheApiOrigin() {
        String backfill = """
                {"resources": [{"model": "records", "path": "/query", "query": {"q": "SELECT Id FROM X WHERE T >= {window_start}"},
                  "records": "records", "id": "Id", "paginator": {"type": "next_url", "cursorPath": "nextRecordsUrl"}}]}""";
        WorkerFixture f = fixture("engine-relative", backfill, Map.of(), Map.of());
        var wm = f.h.wiremock;
        wm.stubFor(get(urlPathEqualTo("/engine-relative/query")).willReturn(okJson(
                "{\"done\":false,\"nextRecordsUrl\":\"/engine-relative/query/01g-2\",\"records\":[{\"Id\":\"r1\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/engine-relative/query/01g-2")).willReturn(okJson("{\"done\":true,\"records\":[{\"Id\":\"r2\"}]}")));

        SyncJob job = runToEnd(f);

        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(storedIds(f, "records")).containsExactly("r1", "r2");
    }

    @Test
    void lastIdPagingSendsTheLastRecordIdWhileHasMore() {
        String backfill = """
                {"resources": [{"model": "charges", "path": "/charges", "query": {"created[gte]": "{window_start_epoch}", "limit": "2"},
                  "records": "data", "id": "id", "paginator": {"type": "last_id", "param": "starting_after", "hasMorePath": "has_more"}}]}""";
        WorkerFixture f = fixture("engine-lastid", backfill, Map.of(), Map.of());
        var wm = f.h.wiremock;
        wm.stubFor(get(urlPathEqualTo("/engine-lastid/charges")).withQueryParam("starting_after", absent())
                .willReturn(okJson("{\"object\":\"list\",\"data\":[{\"id\":\"ch_1\"},{\"id\":\"ch_2\"}],\"has_more\":true}")));
        wm.stubFor(get(urlPathEqualTo("/engine-lastid/charges")).withQueryParam("starting_after", equalTo("ch_2"))
                .willReturn(okJson("{\"object\":\"list\",\"data\":[{\"id\":\"ch_3\"}],\"has_more\":false}")));

        SyncJob job = runToEnd(f);

        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(storedIds(f, "charges")).containsExactly("ch_1", "ch_2", "ch_3");
        assertThat(job.pages()).isEqualTo(2);
    }

    @Test
    void offsetPagingFillsTheOffsetInsideAQueryUntilAShortPage() {
        String backfill = """
                {"resources": [{"model": "invoices", "path": "/query",
                  "query": {"query": "SELECT * FROM Invoice STARTPOSITION {offset} MAXRESULTS 2"},
                  "records": "QueryResponse.Invoice", "id": "Id", "paginator": {"type": "offset", "start": 1, "pageSize": 2}}]}""";
        WorkerFixture f = fixture("engine-offset", backfill, Map.of(), Map.of());
        var wm = f.h.wiremock;
        for (int[] page : new int[][]{{1, 2}, {3, 2}, {5, 1}}) {
            StringBuilder items = new StringBuilder();
            for (int i = 0; i < page[1]; i++) items.append(i == 0 ? "" : ",").append("{\"Id\":\"").append(page[0] + i).append("\"}");
            wm.stubFor(get(urlPathEqualTo("/engine-offset/query"))
                    .withQueryParam("query", equalTo("SELECT * FROM Invoice STARTPOSITION " + page[0] + " MAXRESULTS 2"))
                    .willReturn(okJson("{\"QueryResponse\":{\"Invoice\":[" + items + "]}}")));
        }

        SyncJob job = runToEnd(f);

        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(storedIds(f, "invoices")).containsExactly("1", "2", "3", "4", "5");
        assertThat(job.pages()).isEqualTo(3);
    }

    @Test
    void aBodyFieldTokenAndClientSecretTravelInTheBodyOnlyAndNeverReachTheJobsError() {
        String backfill = """
                {"auth": "body_field:access_token",
                 "resources": [{"model": "transactions", "method": "POST", "path": "/transactions/get",
                  "body": {"client_id": "{client_id}", "secret": "{client_secret}", "start_date": "{window_start_date}",
                           "options": {"count": 2, "offset": "{offset}"}},
                  "records": "transactions", "id": "transaction_id", "paginator": {"type": "offset", "pageSize": 2}}]}""";
        WorkerFixture f = fixture("engine-body", backfill, Map.of(), Map.of());
        var wm = f.h.wiremock;
        String secret = dev.connectors.testkit.Harness.clientSecret("generic");
        wm.stubFor(post(urlPathEqualTo("/engine-body/transactions/get"))
                .withRequestBody(matchingJsonPath("$.access_token", equalTo("tok-engine")))
                .withRequestBody(matchingJsonPath("$.secret", equalTo(secret)))
                .withRequestBody(matchingJsonPath("$.client_id", equalTo("generic-client-id")))
                .withRequestBody(matchingJsonPath("$.options.offset", equalTo("0")))
                .withRequestBody(containing("\"offset\":0"))
                .willReturn(okJson("{\"transactions\":[{\"transaction_id\":\"t1\"},{\"transaction_id\":\"t2\"}],\"total_transactions\":3}")));
        // the provider echoes the request (some do): the job's error must not carry the secret or the token
        wm.stubFor(post(urlPathEqualTo("/engine-body/transactions/get")).withRequestBody(containing("\"offset\":2"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error_code\":\"INVALID_INPUT\",\"error_description\":\"bad secret " + secret + " for tok-engine\"}")));

        SyncJob job = runToEnd(f);

        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.lastError()).isNotNull().doesNotContain(secret).doesNotContain("tok-engine");
        assertThat(storedIds(f, "transactions")).containsExactly("t1", "t2");
        List<LoggedRequest> sent = RequestLog.from(wm).all();
        assertThat(wm.findAll(postRequestedFor(urlPathEqualTo("/engine-body/transactions/get"))))
                .allSatisfy(r -> assertThat(r.getHeader("Authorization")).isNull());
        assertThat(sent).noneMatch(r -> r.getUrl().contains(secret));
    }

    @Test
    void headerPlaceholdersAndATokenHeaderOtherThanBearer() {
        String backfill = """
                {"auth": "header:X-Api-Token",
                 "resources": [{"model": "invoices", "path": "/Invoices", "headers": {"If-Modified-Since": "{window_start}"},
                  "records": "Invoices", "id": "InvoiceID", "paginator": {"type": "page", "param": "page", "pageSize": 2}}]}""";
        WorkerFixture f = fixture("engine-headers", backfill, Map.of("apiHeaders", Map.of("x-tenant-id", "{tenant_id}")),
                Map.of("tenant_id", "tenant-guid-1"));
        var wm = f.h.wiremock;
        wm.stubFor(get(urlPathEqualTo("/engine-headers/Invoices")).withQueryParam("page", equalTo("1"))
                .withHeader("x-tenant-id", equalTo("tenant-guid-1")).withHeader("X-Api-Token", equalTo("tok-engine"))
                .withHeader("If-Modified-Since", matching("\\d{4}-\\d\\d-\\d\\dT.*Z")).withHeader("Authorization", absent())
                .willReturn(okJson("{\"Invoices\":[{\"InvoiceID\":\"i1\"},{\"InvoiceID\":\"i2\"}]}")));
        wm.stubFor(get(urlPathEqualTo("/engine-headers/Invoices")).withQueryParam("page", equalTo("2"))
                .withHeader("x-tenant-id", equalTo("tenant-guid-1"))
                .willReturn(okJson("{\"Invoices\":[{\"InvoiceID\":\"i3\"}]}")));

        SyncJob job = runToEnd(f);

        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(storedIds(f, "invoices")).containsExactly("i1", "i2", "i3");
        assertThat(job.pages()).isEqualTo(2); // the short page ended it: no request for an empty page 3
    }

    @Test
    void anExhaustedQuotaHeaderDelaysTheNextPageThroughTheQueue() {
        String backfill = """
                {"rateLimit": {"remainingHeader": "X-RateLimit-Remaining", "resetHeader": "X-RateLimit-Reset"},
                 "resources": [{"model": "records", "path": "/records", "query": {"cursor": "{cursor}"},
                  "records": "records", "id": "id", "paginator": {"type": "cursor", "cursorPath": "next", "param": "cursor"}}]}""";
        WorkerFixture f = fixture("engine-quota", backfill, Map.of(), Map.of());
        var wm = f.h.wiremock;
        wm.stubFor(get(urlPathEqualTo("/engine-quota/records")).withQueryParam("cursor", absent())
                .willReturn(okJson("{\"records\":[{\"id\":\"a\"}],\"next\":\"c2\"}")
                        .withHeader("X-RateLimit-Remaining", "0").withHeader("X-RateLimit-Reset", "42")));
        wm.stubFor(get(urlPathEqualTo("/engine-quota/records")).withQueryParam("cursor", equalTo("c2"))
                .willReturn(okJson("{\"records\":[{\"id\":\"b\"}]}")));

        SyncJob job = runToEnd(f);

        assertThat(job.status()).isEqualTo(JobStatus.running);
        assertThat(job.attempts()).isZero();
        assertThat(job.checkpoint().cursor()).isEqualTo("c2");
        assertThat(storedIds(f, "records")).containsExactly("a");
        assertThat(f.queueDepth("ApproximateNumberOfMessagesDelayed")).isEqualTo(1);
        wm.verify(0, getRequestedFor(urlPathEqualTo("/engine-quota/records")).withQueryParam("cursor", equalTo("c2")));
    }

    @Test
    void anApiKeyConnectionNeedsNoProviderSecret() {
        String backfill = """
                {"resources": [{"model": "records", "path": "/records", "records": "records", "id": "id"}]}""";
        WorkerFixture f = WorkerFixture.generic();
        String api = f.h.wiremock.baseUrl() + "/engine-apikey";
        ProviderSpec s = spec(f, backfill, Map.of("authType", "api_key", "apiBaseUrl", api));
        f.specs = id -> s;
        WireMockStandIn.stubSecretNotFound(f.h.wiremock, f.h.secretId("generic"));
        f.connect("sk_test_key", null, null, Map.of());
        f.h.wiremock.stubFor(get(urlPathEqualTo("/engine-apikey/records")).withHeader("Authorization", equalTo("Bearer sk_test_key"))
                .willReturn(okJson("{\"records\":[{\"id\":\"k1\"}]}")));

        SyncJob job = runToEnd(f);

        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(storedIds(f, "records")).containsExactly("k1");
    }

    @Test
    void aPayloadOverTheItemLimitKeepsItsIdAndUpdatedAtVisiblyFlagged() {
        WorkerFixture f = WorkerFixture.generic();
        Instant updated = Instant.parse("2025-01-02T03:04:05Z");
        String huge = "{\"id\":\"big\",\"body\":\"" + "x".repeat(400_000) + "\"}";
        f.services().recordStore().upsert(f.tenant, "generic", "records", "job-1",
                List.of(new SyncRecord("big", updated, huge), new SyncRecord("small", updated, "{\"id\":\"small\"}")));

        Map<String, AttributeValue> item = f.services().recordStore().get(f.tenant, "generic", "records", "big").orElseThrow();
        assertThat(item.get("record_id").s()).isEqualTo("big");
        assertThat(item).containsKey("updated_at");
        assertThat(item.get("payload_too_large").bool()).isTrue();
        assertThat(item).doesNotContainKey("payload");
        var page = f.services().recordStore().page(f.tenant, "generic", "records", null, 10);
        assertThat(page.records()).extracting(SyncRecord::id).containsExactly("big", "small");
        assertThat(page.records().get(0).updatedAt()).isEqualTo(updated);
        assertThat(page.records().get(0).payload()).isNull();
    }
}
