package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * PUT /connections/{provider} for every API-key provider of the registry, through the real handler, the
 * stand-ins and WireMock answering with the provider's documented shapes ({@code apikey/<id>.json}).
 */
class ApiKeyHandlerTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        LogCapture.install();
    }

    static Stream<String> apiKeyProviders() {
        return ProviderRegistry.allIds().stream().filter(id -> ProviderSpec.API_KEY.equals(ProviderRegistry.load(id).authTypeOrDefault()));
    }

    /** One provider wired for a test: its own WireMock prefix, so tests never share stubs. */
    private static final class Setup {
        final String provider;
        final Harness h;
        final ProviderSpec spec;
        final JsonNode fixture;
        final String validationPath;
        final String tenant = "tenant-" + UUID.randomUUID();
        final String key = "EXAMPLE-" + UUID.randomUUID() + "-KEY";

        Setup(String provider) throws Exception {
            this.provider = provider;
            this.h = Harness.forFunction(ProviderRegistry.load(provider).id().substring(0, 1).toUpperCase()
                    + camelTail(provider) + "Function");
            this.spec = ConnectEvents.movedTo(h, provider, "keys-" + UUID.randomUUID());
            this.validationPath = URI.create(spec.validation().url()).getPath();
            try (InputStream in = getClass().getResourceAsStream("/apikey/" + provider + ".json")) {
                assertThat(in).as("fixture apikey/%s.json", provider).isNotNull();
                this.fixture = JSON.readTree(in);
            }
        }

        void answer(String name) {
            JsonNode a = fixture.get(name);
            h.wiremock.stubFor(get(urlPathEqualTo(validationPath)).willReturn(aResponse().withStatus(a.get("status").asInt())
                    .withHeader("Content-Type", "application/json").withBody(a.get("body").toString())));
        }

        void answer(int status, String contentType, String body) {
            h.wiremock.stubFor(get(urlPathEqualTo(validationPath)).willReturn(aResponse().withStatus(status)
                    .withHeader("Content-Type", contentType).withBody(body)));
        }

        APIGatewayV2HTTPResponse put(String tenantId, String body) {
            return new ApiKeyHandler(h.services(), spec).handleRequest(ConnectEvents.request("PUT", "/connections/" + provider,
                    body, ConnectEvents.claims(tenantId, "user-1")), null);
        }

        APIGatewayV2HTTPResponse put(String apiKey) {
            return put(tenant, ConnectEvents.json(Map.of("apiKey", apiKey)));
        }

        int validationCalls() {
            return h.wiremock.findAll(getRequestedFor(urlPathEqualTo(validationPath))).size();
        }
    }

    private static String camelTail(String id) {
        StringBuilder out = new StringBuilder();
        boolean up = false;
        for (char c : id.substring(1).toCharArray()) {
            if (c == '_') { up = true; continue; }
            out.append(up ? Character.toUpperCase(c) : c);
            up = false;
        }
        return out.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apiKeyProviders")
    void aValidKeyIsStoredEncryptedSurvivesARestartAndStartsTheThreeMonthSync(String provider) throws Exception {
        Setup s = new Setup(provider);
        s.answer("success");
        LogCapture.clear();

        APIGatewayV2HTTPResponse res = s.put("  " + s.key + "\n"); // pasted with whitespace around it

        assertThat(res.getStatusCode()).as(res.getBody()).isEqualTo(200);
        JsonNode body = JSON.readTree(res.getBody());
        assertThat(body.path("connected").asBoolean()).isTrue();
        assertThat(body.path("status").asText()).isEqualTo("active");
        assertThat(res.getBody()).doesNotContain(s.key);
        assertThat(res.getHeaders()).containsEntry("Cache-Control", "no-store");

        // exactly one validation call, with the key in the documented scheme
        var calls = s.h.wiremock.findAll(getRequestedFor(urlPathEqualTo(s.validationPath)));
        assertThat(calls).hasSize(1);
        String expected = s.fixture.get("expectAuthorization").asText().equals("basic_user")
                ? "Basic " + Base64.getEncoder().encodeToString((s.key + ":").getBytes(StandardCharsets.UTF_8))
                : "Bearer " + s.key;
        assertThat(calls.get(0).getHeader("Authorization")).isEqualTo(expected);

        // a restart: new clients, new caches
        Connection c = s.h.services().tokenStore().get(s.tenant, provider).orElseThrow();
        assertThat(c.accessToken()).isEqualTo(s.key);
        assertThat(c.refreshToken()).isNull();
        assertThat(c.expiresAt()).isNull();
        assertThat(c.status()).isEqualTo(ConnectionStatus.active);
        assertThat(c.connectedBy()).isEqualTo("user-1");
        assertThat(s.h.services().tokenStoreWithoutKeys().list(s.tenant).toString()).doesNotContain(s.key);

        SyncJob job = s.h.services().jobStore().get(body.path("syncJobId").asText()).orElseThrow();
        assertThat(job.tenantId()).isEqualTo(s.tenant);
        assertThat(job.provider()).isEqualTo(provider);
        assertThat(job.status()).isEqualTo(JobStatus.queued);
        assertThat(Duration.between(job.windowStart(), job.windowEnd()).toDays()).isBetween(89L, 92L);
        assertThat(job.windowEnd()).isCloseTo(s.h.clock.instant(), within());

        assertThat(LogCapture.all()).contains("\"connected\"").doesNotContain(s.key);

        // the app hears about it, like after an OAuth callback (and the event never carries the key)
        var events = dev.connectors.testing.StandIns.sqs().receiveMessage(r -> r.queueUrl(s.h.resources.queueUrl("WebhookQueue"))
                .maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
        assertThat(events).anySatisfy(m -> assertThat(m.body()).contains("connection.active").contains(s.tenant));
        assertThat(events).allSatisfy(m -> assertThat(m.body()).doesNotContain(s.key));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apiKeyProviders")
    void aWrongKeyGetsAFriendlyErrorAndNothingIsStored(String provider) throws Exception {
        for (String answer : new String[]{"invalidKey", "forbidden"}) {
            Setup s = new Setup(provider);
            s.answer(answer);
            LogCapture.clear();

            APIGatewayV2HTTPResponse res = s.put(s.key);

            assertThat(res.getStatusCode()).as(answer).isEqualTo(400);
            JsonNode error = JSON.readTree(res.getBody()).get("error");
            assertThat(error.get("code").asText()).isEqualTo("invalid_api_key");
            assertThat(error.get("retryable").asBoolean()).isFalse();
            assertThat(error.get("message").asText()).contains(ProviderRegistry.load(provider).displayName())
                    .doesNotContain("HTTP").doesNotContain("EXAMPLE").doesNotContain("<");
            assertThat(res.getBody()).doesNotContain(s.key);
            assertThat(s.h.services().tokenStore().get(s.tenant, provider)).isEmpty();
            assertThat(s.h.services().jobStore().latestFor(s.tenant, provider)).isEmpty();
            // the provider's message quotes the (masked) key: it stays out of the logs too
            assertThat(LogCapture.all()).contains("invalid_api_key").doesNotContain(s.key).doesNotContain("EXAMPLE-*");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apiKeyProviders")
    void anHtmlPageOrAnOutageIsAFriendlyRetryableErrorAndNothingIsStored(String provider) throws Exception {
        Object[][] cases = {
                {503, "text/html; charset=utf-8", "<!doctype html><html><head><title>Oops backend 503</title></head><body>Back soon</body></html>", "provider_html_error"},
                {200, "text/html", "<html><head><title>Sign in</title></head><body>login</body></html>", "provider_html_error"},
                {500, "application/json", "{\"error\":{\"message\":\"internal\",\"type\":\"api_error\"}}", "provider_unavailable"},
                {429, "application/json", "{\"error\":{\"message\":\"slow down\"}}", "rate_limited"},
                {404, "application/json", "{\"error\":{\"message\":\"no such route\"}}", "provider_error"},
        };
        for (Object[] c : cases) {
            Setup s = new Setup(provider);
            s.answer((int) c[0], (String) c[1], (String) c[2]);
            LogCapture.clear();

            APIGatewayV2HTTPResponse res = s.put(s.key);

            JsonNode error = JSON.readTree(res.getBody()).get("error");
            assertThat(error.get("code").asText()).as("HTTP %s %s", c[0], c[1]).isEqualTo(c[3]);
            assertThat(error.get("retryable").asBoolean()).isTrue();
            assertThat(error.get("message").asText()).doesNotContain("<").doesNotContain("Exception").doesNotContain("Oops");
            assertThat(s.h.services().tokenStore().get(s.tenant, provider)).isEmpty();
            assertThat(LogCapture.all()).doesNotContain(s.key);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apiKeyProviders")
    void somethingThatCannotBeAKeyIsRefusedWithoutCallingTheProvider(String provider) throws Exception {
        Setup s = new Setup(provider);
        s.answer("success");
        String[] bodies = {
                ConnectEvents.json(Map.of("apiKey", "")),
                ConnectEvents.json(Map.of("apiKey", "short")),
                ConnectEvents.json(Map.of("apiKey", "has a space-inside-0123456789")),
                ConnectEvents.json(Map.of("apiKey", "line\r\nInjected: header-0123456789")),
                ConnectEvents.json(Map.of("apiKey", "x".repeat(600))),
                ConnectEvents.json(Map.of("apiKey", s.key, "extra", "field")),
                "{\"apiKey\": 12345678901}",
                "{\"key\": \"" + s.key + "\"}",
                "not json " + s.key,
                "",
        };
        for (String body : bodies) {
            LogCapture.clear();
            APIGatewayV2HTTPResponse res = s.put(s.tenant, body);
            assertThat(res.getStatusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(res.getBody()).at("/error/code").asText()).as(body).isEqualTo("invalid_api_key");
            assertThat(res.getBody()).doesNotContain(s.key);
            assertThat(LogCapture.all()).doesNotContain(s.key).doesNotContain("_crashed");
        }
        assertThat(s.validationCalls()).isZero();
        assertThat(s.h.services().tokenStore().get(s.tenant, provider)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("apiKeyProviders")
    void tenantsAreIsolatedAndAReplacedKeyStartsANewSync(String provider) throws Exception {
        Setup s = new Setup(provider);
        s.answer("success");
        String other = "tenant-" + UUID.randomUUID();
        String otherKey = "EXAMPLE-" + UUID.randomUUID() + "-OTHER";

        String firstJob = JSON.readTree(s.put(s.key).getBody()).path("syncJobId").asText();
        assertThat(s.put(other, ConnectEvents.json(Map.of("apiKey", otherKey))).getStatusCode()).isEqualTo(200);
        assertThat(s.h.services().tokenStore().get(s.tenant, provider).orElseThrow().accessToken()).isEqualTo(s.key);
        assertThat(s.h.services().tokenStore().get(other, provider).orElseThrow().accessToken()).isEqualTo(otherKey);

        // another tenant's rejected key leaves this tenant's connection alone
        s.answer("invalidKey");
        assertThat(s.put(other, ConnectEvents.json(Map.of("apiKey", "EXAMPLE-wrong-key-0000"))).getStatusCode()).isEqualTo(400);
        assertThat(s.h.services().tokenStore().get(s.tenant, provider).orElseThrow().accessToken()).isEqualTo(s.key);
        assertThat(s.h.services().tokenStore().get(other, provider).orElseThrow().accessToken()).as("a failed replacement keeps the old key")
                .isEqualTo(otherKey);

        // a new key for the same tenant replaces the old one and starts its own backfill
        s.answer("success");
        String newKey = s.key + "-ROTATED";
        APIGatewayV2HTTPResponse res = s.put(newKey);
        assertThat(res.getStatusCode()).isEqualTo(200);
        Connection c = s.h.services().tokenStore().get(s.tenant, provider).orElseThrow();
        assertThat(c.accessToken()).isEqualTo(newKey);
        assertThat(c.version()).isEqualTo(2);
        assertThat(JSON.readTree(res.getBody()).path("syncJobId").asText()).isNotEqualTo(firstJob);
    }

    @Test
    void noTenantClaimIsUnauthorizedAndOtherRoutesAreNotFound() throws Exception {
        String provider = apiKeyProviders().findFirst().orElseThrow();
        Setup s = new Setup(provider);
        s.answer("success");
        ApiKeyHandler handler = new ApiKeyHandler(s.h.services(), s.spec);
        String body = ConnectEvents.json(Map.of("apiKey", s.key));

        APIGatewayV2HTTPResponse noClaims = handler.handleRequest(ConnectEvents.request("PUT", "/connections/" + provider, body, null), null);
        assertThat(noClaims.getStatusCode()).isEqualTo(401);
        assertThat(handler.handleRequest(ConnectEvents.request("GET", "/connections/" + provider, null,
                ConnectEvents.claims(s.tenant, "u")), null).getStatusCode()).isEqualTo(404);
        assertThat(handler.handleRequest(ConnectEvents.request("PUT", "/connections/other", body,
                ConnectEvents.claims(s.tenant, "u")), null).getStatusCode()).isEqualTo(404);
        assertThat(s.validationCalls()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"slack", "plaid"})
    void aProviderOfAnotherFlowIsNotConfiguredHere(String other) {
        Harness h = Harness.forFunction("SlackFunction").set("PROVIDER", other);
        APIGatewayV2HTTPResponse res = new ApiKeyHandler(h.services()).handleRequest(ConnectEvents.request("PUT",
                "/connections/" + other, "{\"apiKey\":\"EXAMPLE-0123456789\"}", ConnectEvents.claims("t", "u")), null);
        assertThat(res.getStatusCode()).isEqualTo(500);
        assertThat(res.getBody()).contains("not_configured");
    }

    private static org.assertj.core.data.TemporalUnitOffset within() {
        return new org.assertj.core.data.TemporalUnitWithinOffset(5, ChronoUnit.SECONDS);
    }
}
