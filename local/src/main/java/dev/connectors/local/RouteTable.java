package dev.connectors.local;

import dev.connectors.testing.CfnTemplate;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every {@code HttpApi} event of every function in template.yaml, matched like the HTTP API does:
 * the most specific route wins (literal segments before {@code {param}}, {@code {proxy+}} last),
 * a path that matches with another method is still 404.
 */
final class RouteTable {
    record Route(String method, String path, String functionId, boolean needsJwt) {
        String routeKey() {
            return method + " " + path;
        }

        private String[] segments() {
            return RouteTable.segments(path);
        }

        /** For ordering: more literal segments first, greedy last. */
        private int specificity() {
            int literal = 0;
            for (String s : segments()) if (!s.startsWith("{")) literal++;
            return path.contains("+}") ? -1 : literal;
        }
    }

    record Match(Route route, Map<String, String> pathParameters) { }

    private final List<Route> routes;

    RouteTable(List<Route> routes) {
        this.routes = routes.stream().sorted(Comparator.comparingInt(Route::specificity).reversed()).toList();
    }

    static RouteTable from(CfnTemplate template) {
        Map<String, Map<String, Object>> apis = template.resourcesOfType("AWS::Serverless::HttpApi");
        List<Route> routes = new ArrayList<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((fn, props) ->
                map(props.get("Events")).forEach((name, e) -> {
                    Map<String, Object> event = map(e);
                    if (!"HttpApi".equals(event.get("Type"))) return;
                    Map<String, Object> p = map(event.get("Properties"));
                    String method = String.valueOf(p.getOrDefault("Method", "ANY")).toUpperCase();
                    String path = String.valueOf(p.getOrDefault("Path", "/"));
                    routes.add(new Route(method, path, fn, needsJwt(p, apis)));
                }));
        return new RouteTable(routes);
    }

    /** {@code Auth: Authorizer: NONE} opts out; otherwise the route's own authorizer or its API's default applies. */
    private static boolean needsJwt(Map<String, Object> eventProps, Map<String, Map<String, Object>> apis) {
        Object authorizer = map(eventProps.get("Auth")).get("Authorizer");
        if ("NONE".equals(authorizer)) return false;
        if (authorizer != null) return true;
        Object apiRef = map(eventProps.get("ApiId")).get("Ref");
        Map<String, Object> api = apiRef == null ? Map.of() : apis.getOrDefault(String.valueOf(apiRef), Map.of());
        return map(api.get("Auth")).get("DefaultAuthorizer") != null;
    }

    List<Route> routes() {
        return routes;
    }

    Optional<Match> match(String method, String rawPath) {
        String[] actual = segments(rawPath);
        for (Route route : routes) {
            if (!route.method().equals("ANY") && !route.method().equals(method)) continue;
            Map<String, String> params = matchSegments(route.segments(), actual);
            if (params != null) return Optional.of(new Match(route, params));
        }
        return Optional.empty();
    }

    private static Map<String, String> matchSegments(String[] pattern, String[] actual) {
        Map<String, String> params = new LinkedHashMap<>();
        for (int i = 0; i < pattern.length; i++) {
            String p = pattern[i];
            if (p.startsWith("{") && p.endsWith("+}")) { // greedy: the rest of the path, at least one segment
                if (i >= actual.length) return null;
                params.put(p.substring(1, p.length() - 2), decode(String.join("/", List.of(actual).subList(i, actual.length))));
                return params;
            }
            if (i >= actual.length) return null;
            if (p.startsWith("{") && p.endsWith("}")) {
                if (actual[i].isEmpty()) return null;
                params.put(p.substring(1, p.length() - 1), decode(actual[i]));
            } else if (!p.equals(actual[i])) {
                return null;
            }
        }
        return pattern.length == actual.length ? params : null;
    }

    private static String[] segments(String path) {
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        return trimmed.isEmpty() ? new String[0] : trimmed.split("/", -1);
    }

    /** Percent-escapes only: in a path '+' is a plus. */
    private static String decode(String raw) {
        try {
            return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return raw;
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }
}
