package dev.connectors.functions.connections;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/** What the handler reads from an API Gateway payload 2.0 event; never throws on odd input except as invalid_request. */
final class ApiRequest {
    private static final int MAX_QUERY_LENGTH = 8192;

    private final APIGatewayV2HTTPEvent event;

    ApiRequest(APIGatewayV2HTTPEvent event) {
        this.event = event == null ? new APIGatewayV2HTTPEvent() : event;
    }

    String requestId() {
        return event.getRequestContext() == null ? null : event.getRequestContext().getRequestId();
    }

    String method() {
        var ctx = event.getRequestContext();
        return ctx == null || ctx.getHttp() == null || ctx.getHttp().getMethod() == null ? "GET" : ctx.getHttp().getMethod();
    }

    String path() {
        return event.getRawPath() == null ? "" : event.getRawPath();
    }

    /** A claim set by the JWT authorizer; the request itself can never supply one. */
    String claim(String name) {
        var ctx = event.getRequestContext();
        if (ctx == null || ctx.getAuthorizer() == null || ctx.getAuthorizer().getJwt() == null
                || ctx.getAuthorizer().getJwt().getClaims() == null) {
            return null;
        }
        return ctx.getAuthorizer().getJwt().getClaims().get(name);
    }

    /** A path parameter as API Gateway decoded it (the local runner may leave them out: then the raw segment). */
    String pathParameter(String name, String rawSegment) {
        Map<String, String> params = event.getPathParameters();
        if (params != null && params.get(name) != null) return params.get(name);
        return decode(rawSegment);
    }

    /**
     * Query parameters from the raw query string, one value each: API Gateway's joined
     * {@code queryStringParameters} would turn {@code provider=a&provider=b} into "a,b".
     */
    Map<String, String> query() {
        String raw = event.getRawQueryString();
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            if (event.getQueryStringParameters() != null) out.putAll(event.getQueryStringParameters());
            return out;
        }
        if (raw.length() > MAX_QUERY_LENGTH) throw invalid("query too long");
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            if (out.put(name, eq < 0 ? "" : decode(pair.substring(eq + 1))) != null) {
                throw invalid("query parameter " + name + " given twice");
            }
        }
        return out;
    }

    static ConnectorException invalid(String detail) {
        return new ConnectorException(ErrorCode.INVALID_REQUEST, detail);
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw invalid("broken %-escape");
        }
    }
}
