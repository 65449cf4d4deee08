package dev.connectors.local;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * One browser's cookies for the runner's own HTTP clients (the load script, tests): keeps what responses set and
 * sends it back, so a flow's callback carries the binding cookie its authorize set. One instance per simulated
 * browser; {@link java.net.CookieManager} is not used because it refuses host-only cookies of {@code localhost}.
 */
final class BrowserCookies {
    private final Map<String, String> jar = new ConcurrentHashMap<>();

    HttpRequest.Builder addTo(HttpRequest.Builder request) {
        if (!jar.isEmpty()) {
            request.header("Cookie", jar.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; ")));
        }
        return request;
    }

    <T> HttpResponse<T> keep(HttpResponse<T> response) {
        for (String set : response.headers().allValues("set-cookie")) {
            String pair = set.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq > 0) jar.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
        }
        return response;
    }
}
