package dev.connectors.functions.sync;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A counting fake of the generic provider's history API that honours the time bounds, which a stepped job
 * needs (WireMock stubs answer one fixed body per request shape): {@code GET <tenant>/records?updated_after=
 * &updated_before=&cursor=} answers the tenant's records in [after, before), newest first, {@link #PAGE_SIZE}
 * per page. A tenant is a path prefix with its record count: {@code /t-<n>-<label>/} has n records spread
 * evenly over days 1 to 85 before the anchor, so every job window of the test run holds all of them. Per
 * access token it counts the requests in flight (and their peak) and how often each page was fetched.
 * One server per test JVM; each answer takes {@link #LATENCY_MILLIS}, so parallel requests overlap.
 */
final class WindowedHistory {
    static final int PAGE_SIZE = 10;
    static final long LATENCY_MILLIS = 80;
    private static final Instant ANCHOR = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    private static WindowedHistory shared;

    private final HttpServer server;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> peak = new ConcurrentHashMap<>();
    private final Map<String, Map<String, AtomicInteger>> fetches = new ConcurrentHashMap<>();

    private WindowedHistory() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "windowed-history");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::answer);
        server.start();
    }

    static synchronized WindowedHistory shared() {
        if (shared == null) shared = new WindowedHistory();
        return shared;
    }

    /** The API base URL of a tenant with {@code records} records; {@code label} keeps tenants apart. */
    String apiBase(int records, String label) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/t-" + records + "-" + label;
    }

    /** The most requests of {@code token} that were in flight at once. */
    int peakConcurrency(String token) {
        AtomicInteger p = peak.get(token);
        return p == null ? 0 : p.get();
    }

    /** How often each page (window start + cursor) was fetched with {@code token}. */
    Map<String, Integer> fetchesPerPage(String token) {
        Map<String, Integer> out = new HashMap<>();
        fetches.getOrDefault(token, Map.of()).forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    int requests(String token) {
        return fetchesPerPage(token).values().stream().mapToInt(Integer::intValue).sum();
    }

    /** The pages a run over [from, to) in steps of {@code stepDays} must fetch (each once). */
    static int expectedPages(int records, Instant from, Instant to, int stepDays) {
        int pages = 0;
        for (Instant s = from; s.isBefore(to); s = s.plus(stepDays, ChronoUnit.DAYS)) {
            Instant e = s.plus(stepDays, ChronoUnit.DAYS).isBefore(to) ? s.plus(stepDays, ChronoUnit.DAYS) : to;
            pages += Math.max(1, (inWindow(records, s, e).size() + PAGE_SIZE - 1) / PAGE_SIZE);
        }
        return pages;
    }

    private void answer(HttpExchange ex) throws IOException {
        String token = String.valueOf(ex.getRequestHeaders().getFirst("Authorization")).replaceFirst("^Bearer ", "");
        AtomicInteger now = inFlight.computeIfAbsent(token, k -> new AtomicInteger());
        int current = now.incrementAndGet();
        peak.computeIfAbsent(token, k -> new AtomicInteger()).accumulateAndGet(current, Math::max);
        try {
            Thread.sleep(LATENCY_MILLIS);
            String[] parts = ex.getRequestURI().getPath().split("/");
            int records = Integer.parseInt(parts[1].split("-")[1]);
            Map<String, String> q = query(ex.getRequestURI().getRawQuery());
            Instant after = Instant.parse(q.get("updated_after"));
            Instant before = Instant.parse(q.get("updated_before"));
            int offset = q.get("cursor") == null ? 0 : Integer.parseInt(q.get("cursor").substring(1));
            fetches.computeIfAbsent(token, k -> new ConcurrentHashMap<>())
                    .computeIfAbsent(after + " " + q.get("cursor"), k -> new AtomicInteger()).incrementAndGet();
            List<Integer> ids = inWindow(records, after, before);
            StringBuilder body = new StringBuilder("{\"records\":[");
            for (int i = offset; i < Math.min(ids.size(), offset + PAGE_SIZE); i++) {
                int id = ids.get(i);
                if (i > offset) body.append(',');
                body.append("{\"id\":\"rec-").append(id).append("\",\"updated_at\":\"").append(at(records, id))
                        .append("\",\"title\":\"Record ").append(id).append("\"}");
            }
            body.append(']');
            if (offset + PAGE_SIZE < ids.size()) body.append(",\"next_cursor\":\"o").append(offset + PAGE_SIZE).append('"');
            byte[] bytes = body.append('}').toString().getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
        } catch (RuntimeException | InterruptedException e) {
            byte[] bytes = ("{\"error\":\"" + e.getClass().getSimpleName() + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(400, bytes.length);
            ex.getResponseBody().write(bytes);
        } finally {
            now.decrementAndGet();
            ex.close();
        }
    }

    /** Record {@code id} of a tenant with {@code records} records: evenly from 85 days to 1 day before the anchor. */
    private static Instant at(int records, int id) {
        long span = ChronoUnit.SECONDS.between(ANCHOR.minus(85, ChronoUnit.DAYS), ANCHOR.minus(1, ChronoUnit.DAYS));
        return ANCHOR.minus(1, ChronoUnit.DAYS).minusSeconds(span * id / Math.max(1, records - 1));
    }

    /** The ids in [after, before), newest first. */
    private static List<Integer> inWindow(int records, Instant after, Instant before) {
        List<Integer> out = new ArrayList<>();
        for (int id = 0; id < records; id++) {
            Instant t = at(records, id);
            if (!t.isBefore(after) && t.isBefore(before)) out.add(id);
        }
        return out;
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) return out;
        for (String pair : raw.split("&")) {
            String[] kv = pair.split("=", 2);
            out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length < 2 ? "" : URLDecoder.decode(kv[1], StandardCharsets.UTF_8));
        }
        return out;
    }
}
