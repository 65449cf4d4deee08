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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Builds the HTTP request for one page of a declared resource. */
final class BackfillRequests {
    private static final String CURSOR = "{cursor}";
    private static final String OFFSET = "{offset}";
    /**
     * Fan-out values: {parent.id}, {parent.<payload.path>}, {grandparent.id}; payload paths may be camelCase.
     * A leading '+' (RFC 6570 reserved expansion) keeps the value's slashes in a path.
     */
    private static final Pattern PARENT = Pattern.compile("\\{(\\+?)((?:grand)?parent\\.[A-Za-z0-9_.-]+)}");

    private BackfillRequests() {
    }

    static Map<String, String> windowValues(Instant start, Instant end) {
        Map<String, String> v = new HashMap<>();
        v.put("window_start", start.toString());
        v.put("window_end", end.toString());
        v.put("window_start_epoch", Long.toString(start.getEpochSecond()));
        v.put("window_end_epoch", Long.toString(end.getEpochSecond()));
        v.put("window_start_epoch_ms", Long.toString(start.toEpochMilli()));
        v.put("window_end_epoch_ms", Long.toString(end.toEpochMilli()));
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
     * @param values   window, connection metadata, config values and parent values
     * @param cursor   the checkpoint cursor (null on a unit's first page)
     */
    static ProviderRequest build(BackfillSpec.Resource r, String apiBase, Map<String, String> values, String cursor) {
        return build(r, apiBase, values, Map.of(), Map.of(), cursor);
    }

    /**
     * @param bodyValues placeholder values for the JSON body only (the provider secret's client_id / client_secret)
     * @param bodyFields top-level body fields set as given (the access token with auth {@code body_field:<name>})
     */
    static ProviderRequest build(BackfillSpec.Resource r, String apiBase, Map<String, String> values,
                                 Map<String, String> bodyValues, Map<String, String> bodyFields, String cursor) {
        BackfillSpec.Paginator p = r.paginator();
        BackfillSpec.Paginator.Type type = p.type();
        if (cursor != null && (type == BackfillSpec.Paginator.Type.link_header || type == BackfillSpec.Paginator.Type.next_url)) {
            return ProviderRequest.get(sameOrigin(apiBase, cursor)); // the provider's next link already holds the query
        }
        Map<String, String> all = new HashMap<>(values);
        if (cursor != null) all.put("cursor", cursor);
        if (type == BackfillSpec.Paginator.Type.offset) {
            all.put("offset", cursor != null ? cursor : Integer.toString(p.start() == null ? 0 : p.start()));
        }
        boolean continuing = cursor != null && p.continuePath() != null;
        StringBuilder url = new StringBuilder(apiBase).append(fill(continuing ? p.continuePath() : r.path(), all, true));
        char sep = url.indexOf("?") >= 0 ? '&' : '?';
        for (Map.Entry<String, String> q : r.query().entrySet()) {
            if (q.getValue().equals(CURSOR) && cursor == null) continue;
            url.append(sep).append(encode(q.getKey())).append('=').append(encode(fill(q.getValue(), all, false)));
            sep = '&';
        }
        boolean inQuery = p.param() != null && r.query().containsKey(p.param());
        if (type == BackfillSpec.Paginator.Type.page && !inQuery) {
            url.append(sep).append(encode(p.param())).append('=').append(cursor == null ? "1" : encode(cursor));
        } else if ((type == BackfillSpec.Paginator.Type.cursor || type == BackfillSpec.Paginator.Type.last_id)
                && cursor != null && r.body() == null && !inQuery) {
            url.append(sep).append(encode(p.param())).append('=').append(encode(cursor));
        } else if (type == BackfillSpec.Paginator.Type.offset && p.param() != null && r.body() == null && !inQuery) {
            url.append(sep).append(encode(p.param())).append('=').append(encode(all.get("offset")));
        }
        URI uri = URI.create(url.toString());
        if ("POST".equals(r.method())) {
            Map<String, String> withSecrets = new HashMap<>(all);
            withSecrets.putAll(bodyValues);
            JsonNode template = continuing && p.continueBody() != null ? p.continueBody() : r.body();
            JsonNode body = template == null ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                    : fillJson(template.deepCopy(), withSecrets, cursor);
            if (!bodyFields.isEmpty()) {
                if (!(body instanceof ObjectNode obj)) throw new IllegalArgumentException("body_field auth needs a JSON object body");
                bodyFields.forEach(obj::put);
            }
            return ProviderRequest.postJson(uri, body.toString());
        }
        return ProviderRequest.get(uri);
    }

    /**
     * Fills parent values (percent-encoded as one path segment when {@code pathSegment}: they come from
     * the provider and must not add segments or a query), then the other placeholders.
     */
    static String fill(String template, Map<String, String> values, boolean pathSegment) {
        Matcher m = PARENT.matcher(template);
        StringBuilder out = new StringBuilder();
        int last = 0;
        while (m.find()) {
            // a parent value is the provider's data, not a template: only the template's own text is filled
            out.append(Placeholders.fill(template.substring(last, m.start()), values));
            String value = values.get(m.group(2));
            if (value == null) throw new IllegalArgumentException("no value for {" + m.group(2) + "}");
            boolean reserved = !m.group(1).isEmpty();
            out.append(!pathSegment ? value : reserved ? encodeSegments(value, m.group(2)) : encodeSegment(value));
            last = m.end();
        }
        out.append(Placeholders.fill(template.substring(last), values));
        return out.toString();
    }

    /** The headers of a resource (and the entry's apiHeaders), placeholders filled. */
    static Map<String, String> headers(Map<String, String> templates, Map<String, String> values) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        templates.forEach((k, v) -> out.put(k, fill(v, values, false)));
        return out;
    }

    /** The fan-out placeholders a resource uses (besides {parent.id}), to know whether the parent's payload is needed. */
    static java.util.Set<String> parentPlaceholders(BackfillSpec.Resource r) {
        StringBuilder text = new StringBuilder(r.path() == null ? "" : r.path());
        r.query().values().forEach(v -> text.append(' ').append(v));
        r.headers().values().forEach(v -> text.append(' ').append(v));
        if (r.body() != null) text.append(' ').append(r.body());
        java.util.Set<String> out = new java.util.TreeSet<>();
        Matcher m = PARENT.matcher(text);
        while (m.find()) out.add(m.group(2));
        return out;
    }

    /** A value that names a path of the API ({@code spaces/AAA}): each segment encoded, no empty or dot segments. */
    private static String encodeSegments(String value, String name) {
        StringBuilder out = new StringBuilder();
        for (String segment : value.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("{+" + name + "} is not a plain path: " + value);
            }
            if (out.length() > 0) out.append('/');
            out.append(encodeSegment(segment));
        }
        return out.toString();
    }

    /** Next links come from the provider's answer: never follow one to another host with our token. */
    static URI sameOrigin(String apiBase, String next) {
        URI base = URI.create(apiBase);
        URI uri;
        try {
            uri = URI.create(next);
            // a relative link (Salesforce's nextRecordsUrl: /services/data/...) is relative to the API's origin
            if (!uri.isAbsolute()) uri = base.resolve(uri);
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
        if (node.isTextual() && node.asText().equals(OFFSET) && values.containsKey("offset")) {
            return com.fasterxml.jackson.databind.node.LongNode.valueOf(Long.parseLong(values.get("offset")));
        }
        if (node.isTextual() && node.asText().contains("{")) {
            return TextNode.valueOf(fill(node.asText(), values, false));
        }
        return node;
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** RFC 3986 segment: unreserved and sub-delims, ':' and '@' stay; '/', '?', '#', '%' and the rest are encoded. */
    static String encodeSegment(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "-._~!$&'()*+,;=:@".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return out.toString();
    }
}
