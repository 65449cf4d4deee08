package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Reading API Gateway payload 2.0 requests. */
final class Requests {
    private static final int MAX_QUERY_LENGTH = 8192;

    private Requests() {
    }

    /**
     * Every value of every query parameter, from the raw query string: API Gateway's
     * {@code queryStringParameters} joins duplicates with commas, which would hide a duplicated state.
     */
    static Map<String, List<String>> query(APIGatewayV2HTTPEvent event) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String raw = event.getRawQueryString();
        if (raw == null || raw.isEmpty()) {
            if (event.getQueryStringParameters() != null) {
                event.getQueryStringParameters().forEach((k, v) -> out.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
            }
            return out;
        }
        if (raw.length() > MAX_QUERY_LENGTH) {
            throw new IllegalArgumentException("query too long");
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.computeIfAbsent(name, x -> new ArrayList<>()).add(value);
        }
        return out;
    }

    static Map<String, String> claims(APIGatewayV2HTTPEvent event) {
        var ctx = event.getRequestContext();
        if (ctx == null || ctx.getAuthorizer() == null || ctx.getAuthorizer().getJwt() == null
                || ctx.getAuthorizer().getJwt().getClaims() == null) {
            return Map.of();
        }
        return ctx.getAuthorizer().getJwt().getClaims();
    }

    /** The request's cookies: payload 2.0 moves them to {@code cookies}; a raw Cookie header (local runner, tests) counts too. */
    static List<String> cookies(APIGatewayV2HTTPEvent event) {
        List<String> out = new ArrayList<>();
        if (event.getCookies() != null) out.addAll(event.getCookies());
        if (event.getHeaders() != null) {
            event.getHeaders().forEach((k, v) -> {
                if (k.equalsIgnoreCase("cookie") && v != null) out.add(v);
            });
        }
        return out;
    }

    static boolean wantsJson(APIGatewayV2HTTPEvent event) {
        if (event.getHeaders() == null) return false;
        for (Map.Entry<String, String> h : event.getHeaders().entrySet()) {
            if (h.getKey().equalsIgnoreCase("accept") && h.getValue() != null
                    && h.getValue().toLowerCase().contains("application/json")) {
                return true;
            }
        }
        return false;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8); // IllegalArgumentException on a broken %-escape
    }
}
