package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Services;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Browser;
import dev.connectors.testkit.Harness;
import dev.connectors.tokens.Connection;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The whole authorization-code + PKCE + refresh flow against a real OAuth 2.0 server
 * (mock-oauth2-server), through the generic provider configured only by its secret.
 */
class MockOAuth2ServerFlowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static MockOAuth2Server server;
    private static final HttpClient BROWSER = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    private final String tenant = "tenant-" + UUID.randomUUID();
    private final Browser user = new Browser();
    private Harness h;
    private OAuthHandler handler;

    @BeforeAll
    static void startServer() throws Exception {
        server = new MockOAuth2Server();
        server.start(InetAddress.getLoopbackAddress(), 0);
    }

    @AfterAll
    static void stopServer() {
        server.shutdown();
    }

    private void connectGenericTo(String issuer) {
        h = Harness.forFunction("GenericFunction");
        h.providerSecret("generic", Map.of(
                "authorize_url", server.authorizationEndpointUrl(issuer).toString(),
                "token_url", server.tokenEndpointUrl(issuer).toString(),
                "api_base_url", h.wiremock.baseUrl() + "/generic/api",
                "scopes", "openid offline_access"));
        handler = new OAuthHandler(h.services());
    }

    /** What the browser does: follow the authorization URL; the server answers 302 to our callback. */
    private static URI approve(String authorizationUrl) throws Exception {
        HttpResponse<String> res = BROWSER.send(HttpRequest.newBuilder(URI.create(authorizationUrl)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(302);
        return URI.create(res.headers().firstValue("Location").orElseThrow());
    }

    private String startFlow() throws Exception {
        APIGatewayV2HTTPResponse res = user.send(handler, ApiEvents.get("/oauth/generic/authorize",
                "return_to=" + Harness.APP_ORIGIN + "/done", Map.of("tenant_id", tenant, "sub", "u-1"),
                Map.of("accept", "application/json")));
        assertThat(res.getStatusCode()).isEqualTo(200);
        return JSON.readTree(res.getBody()).get("authorizationUrl").asText();
    }

    @Test
    void codeFlowWithPkceStoresTokensAndRefreshRotatesThem() throws Exception {
        connectGenericTo("default");
        URI callback = approve(startFlow());
        assertThat(callback.getPath()).isEqualTo("/oauth/generic/callback");

        APIGatewayV2HTTPResponse done = user.send(handler,
                ApiEvents.get(callback.getPath(), callback.getRawQuery(), null, null));

        assertThat(done.getStatusCode()).isEqualTo(302);
        assertThat(done.getHeaders().get("Location")).isEqualTo(Harness.APP_ORIGIN + "/done?connected=generic");
        Services restarted = h.services();
        Connection stored = restarted.tokenStore().get(tenant, "generic").orElseThrow();
        assertThat(stored.accessToken()).contains("."); // a JWT issued by the server
        assertThat(stored.refreshToken()).isNotBlank();
        assertThat(stored.expiresAt()).isAfter(h.clock.instant());

        Connection refreshed = restarted.tokenRefresher().refresh(h.rebased("generic"),
                restarted.providerConfig("generic"), stored);

        assertThat(refreshed.accessToken()).isNotEqualTo(stored.accessToken());
        assertThat(refreshed.version()).isEqualTo(stored.version() + 1);
        assertThat(restarted.tokenStore().get(tenant, "generic").orElseThrow().accessToken()).isEqualTo(refreshed.accessToken());
    }

    @Test
    void theServerRejectsACodeRedeemedWithTheWrongPkceVerifier() throws Exception {
        connectGenericTo("pkce");
        URI callback = approve(startFlow());
        String code = RedirectQuery.param(callback, "code");
        Services services = h.services();
        ProviderSpec spec = h.rebased("generic");
        ProviderConfig config = services.providerConfig("generic");

        assertThatThrownBy(() -> services.oauth().exchangeCode(spec, config, code,
                "https://connect.example.com/oauth/generic/callback", "x".repeat(43)))
                .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_GRANT));
    }

    /** Query parameters of a redirect location. */
    private static final class RedirectQuery {
        static String param(URI uri, String name) {
            for (String pair : uri.getRawQuery().split("&")) {
                if (pair.startsWith(name + "=")) {
                    return java.net.URLDecoder.decode(pair.substring(name.length() + 1), java.nio.charset.StandardCharsets.UTF_8);
                }
            }
            throw new AssertionError("no " + name + " in " + uri);
        }
    }
}
