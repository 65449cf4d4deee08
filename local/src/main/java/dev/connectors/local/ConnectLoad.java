package dev.connectors.local;

import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * Connect flows against the local runner's HTTP API, as a browser makes them: authorize (with the app's JWT),
 * follow the sandbox provider's approval, then the callback. Used by the load script ({@link LoadTest}) and the
 * concurrency tests; loopback only (the runner and its sandbox listen on 127.0.0.1).
 */
final class ConnectLoad {
    /** One flow's end: connected, or the error code (or HTTP status) where it stopped; latencies in nanoseconds. */
    record Flow(String tenant, boolean connected, String error, long totalNanos, long callbackNanos) {
    }

    /** What a run measured. */
    record Report(int flows, int connected, Map<String, Integer> errors, double seconds, double flowsPerSecond,
                  double p50Millis, double p99Millis, double callbackP50Millis, double callbackP99Millis) {
        double errorRate() {
            return flows == 0 ? 0 : (flows - connected) / (double) flows;
        }

        String summary() {
            return String.format("%d flows in %.1f s: %.1f flows/s, %d connected, error rate %.2f %% %s; "
                            + "flow latency p50 %.0f ms, p99 %.0f ms; callback p50 %.0f ms, p99 %.0f ms",
                    flows, seconds, flowsPerSecond, connected, 100 * errorRate(), errors.isEmpty() ? "" : errors.toString(),
                    p50Millis, p99Millis, callbackP50Millis, callbackP99Millis);
        }
    }

    private static final java.util.regex.Pattern RESULT_PAGE_ERROR = java.util.regex.Pattern.compile("\"error\":\"([a-z_]+)\"");

    private final String baseUrl;
    private final BiFunction<String, String, String> devToken;
    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    /** @param devToken (tenant, user) → a JWT the runner's authorizer accepts */
    ConnectLoad(String baseUrl, BiFunction<String, String, String> devToken) {
        if (!URI.create(baseUrl).getHost().matches("localhost|127\\.0\\.0\\.1")) {
            throw new IllegalArgumentException("load runs against the local runner on loopback only, not " + baseUrl);
        }
        this.baseUrl = baseUrl;
        this.devToken = devToken;
    }

    /** A flow the provider approved: the callback URL it sends the browser to (not yet followed), and that browser. */
    record Approved(URI callback, BrowserCookies browser) {
    }

    /** Authorize + the sandbox's approval, in a new browser. */
    Approved approvedCallback(String tenant) throws IOException, InterruptedException {
        BrowserCookies browser = new BrowserCookies();
        HttpResponse<String> authorize = get(browser, baseUrl + "/oauth/generic/authorize?return_to=" + baseUrl + "/done",
                devToken.apply(tenant, "load-user"));
        URI toProvider = location(authorize, "authorize");
        return new Approved(location(get(browser, toProvider.toString(), null), "sandbox approval"), browser);
    }

    /** Follows the callback in the browser that started the flow; returns how the app is told (connected, or the error code). */
    Flow finish(String tenant, Approved approved, long startedNanos) throws IOException, InterruptedException {
        long callbackStart = System.nanoTime();
        HttpResponse<String> res = get(approved.browser(), approved.callback().toString(), null);
        long end = System.nanoTime();
        if (res.statusCode() != 302) { // the result page, shown when the session (and so return_to) is unknown
            java.util.regex.Matcher page = RESULT_PAGE_ERROR.matcher(res.body());
            return new Flow(tenant, false, page.find() ? page.group(1) : "http_" + res.statusCode(), end - startedNanos, end - callbackStart);
        }
        Map<String, String> query = query(URI.create(res.headers().firstValue("Location").orElse(baseUrl)));
        boolean connected = "generic".equals(query.get("connected"));
        return new Flow(tenant, connected, connected ? null : query.getOrDefault("error", "no_result"), end - startedNanos, end - callbackStart);
    }

    /** One whole connect flow for a tenant; never throws (a failure is a flow with an error). */
    Flow connect(String tenant) {
        long start = System.nanoTime();
        try {
            return finish(tenant, approvedCallback(tenant), start);
        } catch (IOException | IllegalStateException e) {
            return new Flow(tenant, false, "io_" + e.getClass().getSimpleName(), System.nanoTime() - start, 0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Flow(tenant, false, "interrupted", System.nanoTime() - start, 0);
        }
    }

    /**
     * Runs one flow per entry of {@code tenants} (a tenant may repeat) on {@code concurrency} threads; flows not
     * started within {@code maxTime} are skipped, so a run is bounded in count and time.
     */
    List<Flow> run(List<String> tenants, int concurrency, Duration maxTime) throws InterruptedException {
        long deadline = System.nanoTime() + maxTime.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<Flow>> futures = new ArrayList<>();
            for (String tenant : tenants) {
                futures.add(pool.submit(() -> System.nanoTime() < deadline ? connect(tenant) : null));
            }
            List<Flow> flows = new ArrayList<>();
            for (Future<Flow> f : futures) {
                try {
                    Flow flow = f.get(maxTime.toSeconds() + 60, TimeUnit.SECONDS);
                    if (flow != null) flows.add(flow);
                } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                    flows.add(new Flow("?", false, "harness_" + e.getClass().getSimpleName(), 0, 0));
                }
            }
            return flows;
        } finally {
            pool.shutdownNow();
        }
    }

    static Report report(List<Flow> flows, Duration wall) {
        Map<String, Integer> errors = new TreeMap<>();
        flows.stream().filter(f -> !f.connected()).forEach(f -> errors.merge(f.error(), 1, Integer::sum));
        long[] total = flows.stream().mapToLong(Flow::totalNanos).sorted().toArray();
        long[] callback = flows.stream().mapToLong(Flow::callbackNanos).sorted().toArray();
        double seconds = wall.toNanos() / 1e9;
        return new Report(flows.size(), (int) flows.stream().filter(Flow::connected).count(), Collections.unmodifiableMap(errors),
                seconds, flows.size() / seconds, millis(total, 0.50), millis(total, 0.99), millis(callback, 0.50), millis(callback, 0.99));
    }

    /** Nearest-rank percentile of sorted nanoseconds, in milliseconds. */
    static double millis(long[] sorted, double p) {
        if (sorted.length == 0) return 0;
        int rank = (int) Math.ceil(p * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))] / 1e6;
    }

    private HttpResponse<String> get(BrowserCookies browser, String url, String bearer) throws IOException, InterruptedException {
        HttpRequest.Builder b = browser.addTo(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET());
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return browser.keep(http.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static URI location(HttpResponse<String> res, String step) {
        if (res.statusCode() != 302) throw new IllegalStateException(step + " answered " + res.statusCode());
        return URI.create(res.headers().firstValue("Location").orElseThrow(() -> new IllegalStateException(step + " without Location")));
    }

    static Map<String, String> query(URI uri) {
        Map<String, String> out = new TreeMap<>();
        if (uri.getRawQuery() == null) return out;
        Arrays.stream(uri.getRawQuery().split("&")).map(p -> p.split("=", 2)).forEach(kv ->
                out.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8), kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : ""));
        return out;
    }
}
