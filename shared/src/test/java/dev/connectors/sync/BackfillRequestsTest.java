package dev.connectors.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ConnectorException;
import dev.connectors.http.ProviderRequest;
import dev.connectors.providers.BackfillSpec;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackfillRequestsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BASE = "https://api.example.com/services/data/v62.0";

    private static BackfillSpec.Resource resource(String json) throws Exception {
        return JSON.readValue(json, BackfillSpec.Resource.class);
    }

    private static Map<String, String> window() {
        Map<String, String> v = new HashMap<>(BackfillRequests.windowValues(Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2025-04-01T00:00:00Z")));
        v.put("parent.id", "19:a#b/c@thread");
        return v;
    }

    @Test
    void relativeNextLinksResolveAgainstTheApiOriginAndOtherHostsAreRefused() {
        assertThat(BackfillRequests.sameOrigin(BASE, "/services/data/v62.0/query/01g-2000").toString())
                .isEqualTo("https://api.example.com/services/data/v62.0/query/01g-2000");
        assertThatThrownBy(() -> BackfillRequests.sameOrigin(BASE, "https://evil.example/steal")).isInstanceOf(ConnectorException.class);
        assertThatThrownBy(() -> BackfillRequests.sameOrigin(BASE, "//evil.example/steal")).isInstanceOf(ConnectorException.class);
    }

    @Test
    void parentValuesInThePathAreOneEncodedSegment() throws Exception {
        ProviderRequest r = BackfillRequests.build(resource("""
                {"model": "events", "parent": "calendars", "path": "/calendars/{parent.id}/events", "id": "id",
                 "query": {"timeMin": "{window_start}", "c": "{parent.id}"}}"""), BASE, window(), null);
        assertThat(r.uri().getRawPath()).isEqualTo("/services/data/v62.0/calendars/19:a%23b%2Fc@thread/events");
        assertThat(r.uri().getRawQuery()).contains("timeMin=2025-01-01T00%3A00%3A00Z").contains("c=19%3Aa%23b%2Fc%40thread");
    }

    @Test
    void aReservedParentPlaceholderKeepsTheValuesSlashesAndEncodesEachSegment() throws Exception {
        Map<String, String> v = window();
        v.put("parent.id", "spaces/AAA Q");
        ProviderRequest r = BackfillRequests.build(resource("""
                {"model": "messages", "parent": "spaces", "path": "/{+parent.id}/messages", "id": "name",
                 "query": {"filter": "createTime > \\"{window_start}\\" AND createTime < \\"{window_end}\\""}}"""), "https://chat.googleapis.com/v1", v, null);
        assertThat(r.uri().getRawPath()).isEqualTo("/v1/spaces/AAA%20Q/messages");
        assertThat(java.net.URLDecoder.decode(r.uri().getRawQuery(), StandardCharsets.UTF_8))
                .isEqualTo("filter=createTime > \"2025-01-01T00:00:00Z\" AND createTime < \"2025-04-01T00:00:00Z\"");
        for (String escape : new String[] {"spaces/../admin", "spaces//x", "/spaces/x", "spaces/."}) {
            v.put("parent.id", escape);
            assertThatThrownBy(() -> BackfillRequests.build(resource("""
                    {"model": "m", "parent": "p", "path": "/{+parent.id}/messages", "id": "id"}"""), BASE, v, null))
                    .as(escape).isInstanceOf(IllegalArgumentException.class);
        }
    }

    @Test
    void aContinuePathAndBodyTakeOverOnceThereIsACursor() throws Exception {
        BackfillSpec.Resource res = resource("""
                {"model": "files", "method": "POST", "path": "/files/list_folder", "id": "id",
                 "body": {"path": "", "recursive": true, "limit": 2000},
                 "paginator": {"type": "cursor", "cursorPath": "cursor", "param": "cursor", "hasMorePath": "has_more",
                               "continuePath": "/files/list_folder/continue", "continueBody": {"cursor": "{cursor}"}}}""");
        ProviderRequest first = BackfillRequests.build(res, "https://api.dropboxapi.com/2", window(), null);
        ProviderRequest next = BackfillRequests.build(res, "https://api.dropboxapi.com/2", window(), "AAE-cursor/1");
        assertThat(first.uri().getRawPath()).isEqualTo("/2/files/list_folder");
        assertThat(JSON.readTree(new String(first.body(), StandardCharsets.UTF_8))).isEqualTo(JSON.readTree("{\"path\":\"\",\"recursive\":true,\"limit\":2000}"));
        assertThat(next.uri().toString()).isEqualTo("https://api.dropboxapi.com/2/files/list_folder/continue");
        assertThat(JSON.readTree(new String(next.body(), StandardCharsets.UTF_8))).isEqualTo(JSON.readTree("{\"cursor\":\"AAE-cursor/1\"}"));
    }

    @Test
    void aParentValueIsNeverReadAsATemplate() throws Exception {
        Map<String, String> v = window();
        v.put("parent.id", "{window_start}");
        ProviderRequest r = BackfillRequests.build(resource("""
                {"model": "m", "parent": "p", "path": "/x/{parent.id}", "id": "id"}"""), BASE, v, null);
        assertThat(r.uri().getRawPath()).endsWith("/x/%7Bwindow_start%7D");
    }

    @Test
    void epochMillisOffsetAsANumberSecretsAndTheTokenFieldInTheBody() throws Exception {
        BackfillSpec.Resource res = resource("""
                {"model": "t", "method": "POST", "path": "/transactions/get", "id": "id",
                 "body": {"secret": "{client_secret}", "from": "{window_start_epoch_ms}", "options": {"offset": "{offset}", "count": 500}},
                 "paginator": {"type": "offset", "pageSize": 500}}""");
        ProviderRequest first = BackfillRequests.build(res, BASE, window(), Map.of("client_secret", "s3cr3t"), Map.of("access_token", "tok"), null);
        String body = new String(first.body(), StandardCharsets.UTF_8);
        assertThat(JSON.readTree(body).path("options").path("offset").isNumber()).isTrue();
        assertThat(body).contains("\"offset\":0").contains("\"secret\":\"s3cr3t\"").contains("\"access_token\":\"tok\"")
                .contains("\"from\":\"1735689600000\"");
        assertThat(first.uri().toString()).doesNotContain("s3cr3t");
        String next = new String(BackfillRequests.build(res, BASE, window(), Map.of("client_secret", "s3cr3t"), Map.of(), "500").body(), StandardCharsets.UTF_8);
        assertThat(next).contains("\"offset\":500");
    }

    @Test
    void theClientSecretFillsBodiesOnlyNeverAUrl() throws Exception {
        BackfillSpec.Resource res = resource("""
                {"model": "t", "path": "/x", "id": "id", "query": {"k": "{client_secret}"}}""");
        assertThatThrownBy(() -> BackfillRequests.build(res, BASE, window(), Map.of("client_secret", "s3cr3t"), Map.of(), null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageNotContaining("s3cr3t");
    }

    @Test
    void offsetAndLastIdParamsGoIntoTheQuery() throws Exception {
        ProviderRequest offset = BackfillRequests.build(resource("""
                {"model": "c", "path": "/campaigns", "id": "id", "query": {"count": "100"},
                 "paginator": {"type": "offset", "param": "offset", "pageSize": 100}}"""), BASE, window(), "200");
        assertThat(offset.uri().getRawQuery()).isEqualTo("count=100&offset=200");
        BackfillSpec.Resource lastId = resource("""
                {"model": "c", "path": "/charges", "id": "id", "paginator": {"type": "last_id", "param": "starting_after", "hasMorePath": "has_more"}}""");
        assertThat(BackfillRequests.build(lastId, BASE, window(), null).uri().getRawQuery()).isNull();
        assertThat(BackfillRequests.build(lastId, BASE, window(), "ch_9").uri().getRawQuery()).isEqualTo("starting_after=ch_9");
    }

    @Test
    void quotaHeadersDelayOnlyWhenExhausted() {
        BackfillSpec.RateLimit seconds = new BackfillSpec.RateLimit("X-RateLimit-Remaining", "X-RateLimit-Reset", false);
        BackfillSpec.RateLimit epoch = new BackfillSpec.RateLimit("RateLimit-Remaining", "RateLimit-Reset", true);
        assertThat(BackfillRunner.quotaExhausted(seconds, response(Map.of("X-RateLimit-Remaining", "3", "X-RateLimit-Reset", "40")))).isEmpty();
        assertThat(BackfillRunner.quotaExhausted(seconds, response(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "40"))).getAsInt()).isEqualTo(40);
        assertThat(BackfillRunner.quotaExhausted(seconds, response(Map.of("X-RateLimit-Remaining", "0"))).getAsInt()).isEqualTo(60);
        long at = Instant.now().getEpochSecond() + 120;
        assertThat(BackfillRunner.quotaExhausted(epoch, response(Map.of("RateLimit-Remaining", "0", "RateLimit-Reset", Long.toString(at)))).getAsInt())
                .isBetween(115, 121);
        assertThat(BackfillRunner.quotaExhausted(seconds, response(Map.of("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "86400"))).getAsInt())
                .isEqualTo(JobQueue.MAX_DELAY_SECONDS);
        assertThat(BackfillRunner.quotaExhausted(null, response(Map.of("X-RateLimit-Remaining", "0")))).isEmpty();
    }

    @Test
    void rateLimitErrorsAreFoundAtAnyDepthAndOnlyForTheirValues() throws Exception {
        BackfillSpec.RateLimitErrors google = new BackfillSpec.RateLimitErrors("reason", java.util.List.of("rateLimitExceeded", "userRateLimitExceeded"));
        BackfillSpec.RateLimitErrors salesforce = new BackfillSpec.RateLimitErrors("errorCode", java.util.List.of("REQUEST_LIMIT_EXCEEDED"));
        assertThat(google.in(JSON.readTree("""
                {"error": {"errors": [{"domain": "usageLimits", "reason": "userRateLimitExceeded", "message": "User Rate Limit Exceeded"}],
                 "code": 403, "message": "User Rate Limit Exceeded"}}"""))).isEqualTo("userRateLimitExceeded");
        assertThat(google.in(JSON.readTree("""
                {"error": {"errors": [{"domain": "global", "reason": "insufficientPermissions", "message": "Insufficient Permission"}], "code": 403}}""")))
                .isNull();
        assertThat(salesforce.in(JSON.readTree("""
                [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]"""))).isEqualTo("REQUEST_LIMIT_EXCEEDED");
        assertThat(salesforce.in(JSON.readTree("""
                [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]"""))).isNull();
        assertThat(salesforce.in(JSON.readTree("""
                {"errorCode": {"nested": "REQUEST_LIMIT_EXCEEDED"}}"""))).as("a value, not an object").isNull();
    }

    @Test
    void anUnknownTokenPlacementIsRejectedWhenTheEntryLoads() {
        assertThatThrownBy(() -> new BackfillSpec(java.util.List.of(), null, null, null, "cookie", null))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(new BackfillSpec(java.util.List.of(), null, null, null).auth()).isEqualTo("bearer");
    }

    private static dev.connectors.http.ProviderResponse response(Map<String, String> headers) {
        Map<String, java.util.List<String>> h = new HashMap<>();
        headers.forEach((k, v) -> h.put(k, java.util.List.of(v)));
        return new dev.connectors.http.ProviderResponse(200, h, new dev.connectors.http.ClassifiedBody(dev.connectors.http.BodyKind.JSON, JSON.createObjectNode(), null, "{}", null));
    }

    @Test
    void updatedAtFormatsProvidersActuallySend() {
        Instant t = Instant.parse("2025-01-02T03:04:05Z");
        assertThat(BackfillRunner.parseTime("2025-01-02T03:04:05.000+0000", BackfillSpec.TimeFormat.iso)).isEqualTo(t);
        assertThat(BackfillRunner.parseTime("2025-01-02T04:04:05+0100", BackfillSpec.TimeFormat.iso)).isEqualTo(t);
        assertThat(BackfillRunner.parseTime("2025-01-02T03:04:05Z", BackfillSpec.TimeFormat.iso)).isEqualTo(t);
        assertThat(BackfillRunner.parseTime("/Date(" + t.toEpochMilli() + "+0000)/", BackfillSpec.TimeFormat.iso)).isEqualTo(t);
        assertThat(BackfillRunner.parseTime("2025-01-02", BackfillSpec.TimeFormat.iso)).isEqualTo(Instant.parse("2025-01-02T00:00:00Z"));
        assertThat(BackfillRunner.parseTime("not a date", BackfillSpec.TimeFormat.iso)).isNull();
    }
}
