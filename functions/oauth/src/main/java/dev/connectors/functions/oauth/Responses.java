package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.FriendlyError;
import dev.connectors.oauth.ConnectFlow;
import dev.connectors.state.ReturnToPolicy;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Builds responses. Every one is no-store; the callback's never leaks its URL (which held the code). */
final class Responses {
    private static final ObjectMapper JSON = new ObjectMapper();

    private Responses() {
    }

    static APIGatewayV2HTTPResponse json(int status, Object body) {
        try {
            return response(status, "application/json", JSON.writeValueAsString(body), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static APIGatewayV2HTTPResponse redirect(URI location) {
        return response(302, null, null, Map.of("Location", location.toString()));
    }

    /** The same response, also setting a cookie (payload 2.0 {@code cookies}: API Gateway turns each into a Set-Cookie). */
    static APIGatewayV2HTTPResponse withCookie(APIGatewayV2HTTPResponse response, String setCookie) {
        response.setCookies(List.of(setCookie));
        return response;
    }

    static int status(FriendlyError error) {
        return switch (error.code()) {
            case "unauthorized" -> 401;
            case "not_configured", "internal_error" -> 500;
            case "storage_unavailable", "provider_unavailable", "provider_html_error", "rate_limited" -> 503;
            default -> 400;
        };
    }

    /** Back to the app when it gave a return URL, else a small page that also tells a popup's opener. */
    static APIGatewayV2HTTPResponse callbackResult(ConnectFlow.Outcome outcome, String displayName, List<String> appOrigins) {
        if (outcome.returnTo() != null) {
            Map<String, String> params = new LinkedHashMap<>();
            if (outcome.connected()) {
                params.put("connected", outcome.provider());
            } else {
                params.put("error", outcome.error().code());
                params.put("message", outcome.error().message());
            }
            return redirect(ReturnToPolicy.withParams(outcome.returnTo(), params));
        }
        // the page loads nothing from anywhere; its only script is the inline one it renders
        ResultPage.Page page = ResultPage.render(outcome, displayName, appOrigins);
        return response(outcome.connected() ? 200 : 400, "text/html; charset=utf-8", page.html(),
                Map.of("Content-Security-Policy", page.contentSecurityPolicy()));
    }

    private static APIGatewayV2HTTPResponse response(int status, String contentType, String body, Map<String, String> extra) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (contentType != null) headers.put("Content-Type", contentType);
        headers.put("Cache-Control", "no-store");
        headers.put("Referrer-Policy", "no-referrer");
        headers.put("X-Content-Type-Options", "nosniff");
        headers.putAll(extra);
        return APIGatewayV2HTTPResponse.builder().withStatusCode(status).withHeaders(headers).withBody(body).build();
    }
}
