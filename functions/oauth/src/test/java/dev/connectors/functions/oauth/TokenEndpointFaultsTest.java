package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.ProviderFault;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every OAuth 2.0 provider of the registry × every {@link ProviderFault} on its token endpoint, during the
 * code exchange: the callback ends in the documented error code, stores nothing, and sent
 * the code exactly once (a code is single-use: an exchange is never retried automatically, whatever failed).
 * Runs with the production 2 MiB body cap and a 600 ms total timeout ({@link ProviderFault#HTTP}).
 */
class TokenEndpointFaultsTest {
    private static final Map<ProviderFault, String> EXPECTED = Map.ofEntries(
            Map.entry(ProviderFault.HTML_AS_JSON, "provider_html_error"),
            Map.entry(ProviderFault.OK_WITH_ERROR_BODY, "provider_error"),
            Map.entry(ProviderFault.SERVER_ERROR, "provider_unavailable"),
            Map.entry(ProviderFault.UNAVAILABLE_TEXT, "provider_unavailable"),
            Map.entry(ProviderFault.RATE_LIMITED, "rate_limited"),
            Map.entry(ProviderFault.CONNECTION_RESET, "provider_unavailable"),
            Map.entry(ProviderFault.SLOW_BODY, "provider_unavailable"),
            Map.entry(ProviderFault.TRUNCATED_CHUNKED, "provider_unavailable"),
            Map.entry(ProviderFault.GIGANTIC, "provider_error"),
            Map.entry(ProviderFault.WRONG_TYPES, "provider_error"),
            Map.entry(ProviderFault.JSON_ARRAY, "provider_error"));

    private static Harness h;

    static {
        LogCapture.install();
    }

    @BeforeAll
    static void harness() {
        h = Harness.forFunction("GenericFunction");
    }

    static Stream<Arguments> providersAndFaults() {
        return OAuthSecurityChecklistTest.oauth2Providers()
                .flatMap(p -> Stream.of(ProviderFault.values()).map(f -> Arguments.of(p, f)));
    }

    @ParameterizedTest(name = "{0} token endpoint: {1}")
    @MethodSource("providersAndFaults")
    void aFailingTokenEndpointEndsInItsErrorCodeAfterExactlyOneRequest(String provider, ProviderFault fault) {
        ProviderFixtures f = ProviderFixtures.of(provider);
        h.providerSecret(provider, f.config(h.wiremock.baseUrl()));
        ConnectDriver d = new ConnectDriver(h, h.rebased(provider), new OAuthHandler(h.services(ProviderFault.HTTP), h.rebased(provider)));
        ProviderConfig config = h.services().providerConfig(provider).withValues(f.inputs()).withDefaults(d.spec);
        String tokenPath = ProviderFixtures.path(d.spec.tokenUrl(), config);
        String code = "fault-code-" + UUID.randomUUID();
        StubMapping stub = h.wiremock.stubFor(post(urlPathEqualTo(tokenPath)).atPriority(1).willReturn(fault.response()));
        try {
            String state = d.start(ConnectDriver.RETURN_TO, f.authorizeQuery()).get("state");

            APIGatewayV2HTTPResponse res = d.callback(f.callbackQuery("code=" + code + "&state=" + ConnectDriver.encode(state)));

            assertThat(ConnectDriver.redirectParams(res)).as("%s %s", provider, fault)
                    .containsEntry("error", EXPECTED.get(fault)).doesNotContainKey("connected");
            assertThat(h.wiremock.findAll(postRequestedFor(urlPathEqualTo(tokenPath)).withRequestBody(containing(code))))
                    .as("exchanges sent").hasSize(1);
            assertThat(d.stored()).isEmpty();
            assertThat(res.getHeaders().get("Location")).doesNotContain("502 Bad Gateway").doesNotContain("server_error")
                    .doesNotContain("ggggggggggggggggg");
            ConnectDriver.assertNoSecretIn(res);
        } finally {
            h.wiremock.removeStub(stub);
        }
    }
}
