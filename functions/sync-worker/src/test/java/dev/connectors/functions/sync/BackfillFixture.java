package dev.connectors.functions.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.WireMock;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;

/**
 * One provider's backfill fixture, {@code backfill/<id>.json}: the history API's pages in the
 * provider's documented shape, each with the request it answers (absolute WireMock path, query
 * parameters — null means "absent", {"contains": "..."} / {"matches": "regex"} for values built from the
 * window — and body fragments), plus the connection's metadata and
 * settings, an empty-window answer, and the records each model must end with.
 * {@code {wiremock}} in any string is the stub server's base URL; {@code {days_ago:N}} is an
 * ISO-8601 instant N days before now and {@code {epoch_days_ago:N}} the same in epoch seconds (a quoted
 * {@code "{epoch_num_days_ago:N}"} as a JSON number), {@code {epoch_ms_days_ago:N}} in epoch millis,
 * {@code {date_days_ago:N}} as a date and {@code {compact_days_ago:N}} with a {@code +0000} offset, so
 * fixtures stay inside (or outside) the window whenever they run. Optional: {@code refused} (how the API refuses a
 * parent it will not let the connection read, and what is stored then) and {@code rateLimited} (the API's rate-limit
 * answer, e.g. a 403 naming the limit).
 */
record BackfillFixture(String provider, JsonNode json, String wiremock) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static BackfillFixture of(String provider, String wiremockBase) {
        try (InputStream in = BackfillFixture.class.getResourceAsStream("/backfill/" + provider + ".json")) {
            if (in == null) throw new IllegalStateException("no backfill fixture: add backfill/" + provider + ".json");
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("{wiremock}", wiremockBase);
            return new BackfillFixture(provider, JSON.readTree(relativeDates(text)), wiremockBase);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String relativeDates(String text) {
        java.time.Instant now = java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        // a quoted "{epoch_num_days_ago:N}" becomes a JSON number (Stripe's created)
        java.util.regex.Matcher m = java.util.regex.Pattern
                .compile("\"\\{epoch_num_days_ago:(\\d+)}\"|\\{(epoch_|epoch_ms_|date_|compact_)?days_ago:(\\d+)}").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String n = m.group(1) != null ? m.group(1) : m.group(3);
            java.time.Instant at = now.minus(java.time.Duration.ofDays(Long.parseLong(n)));
            String kind = m.group(1) != null ? "epoch_" : m.group(2) == null ? "" : m.group(2);
            String value = switch (kind) {
                case "epoch_" -> Long.toString(at.getEpochSecond());
                case "epoch_ms_" -> Long.toString(at.toEpochMilli());
                case "date_" -> at.atZone(java.time.ZoneOffset.UTC).toLocalDate().toString();
                // Salesforce's "2025-01-02T03:04:05.000+0000"
                case "compact_" -> java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSxx").format(at.atOffset(java.time.ZoneOffset.UTC));
                default -> at.toString();
            };
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    static boolean exists(String provider) {
        return BackfillFixture.class.getResource("/backfill/" + provider + ".json") != null;
    }

    Map<String, String> strings(String field) {
        Map<String, String> out = new HashMap<>();
        json.path(field).fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    int pageCount() {
        return json.path("pages").size();
    }

    /** Whether a 401 can be cured by a refresh (false for providers without refresh tokens). */
    boolean refreshes() {
        return json.path("refreshes").asBoolean(true);
    }

    String outcome() {
        return json.path("expect").path("outcome").asText("complete");
    }

    Map<String, Integer> expectedRecords() {
        Map<String, Integer> out = new HashMap<>();
        json.path("expect").path("records").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    String firstModel() {
        return json.path("pages").path(0).path("model").asText();
    }

    /** The request matcher of page {@code i}. */
    MappingBuilder request(int i) {
        JsonNode r = json.path("pages").path(i).path("request");
        MappingBuilder m = WireMock.request(r.path("method").asText("GET"), urlPathEqualTo(r.path("path").asText()));
        r.path("query").fields().forEachRemaining(q -> m.withQueryParam(q.getKey(), q.getValue().isNull() ? absent()
                : q.getValue().has("matches") ? matching(q.getValue().path("matches").asText())
                : q.getValue().has("contains") ? containing(q.getValue().path("contains").asText())
                : equalTo(q.getValue().asText())));
        for (JsonNode fragment : r.path("bodyContains")) m.withRequestBody(containing(fragment.asText()));
        for (JsonNode fragment : r.path("bodyLacks")) m.withRequestBody(notContaining(fragment.asText()));
        r.path("headers").fields().forEachRemaining(h -> m.withHeader(h.getKey(), equalTo(h.getValue().asText())));
        return m;
    }

    ResponseDefinitionBuilder response(int i) {
        return response(json.path("pages").path(i).path("response"));
    }

    ResponseDefinitionBuilder emptyResponse() {
        return response(json.path("empty"));
    }

    /** Whether the fixture shows how the API refuses a parent ({@code refused}: {@code pages}, {@code response}, {@code expect}). */
    boolean refusesParents() {
        return json.has("refused");
    }

    /** The pages answered with the refusal instead (the first page of each refused parent; later ones are never asked). */
    java.util.Set<Integer> refusedPages() {
        java.util.Set<Integer> out = new java.util.HashSet<>();
        json.path("refused").path("pages").forEach(p -> out.add(p.asInt()));
        return out;
    }

    ResponseDefinitionBuilder refusedResponse() {
        return response(json.path("refused").path("response"));
    }

    Map<String, Integer> recordsWhenRefused() {
        Map<String, Integer> out = new HashMap<>();
        json.path("refused").path("expect").path("records").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asInt()));
        return out;
    }

    /** Whether the fixture shows the API's rate-limit answer that is not (only) HTTP 429 ({@code rateLimited}). */
    boolean reportsRateLimits() {
        return json.has("rateLimited");
    }

    ResponseDefinitionBuilder rateLimitedResponse() {
        return response(json.path("rateLimited"));
    }

    /** The same answer as HTTP 403 with {@code value} (the rate-limit reason) replaced: a refusal, not a rate limit. */
    ResponseDefinitionBuilder forbiddenLike(String value) {
        JsonNode limited = json.path("rateLimited");
        String body = limited.path("body").toString();
        if (!body.contains("\"" + value + "\"")) throw new IllegalStateException(provider + ": rateLimited body does not name " + value);
        return aResponse().withStatus(403).withHeader("Content-Type", "application/json")
                .withBody(body.replace("\"" + value + "\"", "\"insufficientPermissions\""));
    }

    private static ResponseDefinitionBuilder response(JsonNode r) {
        ResponseDefinitionBuilder b = aResponse().withStatus(r.path("status").asInt(200))
                .withHeader("Content-Type", "application/json");
        r.path("headers").fields().forEachRemaining(h -> b.withHeader(h.getKey(), h.getValue().asText()));
        JsonNode body = repeated(r.path("body"));
        return b.withBody(body.isTextual() ? body.asText() : body.toString());
    }

    /**
     * {@code {"$repeat": n, "item": {...}}} is a top-level array of n copies of item with {@code {i}} in it replaced
     * by 1..n: a full page of a paged API (SendGrid's 500 bounces) without 500 hand-written records.
     */
    private static JsonNode repeated(JsonNode body) {
        if (!body.isObject() || !body.has("$repeat")) return body;
        com.fasterxml.jackson.databind.node.ArrayNode out = JSON.createArrayNode();
        String item = body.path("item").toString();
        try {
            for (int i = 1; i <= body.path("$repeat").asInt(); i++) out.add(JSON.readTree(item.replace("{i}", Integer.toString(i))));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    List<String> models() {
        List<String> models = new ArrayList<>();
        json.path("pages").forEach(p -> {
            if (!models.contains(p.path("model").asText())) models.add(p.path("model").asText());
        });
        return models;
    }
}
