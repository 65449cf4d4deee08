package dev.connectors.providers.quirks;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderHttp;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.oauth.TokenSet;
import dev.connectors.providers.ProviderQuirks;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.testing.WireMockStandIn;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The second leg of Meta's login, against WireMock answering as graph.facebook.com. */
class FacebookLongLivedTokenTest {
    private static final Instant NOW = Instant.parse("2025-06-01T10:00:00Z");
    private final WireMockServer wiremock = WireMockStandIn.shared();
    private final String prefix = "/fb-" + UUID.randomUUID();
    private final ProviderHttp http = new ProviderHttp(Duration.ofSeconds(2), Duration.ofSeconds(3), 64 * 1024);
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    private ProviderSpec spec() {
        // the registry entry, moved onto WireMock the way the checklist moves it
        ProviderSpec real = dev.connectors.providers.ProviderRegistry.load("whatsapp");
        assertThat(real.quirk()).isEqualTo("facebook_long_lived_token");
        try {
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            String moved = json.writeValueAsString(real).replace("https://graph.facebook.com", wiremock.baseUrl() + prefix);
            return json.readValue(moved, ProviderSpec.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private ProviderConfig config(ProviderSpec spec) {
        return new ProviderConfig("app-id-1", "app-secret-do-not-log", Map.of()).withDefaults(spec);
    }

    private TokenSet shortLived() {
        return new TokenSet("short-lived-1", null, "Bearer", List.of("whatsapp_business_messaging"), NOW.plusSeconds(3600),
                Map.of("seen", "yes"));
    }

    private String path() {
        return prefix + "/v22.0/oauth/access_token";
    }

    private TokenSet run() {
        ProviderSpec spec = spec();
        return ProviderQuirks.of(spec).afterExchange(shortLived(), spec, config(spec), http, clock);
    }

    @Test
    void tradesTheShortLivedTokenForALongLivedOneAndKeepsScopesAndMetadata() {
        wiremock.stubFor(get(urlPathEqualTo(path())).willReturn(okJson(
                "{\"access_token\":\"long-lived-1\",\"token_type\":\"bearer\",\"expires_in\":5183944}")));

        TokenSet out = run();

        assertThat(out.accessToken()).isEqualTo("long-lived-1");
        assertThat(out.refreshToken()).isNull();
        assertThat(out.expiresAt()).isEqualTo(NOW.plusSeconds(5183944));
        assertThat(out.scopes()).containsExactly("whatsapp_business_messaging");
        assertThat(out.metadata()).containsEntry("seen", "yes");
        LoggedRequest sent = wiremock.findAll(getRequestedFor(urlPathEqualTo(path()))).get(0);
        assertThat(sent.queryParameter("grant_type").firstValue()).isEqualTo("fb_exchange_token");
        assertThat(sent.queryParameter("client_id").firstValue()).isEqualTo("app-id-1");
        assertThat(sent.queryParameter("client_secret").firstValue()).isEqualTo("app-secret-do-not-log");
        assertThat(sent.queryParameter("fb_exchange_token").firstValue()).isEqualTo("short-lived-1");
    }

    @Test
    void anHtmlPageOnTheSecondLegIsAProviderHtmlError() {
        wiremock.stubFor(get(urlPathEqualTo(path())).willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody("<!DOCTYPE html><html><head><title>Facebook | Error</title></head><body>Sorry, something went wrong.</body></html>")));
        assertCode(ErrorCode.PROVIDER_HTML_ERROR);
    }

    @Test
    void graphErrorsMapToStableCodes() {
        wiremock.stubFor(get(urlPathEqualTo(path())).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Error validating access token: Session has expired\",\"type\":\"OAuthException\",\"code\":190,\"fbtrace_id\":\"x\"}}")));
        assertCode(ErrorCode.INVALID_GRANT);

        wiremock.stubFor(get(urlPathEqualTo(path())).willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Error validating application. Invalid application ID.\",\"type\":\"OAuthException\",\"code\":101}}")));
        assertCode(ErrorCode.INVALID_CLIENT);

        wiremock.stubFor(get(urlPathEqualTo(path())).willReturn(aResponse().withStatus(503).withHeader("Content-Type", "text/plain").withBody("busy")));
        assertCode(ErrorCode.PROVIDER_UNAVAILABLE);

        wiremock.stubFor(get(urlPathEqualTo(path())).willReturn(okJson("{\"token_type\":\"bearer\"}")));
        assertCode(ErrorCode.PROVIDER_ERROR);
    }

    private void assertCode(ErrorCode code) {
        assertThatThrownBy(this::run).isInstanceOfSatisfying(ConnectorException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.detail()).doesNotContain("app-secret-do-not-log").doesNotContain("short-lived-1");
        });
    }
}
