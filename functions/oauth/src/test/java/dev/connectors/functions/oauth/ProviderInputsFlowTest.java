package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Browser;
import dev.connectors.testkit.Harness;
import dev.connectors.tokens.Connection;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-connection inputs through the real handler: a shop taken (and validated) at authorize travels
 * in the server-side session, a realm id arrives on the callback, and both end up in the metadata.
 */
class ProviderInputsFlowTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final String tenant = "tenant-" + UUID.randomUUID();
    private final Browser browser = new Browser();

    private static ProviderSpec genericWithInputs() throws Exception {
        ObjectNode node = JSON.valueToTree(ProviderRegistry.load("generic"));
        node.put("authorizeUrl", "https://{shop}/admin/oauth/authorize");
        node.set("inputs", JSON.readTree("""
                [{"name":"shop","from":"authorize","param":"shop","pattern":"[a-z0-9][a-z0-9-]{0,60}\\\\.myshopify\\\\.com","example":"acme.myshopify.com"},
                 {"name":"realm_id","from":"callback","param":"realmId","pattern":"[0-9]{1,30}","example":"4620816365"}]"""));
        return JSON.treeToValue(node, ProviderSpec.class);
    }

    private OAuthHandler handler(Harness h) throws Exception {
        String base = h.wiremock.baseUrl() + "/inputs-flow";
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        h.wiremock.stubFor(post(urlEqualTo("/inputs-flow/token"))
                .willReturn(okJson("{\"access_token\":\"in-tok\",\"token_type\":\"Bearer\"}")));
        return new OAuthHandler(h.services(), genericWithInputs());
    }

    private APIGatewayV2HTTPResponse authorize(OAuthHandler handler, String shop) {
        return browser.send(handler, ApiEvents.get("/oauth/generic/authorize", "shop=" + shop,
                Map.of("tenant_id", tenant, "sub", "u"), Map.of("accept", "application/json")));
    }

    @Test
    void aValidatedShopAndACallbackRealmIdReachTheProviderUrlAndTheMetadata() throws Exception {
        Harness h = Harness.forFunction("GenericFunction");
        OAuthHandler handler = handler(h);

        APIGatewayV2HTTPResponse started = authorize(handler, "acme-store.myshopify.com");
        URI url = URI.create(JSON.readTree(started.getBody()).get("authorizationUrl").asText());
        assertThat(url.getHost()).isEqualTo("acme-store.myshopify.com");
        String state = URLDecoder.decode(url.getRawQuery().replaceAll(".*state=([^&]+).*", "$1"), StandardCharsets.UTF_8);

        APIGatewayV2HTTPResponse done = browser.send(handler, ApiEvents.get("/oauth/generic/callback",
                "code=c&realmId=4620816365&state=" + state, null, null));

        assertThat(done.getStatusCode()).isEqualTo(200);
        Connection c = h.services().tokenStore().get(tenant, "generic").orElseThrow();
        assertThat(c.metadata()).containsEntry("shop", "acme-store.myshopify.com").containsEntry("realm_id", "4620816365");
    }

    @Test
    void aShopOutsideItsPatternIsRefusedAtAuthorizeAndNothingIsStarted() throws Exception {
        Harness h = Harness.forFunction("GenericFunction");
        APIGatewayV2HTTPResponse res = authorize(handler(h), "evil.example%2F.myshopify.com");
        assertThat(res.getStatusCode()).isEqualTo(400);
        assertThat(res.getBody()).contains("invalid_request").doesNotContain("evil.example");
    }
}
