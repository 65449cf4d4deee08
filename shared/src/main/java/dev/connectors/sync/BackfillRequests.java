package dev.connectors.sync;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderRequest;
import dev.connectors.providers.BackfillSpec;
import dev.connectors.providers.Placeholders;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/** Builds the HTTP request for one page of a declared resource. */
final class BackfillRequests {
    private static final String CURSOR = "{cursor}";

    private BackfillRequests() {
    }

    static Map<String, String> windowValues(Instant start, Instant end) {
        Map<String, String> v = new HashMap<>();
        v.put("window_start", start.toString());
        v.put("window_end", end.toString());
        v.put("window_start_epoch", Long.toString(start.getEpochSecond()));
        v.put("window_end_epoch", Long.toString(end.getEpochSecond()));
        v.put("window_start_date", start.atZone(ZoneOffset.UTC).toLocalDate().toString());
        v.put("window_end_date", end.atZone(ZoneOffset.UTC).toLocalDate().toString());
        // for APIs whose date bounds are exclusive whole days (GitLab: created_at > after's end of day,
        // < before's start of day): one day wider on each side, so neither the first nor today is lost
        v.put("window_start_prev_date", start.atZone(ZoneOffset.UTC).toLocalDate().minusDays(1).toString());
        v.put("window_end_next_date", end.atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).toString());
        return v;
    }

    /**
     * @param apiBase  the provider's API base URL, placeholders already filled
     * @param values   window, connection metadata, config values and parent id
     * @param cursor   the checkpoint cursor (null on a unit's first page)
     */
    static ProviderRequest build(BackfillSpec.Resource r, String apiBase, Map<String, String> values, String cursor) {
        BackfillSpec.Paginator.Type type = r.paginator().type();
        if (cursor != null && (type == BackfillSpec.Paginator.Type.link_header || type == BackfillSpec.Paginator.Type.next_url)) {
            return ProviderRequest.get(sameOrigin(apiBase, cursor)); // the provider's next link already holds the query
        }
        Map<String, String> all = new HashMap<>(values);
        if (cursor != null) all.put("cursor", cursor);
        StringBuilder url = new StringBuilder(apiBase).append(Placeholders.fill(r.path(), all));
        char sep = url.indexOf("?") >= 0 ? '&' : '?';
        for (Map.Entry<String, String> q : r.query().entrySet()) {
            if (q.getValue().equals(CURSOR) && cursor == null) continue;
            url.append(sep).append(encode(q.getKey())).append('=').append(encode(Placeholders.fill(q.getValue(), all)));
            sep = '&';
        }
        if (type == BackfillSpec.Paginator.Type.page) {
            url.append(sep).append(encode(r.paginator().param())).append('=').append(cursor == null ? "1" : encode(cursor));
        } else if (type == BackfillSpec.Paginator.Type.cursor && cursor != null && r.body() == null
                && !r.query().containsKey(r.paginator().param())) {
            url.append(sep).append(encode(r.paginator().param())).append('=').append(encode(cursor));
        }
        URI uri = URI.create(url.toString());
        if ("POST".equals(r.method())) {
            JsonNode body = r.body() == null ? null : fillJson(r.body().deepCopy(), all, cursor);
            return ProviderRequest.postJson(uri, body == null ? "{}" : body.toString());
        }
        return ProviderRequest.get(uri);
    }

    /** Next links come from the provider's answer: never follow one to another host with our token. */
    static URI sameOrigin(String apiBase, String next) {
        URI base = URI.create(apiBase);
        URI uri;
        try {
            uri = URI.create(next);
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ErrorCode.PROVIDER_ERROR, "next link is not a URL");
        }
        if (!"https".equalsIgnoreCase(uri.getScheme()) && !"http".equalsIgnoreCase(uri.getScheme())
                || !base.getScheme().equalsIgnoreCase(uri.getScheme())
                || uri.getHost() == null || !uri.getHost().equalsIgnoreCase(base.getHost())
                || uri.getPort() != base.getPort() || uri.getRawUserInfo() != null) {
            throw new ConnectorException(ErrorCode.PROVIDER_ERROR, "next link points outside the provider's API");
        }
        return uri;
    }

    private static JsonNode fillJson(JsonNode node, Map<String, String> values, String cursor) {
        if (node instanceof ObjectNode obj) {
            for (Iterator<Map.Entry<String, JsonNode>> it = obj.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getValue().isTextual() && e.getValue().asText().equals(CURSOR) && cursor == null) {
                    it.remove();
                } else {
                    e.setValue(fillJson(e.getValue(), values, cursor));
                }
            }
            return obj;
        }
        if (node instanceof ArrayNode arr) {
            for (int i = 0; i < arr.size(); i++) arr.set(i, fillJson(arr.get(i), values, cursor));
            return arr;
        }
        if (node.isTextual() && node.asText().contains("{")) {
            return TextNode.valueOf(Placeholders.fill(node.asText(), values));
        }
        return node;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
