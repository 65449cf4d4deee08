package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.link.LinkFlow;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.tokens.Connection;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The link-token flow (registry authType {@code link_token}) through the real handler, the stand-ins and
 * WireMock answering with the provider's documented shapes: a link token for the tenant's user, the
 * public token exchanged once, the state single-use and bound to the tenant that started it.
 */
class LinkTokenHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCESS_TOKEN = "access-sandbox-EXAMPLE-" + UUID.randomUUID();
    private static final String PUBLIC_TOKEN = "public-sandbox-EXAMPLE-" + UUID.randomUUID();
    private static final String ITEM_ID = "EXAMPLEitemId0123456789";

    static {
        LogCapture.install();
    }

    static Stream<String> linkProviders() {
        return ProviderRegistry.allIds().stream().filter(id -> ProviderSpec.LINK_TOKEN.equals(ProviderRegistry.load(id).authTypeOrDefault()));
    }

    private static final class Setup {
        final String provider;
        final Harness h;
        final ProviderSpec spec;
        final String base;
        final String createPath;
        final String exchangePath;
        final String tenant = "tenant-" + UUID.randomUUID();
        final LinkTokenHandler handler;

        Setup(String provider, Map<String, String> secretExtra) {
            this.provider = provider;
            this.h = Harness.forFunction(provider.substring(0, 1).toUpperCase() + provider.substring(1) + "Function");
            String prefix = "link-" + UUID.randomUUID();
            this.spec = ConnectEvents.movedTo(h, provider, prefix);
            this.base = h.wiremock.baseUrl() + "/" + prefix;
            h.providerSecret(provider, secretExtra);
            String host = spec.defaults().get("env_host");
            this.createPath = URI.create(spec.link().createUrl().replace("{env_host}", host)).getPath();
            this.exchangePath = URI.create(spec.link().exchangeUrl().replace("{env_host}", host)).getPath();
            this.handler = new LinkTokenHandler(h.services(), spec);
            created(200, "{\"expiration\":\"2025-11-26T10:55:00Z\",\"link_token\":\"link-sandbox-EXAMPLE-1\",\"request_id\":\"req1\"}");
            exchanged(200, "{\"access_token\":\"" + ACCESS_TOKEN + "\",\"item_id\":\"" + ITEM_ID + "\",\"request_id\":\"req2\"}");
        }

        Setup(String provider) {
            this(provider, Map.of());
        }

        void created(int status, String body) {
            h.wiremock.stubFor(post(urlPathEqualTo(createPath)).willReturn(aResponse().withStatus(status)
                    .withHeader("Content-Type", body.startsWith("<") ? "text/html" : "application/json").withBody(body)));
        }

        void exchanged(int status, String body) {
            h.wiremock.stubFor(post(urlPathEqualTo(exchangePath)).willReturn(aResponse().withStatus(status)
                    .withHeader("Content-Type", body.startsWith("<") ? "text/html" : "application/json").withBody(body)));
        }

        APIGatewayV2HTTPResponse authorize(String tenantId) {
            return handler.handleRequest(ConnectEvents.request("GET", "/oauth/" + provider + "/authorize", null,
                    ConnectEvents.claims(tenantId, "user-1")), null);
        }

        String state() throws Exception {
            APIGatewayV2HTTPResponse res = authorize(tenant);
            assertThat(res.getStatusCode()).as(res.getBody()).isEqualTo(200);
            return JSON.readTree(res.getBody()).get("state").asText();
        }

        APIGatewayV2HTTPResponse callback(String tenantId, String state) {
            return handler.handleRequest(ConnectEvents.request("POST", "/oauth/" + provider + "/callback",
                    ConnectEvents.json(Map.of("public_token", PUBLIC_TOKEN, "state", state)), ConnectEvents.claims(tenantId, "user-1")), null);
        }

        List<LoggedRequest> exchanges() {
            return h.wiremock.findAll(postRequestedFor(urlPathEqualTo(exchangePath)));
        }
    }

    private static String code(APIGatewayV2HTTPResponse res) throws Exception {
        return JSON.readTree(res.getBody()).at("/error/code").asText();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkProviders")
    void theFlowStoresTheAccessTokenEncryptedWithItsItemAndStartsTheSync(String provider) throws Exception {
        Setup s = new Setup(provider);
        LogCapture.clear();

        APIGatewayV2HTTPResponse started = s.authorize(s.tenant);
        assertThat(started.getStatusCode()).as(started.getBody()).isEqualTo(200);
        JsonNode startedBody = JSON.readTree(started.getBody());
        assertThat(startedBody.get("linkToken").asText()).isEqualTo("link-sandbox-EXAMPLE-1");
        assertThat(startedBody.get("state").asText()).startsWith("v1.");

        // the create call: client credentials in the body, an opaque user id, products, 3 months of history
        JsonNode create = JSON.readTree(s.h.wiremock.findAll(postRequestedFor(urlPathEqualTo(s.createPath))).get(0).getBodyAsString());
        assertThat(create.get("client_id").asText()).isEqualTo(provider + "-client-id");
        assertThat(create.get("secret").asText()).isEqualTo(Harness.clientSecret(provider));
        String userId = create.at("/user/client_user_id").asText();
        assertThat(userId).isEqualTo(LinkFlow.opaqueUserId(s.tenant, "user-1")).doesNotContain(s.tenant).doesNotContain("user-1").hasSize(32);
        assertThat(create.get("products").toString()).isEqualTo("[\"transactions\"]");
        assertThat(create.at("/transactions/days_requested").asInt()).isGreaterThanOrEqualTo(90);
        assertThat(create.get("client_name").asText()).isEqualTo("Connectors");
        assertThat(create.get("country_codes").isArray()).isTrue();

        APIGatewayV2HTTPResponse done = s.callback(s.tenant, startedBody.get("state").asText());
        assertThat(done.getStatusCode()).as(done.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(done.getBody());
        assertThat(body.get("connected").asBoolean()).isTrue();
        assertThat(done.getBody()).doesNotContain(ACCESS_TOKEN).doesNotContain(PUBLIC_TOKEN);

        JsonNode exchange = JSON.readTree(s.exchanges().get(0).getBodyAsString());
        assertThat(exchange.get("public_token").asText()).isEqualTo(PUBLIC_TOKEN);
        assertThat(exchange.get("client_id").asText()).isEqualTo(provider + "-client-id");
        assertThat(exchange.get("secret").asText()).isEqualTo(Harness.clientSecret(provider));

        // after a restart (new clients, new caches)
        Connection c = s.h.services().tokenStore().get(s.tenant, provider).orElseThrow();
        assertThat(c.accessToken()).isEqualTo(ACCESS_TOKEN);
        assertThat(c.refreshToken()).isNull();
        assertThat(c.expiresAt()).isNull();
        assertThat(c.metadata()).containsEntry("item_id", ITEM_ID);
        assertThat(c.scopes()).containsExactly("transactions");
        SyncJob job = s.h.services().jobStore().get(body.get("syncJobId").asText()).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.queued);
        assertThat(Duration.between(job.windowStart(), job.windowEnd()).toDays()).isBetween(89L, 92L);

        assertThat(LogCapture.all()).doesNotContain(ACCESS_TOKEN).doesNotContain(PUBLIC_TOKEN)
                .doesNotContain(Harness.clientSecret(provider)).doesNotContain("link-sandbox-EXAMPLE-1");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkProviders")
    void aReusedTamperedOrOtherTenantsStateFailsAndNothingIsStored(String provider) throws Exception {
        Setup s = new Setup(provider);

        // reused: the second use finds no session, the provider is asked once
        String state = s.state();
        assertThat(s.callback(s.tenant, state).getStatusCode()).isEqualTo(200);
        APIGatewayV2HTTPResponse reused = s.callback(s.tenant, state);
        assertThat(reused.getStatusCode()).isEqualTo(400);
        assertThat(code(reused)).isEqualTo("state_reused");
        assertThat(s.exchanges()).hasSize(1);

        // tampered: one character of the payload changed
        Setup t = new Setup(provider);
        String good = t.state();
        int i = good.indexOf('.') + 3;
        String tampered = good.substring(0, i) + (good.charAt(i) == 'A' ? 'B' : 'A') + good.substring(i + 1);
        assertThat(code(t.callback(t.tenant, tampered))).isEqualTo("invalid_state");
        assertThat(code(t.callback(t.tenant, "v1.bm9wZQ.AAAA"))).isEqualTo("invalid_state");
        assertThat(t.exchanges()).isEmpty();

        // another tenant presenting a stolen state: refused, and the state is burnt for everyone
        String other = "tenant-" + UUID.randomUUID();
        APIGatewayV2HTTPResponse stolen = t.callback(other, good);
        assertThat(stolen.getStatusCode()).isEqualTo(400);
        assertThat(code(stolen)).isEqualTo("invalid_state");
        assertThat(code(t.callback(t.tenant, good))).isEqualTo("state_reused");
        assertThat(t.exchanges()).isEmpty();
        assertThat(t.h.services().tokenStore().get(other, provider)).isEmpty();
        assertThat(t.h.services().tokenStore().get(t.tenant, provider)).isEmpty();

        // expired: the 10-minute state outlived
        Setup e = new Setup(provider);
        String late = e.state();
        e.h.clock.advance(Duration.ofMinutes(11));
        assertThat(code(e.callback(e.tenant, late))).isEqualTo("state_expired");
        assertThat(e.exchanges()).isEmpty();

        // a state for another provider's flow is not this flow's
        Setup m = new Setup(provider);
        String foreign = m.h.services().stateCodec().encode("nonce-" + UUID.randomUUID(), "slack", m.h.clock.instant().plusSeconds(60));
        assertThat(code(m.callback(m.tenant, foreign))).isEqualTo("invalid_state");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkProviders")
    void providerErrorsBecomeFriendlyErrorsAndNothingIsStored(String provider) throws Exception {
        String plaidError = "{\"display_message\":null,\"error_code\":\"%s\",\"error_message\":\"%s\",\"error_type\":\"%s\",\"request_id\":\"r\"}";
        Object[][] exchangeCases = {
                {400, plaidError.formatted("INVALID_PUBLIC_TOKEN", "provided public token is expired", "INVALID_INPUT"), "invalid_grant", false},
                {400, plaidError.formatted("INVALID_API_KEYS", "invalid client_id or secret provided", "INVALID_INPUT"), "invalid_client", false},
                {503, "<!DOCTYPE html><html><head><title>503 Service Unavailable</title></head><body>down</body></html>", "provider_html_error", true},
                {500, plaidError.formatted("INTERNAL_SERVER_ERROR", "an unexpected error occurred", "API_ERROR"), "provider_unavailable", true},
                {429, plaidError.formatted("RATE_LIMIT", "rate limit exceeded", "RATE_LIMIT_EXCEEDED"), "rate_limited", true},
                {200, "{\"item_id\":\"x\",\"request_id\":\"r\"}", "provider_error", true},
        };
        for (Object[] c : exchangeCases) {
            Setup s = new Setup(provider);
            s.exchanged((int) c[0], (String) c[1]);
            String state = s.state();
            LogCapture.clear();
            APIGatewayV2HTTPResponse res = s.callback(s.tenant, state);
            JsonNode error = JSON.readTree(res.getBody()).get("error");
            assertThat(error.get("code").asText()).as("exchange HTTP %s %s", c[0], c[1]).isEqualTo(c[2]);
            assertThat(error.get("retryable").asBoolean()).isEqualTo(c[3]);
            assertThat(error.get("message").asText()).contains("Plaid".equals(ProviderRegistry.load(provider).displayName()) ? "Plaid" : "")
                    .doesNotContain("<").doesNotContain("expired").doesNotContain("client_id");
            assertThat(s.h.services().tokenStore().get(s.tenant, provider)).isEmpty();
            assertThat(LogCapture.all()).doesNotContain(PUBLIC_TOKEN).doesNotContain(Harness.clientSecret(provider));
        }

        Object[][] createCases = {
                {400, plaidError.formatted("INVALID_API_KEYS", "invalid client_id or secret provided", "INVALID_INPUT"), "invalid_client"},
                {500, plaidError.formatted("INTERNAL_SERVER_ERROR", "an unexpected error occurred", "API_ERROR"), "provider_unavailable"},
                {200, "<html><head><title>Maintenance</title></head></html>", "provider_html_error"},
                {200, "{\"request_id\":\"r\"}", "provider_error"},
        };
        for (Object[] c : createCases) {
            Setup s = new Setup(provider);
            s.created((int) c[0], (String) c[1]);
            APIGatewayV2HTTPResponse res = s.authorize(s.tenant);
            assertThat(code(res)).as("create HTTP %s %s", c[0], c[1]).isEqualTo(c[2]);
            assertThat(res.getBody()).doesNotContain("state");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkProviders")
    void theEnvironmentHostComesFromTheSecretAndAMissingSecretIsNotConfigured(String provider) throws Exception {
        Setup s = new Setup(provider);
        String production = s.base + "/production";
        s.h.providerSecret(provider, Map.of("env_host", production, "scopes", "transactions,auth"));
        s.h.wiremock.stubFor(post(urlPathEqualTo(URI.create(production).getPath() + "/link/token/create"))
                .willReturn(okJson("{\"link_token\":\"link-production-EXAMPLE\",\"expiration\":\"x\",\"request_id\":\"r\"}")));
        APIGatewayV2HTTPResponse res = s.authorize(s.tenant);
        assertThat(JSON.readTree(res.getBody()).get("linkToken").asText()).isEqualTo("link-production-EXAMPLE");
        JsonNode create = JSON.readTree(s.h.wiremock.findAll(postRequestedFor(urlPathEqualTo(URI.create(production).getPath()
                + "/link/token/create"))).get(0).getBodyAsString());
        assertThat(create.get("products").toString()).isEqualTo("[\"transactions\",\"auth\"]");

        // a secret without client credentials (a half-done deployment)
        Harness bare = Harness.forFunction(provider.substring(0, 1).toUpperCase() + provider.substring(1) + "Function");
        dev.connectors.testing.WireMockStandIn.stubSecret(bare.wiremock, bare.secretId(provider), "{\"client_id\":\"only-an-id\"}");
        bare.set(dev.connectors.config.Settings.PROVIDER_SECRET_ID, bare.secretId(provider));
        APIGatewayV2HTTPResponse unconfigured = new LinkTokenHandler(bare.services(), s.spec).handleRequest(ConnectEvents.request("GET",
                "/oauth/" + provider + "/authorize", null, ConnectEvents.claims("t", "u")), null);
        assertThat(unconfigured.getStatusCode()).isEqualTo(500);
        assertThat(code(unconfigured)).isEqualTo("not_configured");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("linkProviders")
    void bothRoutesNeedTheTenantClaimAndAWellFormedBody(String provider) throws Exception {
        Setup s = new Setup(provider);
        assertThat(s.handler.handleRequest(ConnectEvents.request("GET", "/oauth/" + provider + "/authorize", null, null), null)
                .getStatusCode()).isEqualTo(401);
        String state = s.state();
        assertThat(s.handler.handleRequest(ConnectEvents.request("POST", "/oauth/" + provider + "/callback",
                ConnectEvents.json(Map.of("public_token", PUBLIC_TOKEN, "state", state)), null), null).getStatusCode()).isEqualTo(401);
        for (String body : new String[]{"", "[]", "{\"state\":\"" + state + "\"}", "{\"public_token\":\"a b\",\"state\":\"" + state + "\"}",
                "{\"public_token\":\"p\",\"state\":\"" + state + "\",\"more\":1}", "{\"public_token\":\"p\"}"}) {
            APIGatewayV2HTTPResponse res = s.handler.handleRequest(ConnectEvents.request("POST", "/oauth/" + provider + "/callback",
                    body, ConnectEvents.claims(s.tenant, "user-1")), null);
            assertThat(res.getStatusCode()).as(body).isEqualTo(400);
            assertThat(code(res)).as(body).isIn("invalid_request", "invalid_state", "state_reused");
        }
        assertThat(s.exchanges()).isEmpty();
        assertThat(s.handler.handleRequest(ConnectEvents.request("GET", "/oauth/" + provider + "/callback", null,
                ConnectEvents.claims(s.tenant, "u")), null).getStatusCode()).isEqualTo(404);
    }
}
