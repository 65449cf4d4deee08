package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Browser;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.Telemetry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What operators see of the connect functions: one request line per request (outcome, status, duration,
 * tenant, provider) and the connection metrics, through the real handlers, stand-ins and WireMock.
 */
class RequestTelemetryTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String STUB_BASE = "/request-telemetry";
    private static final String ACCESS = "rt-access-" + UUID.randomUUID();
    private static final String REFRESH = "rt-refresh-" + UUID.randomUUID();
    private static final String RETURN_TO = Harness.APP_ORIGIN + "/settings";

    private static Harness h;
    private static OAuthHandler oauth;
    private final String tenant = "tenant-" + UUID.randomUUID();
    private final Browser browser = new Browser();

    static {
        LogCapture.install();
    }

    @BeforeAll
    static void start() {
        h = Harness.forFunction("GenericFunction");
        String base = h.wiremock.baseUrl() + STUB_BASE;
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        oauth = new OAuthHandler(h.services());
    }

    @BeforeEach
    void clear() {
        LogCapture.clear();
    }

    @Test
    void authorizeLogsOneOkLineAndCountsAStartedConnection() {
        APIGatewayV2HTTPEvent event = authorizeEvent();

        APIGatewayV2HTTPResponse res = oauth.handleRequest(event, null);

        assertThat(res.getStatusCode()).isEqualTo(200);
        JsonNode line = requestLine(event, "OAuthHandler");
        assertThat(line.get("outcome").asText()).isEqualTo("ok");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("tenant").asText()).isEqualTo(tenant);
        assertThat(line.get("path").asText()).isEqualTo("/oauth/generic/authorize");
        assertThat(Telemetry.sum("ConnectionsStarted", Map.of("Provider", "generic"))).isEqualTo(1);
        assertThat(Telemetry.sum("ConnectionsFailed", Map.of())).isZero();
    }

    @Test
    void aFailedCallbackLogsItsErrorCodeAndCountsTheFailureByCode() {
        String state = state(browser.send(oauth, authorizeEvent()));
        LogCapture.clear();
        APIGatewayV2HTTPEvent callback = callbackEvent("error=access_denied&state=" + state);

        APIGatewayV2HTTPResponse res = oauth.handleRequest(callback, null);

        assertThat(res.getStatusCode()).isEqualTo(302); // back to the app with the friendly error
        JsonNode line = requestLine(callback, "OAuthHandler");
        assertThat(line.get("outcome").asText()).isEqualTo("access_denied");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
        assertThat(line.get("status").asInt()).isEqualTo(302);
        assertThat(line.get("tenant").asText()).isEqualTo(tenant); // learnt from the session during the request
        assertThat(Telemetry.sum("ConnectionsFailed", Map.of("Provider", "generic", "ErrorCode", "access_denied"))).isEqualTo(1);
        assertThat(Telemetry.sum("ConnectionsCompleted", Map.of())).isZero();
        assertThat(LogCapture.all()).doesNotContain(state);
    }

    @Test
    void aCompletedCallbackCountsOnceAndNoSecretReachesAnyLine() {
        h.wiremock.stubFor(post(urlEqualTo(STUB_BASE + "/token")).willReturn(okJson("{\"access_token\":\"" + ACCESS
                + "\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"" + REFRESH + "\"}")));
        String state = state(browser.send(oauth, authorizeEvent()));
        LogCapture.clear();
        APIGatewayV2HTTPEvent callback = callbackEvent("code=rt-code-1&state=" + state);

        APIGatewayV2HTTPResponse res = oauth.handleRequest(callback, null);

        assertThat(res.getHeaders().get("Location")).contains("connected=generic");
        assertThat(requestLine(callback, "OAuthHandler").get("outcome").asText()).isEqualTo("ok");
        assertThat(Telemetry.sum("ConnectionsCompleted", Map.of("Provider", "generic"))).isEqualTo(1);
        assertThat(LogCapture.all()).doesNotContain(ACCESS).doesNotContain(REFRESH).doesNotContain("rt-code-1")
                .doesNotContain(Harness.clientSecret("generic"));
    }

    @Test
    void anUnknownPathIsOneLineWithItsStatus() {
        APIGatewayV2HTTPEvent event = ApiEvents.get("/oauth/generic/elsewhere", "", null, null);
        oauth.handleRequest(event, null);
        JsonNode line = requestLine(event, "OAuthHandler");
        assertThat(line.get("outcome").asText()).isEqualTo("http_404");
        assertThat(Telemetry.metricDocuments()).isEmpty();
    }

    @Test
    void anApiKeyConnectIsOneLineAndCountsStartedThenCompletedOrFailed() {
        Harness keys = Harness.forFunction("StripeFunction");
        String prefix = "rt-keys-" + UUID.randomUUID();
        ProviderSpec spec = ConnectEvents.movedTo(keys, "stripe", prefix);
        String path = URI.create(spec.validation().url()).getPath();
        ApiKeyHandler handler = new ApiKeyHandler(keys.services(), spec);
        String key = "rk_test_EXAMPLE_" + UUID.randomUUID();

        keys.wiremock.stubFor(get(urlPathEqualTo(path)).willReturn(okJson("{\"object\":\"balance\"}")));
        APIGatewayV2HTTPEvent good = ConnectEvents.request("PUT", "/connections/stripe", ConnectEvents.json(Map.of("apiKey", key)),
                ConnectEvents.claims(tenant, "user-1"));
        assertThat(handler.handleRequest(good, null).getStatusCode()).isEqualTo(200);

        keys.wiremock.stubFor(get(urlPathEqualTo(path)).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":{\"message\":\"Invalid API Key\"}}")));
        APIGatewayV2HTTPEvent bad = ConnectEvents.request("PUT", "/connections/stripe", ConnectEvents.json(Map.of("apiKey", key)),
                ConnectEvents.claims(tenant, "user-1"));
        assertThat(handler.handleRequest(bad, null).getStatusCode()).isEqualTo(400);

        assertThat(requestLine(good, "ApiKeyHandler").get("outcome").asText()).isEqualTo("ok");
        JsonNode failed = requestLine(bad, "ApiKeyHandler");
        assertThat(failed.get("outcome").asText()).isEqualTo("invalid_api_key");
        assertThat(failed.get("status").asInt()).isEqualTo(400);
        assertThat(failed.get("provider").asText()).isEqualTo("stripe");
        assertThat(Telemetry.sum("ConnectionsStarted", Map.of("Provider", "stripe"))).isEqualTo(2);
        assertThat(Telemetry.sum("ConnectionsCompleted", Map.of("Provider", "stripe"))).isEqualTo(1);
        assertThat(Telemetry.sum("ConnectionsFailed", Map.of("Provider", "stripe", "ErrorCode", "invalid_api_key"))).isEqualTo(1);
        assertThat(LogCapture.all()).doesNotContain(key);
    }

    @Test
    void aLinkTokenRequestIsOneLineAndABadCallbackCountsAsFailed() {
        Harness link = Harness.forFunction("PlaidFunction");
        String prefix = "rt-link-" + UUID.randomUUID();
        ProviderSpec spec = ConnectEvents.movedTo(link, "plaid", prefix);
        link.providerSecret("plaid", Map.of());
        String createPath = URI.create(spec.link().createUrl().replace("{env_host}", spec.defaults().get("env_host"))).getPath();
        link.wiremock.stubFor(post(urlPathEqualTo(createPath)).willReturn(okJson(
                "{\"expiration\":\"2025-11-26T10:55:00Z\",\"link_token\":\"link-sandbox-EXAMPLE-rt\",\"request_id\":\"r\"}")));
        LinkTokenHandler handler = new LinkTokenHandler(link.services(), spec);

        APIGatewayV2HTTPEvent start = ConnectEvents.request("GET", "/oauth/plaid/authorize", null, ConnectEvents.claims(tenant, "user-1"));
        assertThat(handler.handleRequest(start, null).getStatusCode()).isEqualTo(200);
        APIGatewayV2HTTPEvent callback = ConnectEvents.request("POST", "/oauth/plaid/callback",
                ConnectEvents.json(Map.of("public_token", "public-sandbox-EXAMPLE-rt", "state", "v1.forged.state")),
                ConnectEvents.claims(tenant, "user-1"));
        assertThat(handler.handleRequest(callback, null).getStatusCode()).isEqualTo(400);

        assertThat(requestLine(start, "LinkTokenHandler").get("outcome").asText()).isEqualTo("ok");
        assertThat(requestLine(callback, "LinkTokenHandler").get("outcome").asText()).isEqualTo("invalid_state");
        assertThat(Telemetry.sum("ConnectionsStarted", Map.of("Provider", "plaid"))).isEqualTo(1);
        assertThat(Telemetry.sum("ConnectionsFailed", Map.of("Provider", "plaid", "ErrorCode", "invalid_state"))).isEqualTo(1);
        assertThat(LogCapture.all()).doesNotContain("link-sandbox-EXAMPLE-rt").doesNotContain("public-sandbox-EXAMPLE-rt")
                .doesNotContain(Harness.clientSecret("plaid"));
    }

    /** The one request line of an event: its request id, the handler's name, a duration. */
    private static JsonNode requestLine(APIGatewayV2HTTPEvent event, String handler) {
        List<JsonNode> lines = Telemetry.requests(event.getRequestContext().getRequestId());
        assertThat(lines).as("request lines for %s", event.getRawPath()).hasSize(1);
        JsonNode line = lines.get(0);
        assertThat(line.get("logger").asText()).isEqualTo(handler);
        assertThat(line.get("duration_ms").isIntegralNumber()).isTrue();
        assertThat(line.get("duration_ms").asLong()).isNotNegative();
        return line;
    }

    private APIGatewayV2HTTPEvent authorizeEvent() {
        return ApiEvents.get("/oauth/generic/authorize", "return_to=" + URLEncoder.encode(RETURN_TO, StandardCharsets.UTF_8),
                Map.of("tenant_id", tenant, "sub", "user-7"), Map.of("accept", "application/json"));
    }

    private APIGatewayV2HTTPEvent callbackEvent(String rawQuery) {
        return browser.withCookies(ApiEvents.get("/oauth/generic/callback", rawQuery, null, null));
    }

    private static String state(APIGatewayV2HTTPResponse authorized) {
        try {
            String url = JSON.readTree(authorized.getBody()).get("authorizationUrl").asText();
            for (String pair : URI.create(url).getRawQuery().split("&")) {
                if (pair.startsWith("state=")) return java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
            }
            throw new AssertionError("no state in " + url);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
