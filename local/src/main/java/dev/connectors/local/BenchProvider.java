package dev.connectors.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.Executors;

/**
 * The benchmark's fake provider: the generic provider's history API ({@code GET /api/records?updated_after=
 * &updated_before=&limit=&cursor=}) over {@code n} generated records spread over the last 89 days, newest
 * first, generated on the fly (nothing held in memory, so 1M records cost the server nothing). Each record
 * is about 330 bytes of JSON. The cursor is the next record's index.
 */
final class BenchProvider implements AutoCloseable {
    static final Duration SPAN = Duration.ofDays(89); // inside the 3-month window
    static final int MAX_LIMIT = 100;

    private final HttpServer server;
    private final long anchorMs;
    private final long spanMs = SPAN.toMillis();
    private volatile int records;

    private BenchProvider(HttpServer server, Instant anchor) {
        this.server = server;
        this.anchorMs = anchor.toEpochMilli();
    }

    static BenchProvider start(Instant anchor) throws IOException {
        // without TCP_NODELAY the JDK server's header and body segments meet delayed ACKs: ~40 ms per page
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        BenchProvider p = new BenchProvider(server, anchor);
        server.createContext("/api/records", p::handle);
        server.setExecutor(Executors.newFixedThreadPool(4, r -> {
            Thread t = new Thread(r, "bench-provider");
            t.setDaemon(true);
            return t;
        }));
        server.start();
        return p;
    }

    /** How many records the history holds from now on (one size per run). */
    void size(int n) {
        records = n;
    }

    URI apiBase() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api");
    }

    private long at(int i) {
        return anchorMs - (long) ((double) i * spanMs / records);
    }

    /** The first index whose time is at or before {@code ms} (times fall as the index grows). */
    private int firstAtOrBefore(long ms) {
        int lo = 0;
        int hi = records;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (at(mid) <= ms) hi = mid;
            else lo = mid + 1;
        }
        return lo;
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String auth = exchange.getRequestHeaders().getFirst("Authorization");
            if (auth == null || !auth.startsWith("Bearer ")) {
                send(exchange, 401, "{\"error\":\"invalid_token\"}");
                return;
            }
            Map<String, String> q = ApiGatewayEvents.queryParameters(exchange.getRequestURI().getRawQuery());
            q = q == null ? Map.of() : q;
            long after = q.containsKey("updated_after") ? Instant.parse(q.get("updated_after")).toEpochMilli() : Long.MIN_VALUE;
            long before = q.containsKey("updated_before") ? Instant.parse(q.get("updated_before")).toEpochMilli() : Long.MAX_VALUE;
            int limit = Math.max(1, Math.min(MAX_LIMIT, Integer.parseInt(q.getOrDefault("limit", "50"))));
            int from = Math.max(firstAtOrBefore(before), q.containsKey("cursor") ? Integer.parseInt(q.get("cursor")) : 0);
            int end = after == Long.MIN_VALUE ? records : firstAtOrBefore(after - 1); // exclusive: first index older than after
            int to = Math.min(end, from + limit);
            StringBuilder b = new StringBuilder(limit * 340).append("{\"records\":[");
            for (int i = from; i < to; i++) {
                if (i > from) b.append(',');
                b.append("{\"id\":\"bench-").append(i).append("\",\"updated_at\":\"").append(Instant.ofEpochMilli(at(i)))
                        .append("\",\"subject\":\"Bench record ").append(i)
                        .append("\",\"status\":\"").append(i % 3 == 0 ? "open" : "closed")
                        .append("\",\"amount\":").append(i % 10_000)
                        .append(",\"body\":\"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam, quis nostrud.\"}");
            }
            b.append(']');
            if (to < end) b.append(",\"next_cursor\":\"").append(to).append('"');
            send(exchange, 200, b.append('}').toString());
        } catch (RuntimeException e) {
            send(exchange, 400, "{\"error\":\"invalid_request\"}");
        }
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream os = exchange.getResponseBody()) {
            os.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
