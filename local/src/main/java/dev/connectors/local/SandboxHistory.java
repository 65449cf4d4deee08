package dev.connectors.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The sandbox provider's history API, {@code GET /api/records?updated_after=&updated_before=&limit=&cursor=}:
 * four months of generated records, newest first, filtered to the requested window and paged with
 * an opaque cursor, so the backfill's window and paging logic run against something real.
 */
final class SandboxHistory {
    static final int RECORDS = 720;
    static final Duration SPAN = Duration.ofDays(120); // longer than the 3-month window: filtering matters
    static final int MAX_LIMIT = 100;
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Instant anchor;

    SandboxHistory(Instant anchor) {
        this.anchor = anchor;
    }

    Instant updatedAt(int i) {
        return anchor.minusSeconds(SPAN.toSeconds() * i / RECORDS);
    }

    /** How many records fall in [after, before]: what a full backfill of that window must store. */
    int countIn(Instant after, Instant before) {
        int n = 0;
        for (int i = 0; i < RECORDS; i++) if (!updatedAt(i).isBefore(after) && !updatedAt(i).isAfter(before)) n++;
        return n;
    }

    void handle(HttpExchange exchange) throws IOException {
        String auth = exchange.getRequestHeaders().getFirst("Authorization");
        if (!exchange.getRequestURI().getPath().equals("/api/records") || !"GET".equals(exchange.getRequestMethod())) {
            send(exchange, 404, Map.of("error", "not_found"));
            return;
        }
        if (auth == null || !auth.startsWith("Bearer ") || auth.length() < 8) {
            send(exchange, 401, Map.of("error", "invalid_token"));
            return;
        }
        Map<String, String> q = ApiGatewayEvents.queryParameters(exchange.getRequestURI().getRawQuery());
        q = q == null ? Map.of() : q;
        Instant after;
        Instant before;
        int limit;
        int offset;
        try {
            after = q.containsKey("updated_after") ? Instant.parse(q.get("updated_after")) : Instant.EPOCH;
            before = q.containsKey("updated_before") ? Instant.parse(q.get("updated_before")) : anchor;
            limit = Math.max(1, Math.min(MAX_LIMIT, Integer.parseInt(q.getOrDefault("limit", "50"))));
            offset = q.containsKey("cursor") ? decodeCursor(q.get("cursor")) : 0;
        } catch (DateTimeParseException | IllegalArgumentException e) {
            send(exchange, 400, Map.of("error", "invalid_request", "error_description", "bad window, limit or cursor"));
            return;
        }
        List<Map<String, Object>> inWindow = new ArrayList<>();
        for (int i = 0; i < RECORDS; i++) {
            Instant t = updatedAt(i);
            if (!t.isBefore(after) && !t.isAfter(before)) inWindow.add(record(i, t));
        }
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("records", inWindow.subList(Math.min(offset, inWindow.size()), Math.min(offset + limit, inWindow.size())));
        if (offset + limit < inWindow.size()) page.put("next_cursor", encodeCursor(offset + limit));
        send(exchange, 200, page);
    }

    private static Map<String, Object> record(int i, Instant updated) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", "sbx-" + i);
        r.put("updated_at", updated.toString());
        r.put("subject", "Sandbox record " + i);
        return r;
    }

    private static String encodeCursor(int offset) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(("o:" + offset).getBytes(StandardCharsets.UTF_8));
    }

    private static int decodeCursor(String cursor) {
        String s = new String(Base64.getUrlDecoder().decode(cursor), StandardCharsets.UTF_8);
        if (!s.startsWith("o:")) throw new IllegalArgumentException("not a cursor");
        int offset = Integer.parseInt(s.substring(2));
        if (offset < 0) throw new IllegalArgumentException("negative offset");
        return offset;
    }

    private static void send(HttpExchange exchange, int status, Object body) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(body);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }
}
