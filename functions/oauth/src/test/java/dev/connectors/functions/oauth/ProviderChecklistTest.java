package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.oauth.OAuthClient;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.state.Pkce;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Browser;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 7-point checklist of design.md §7, per provider, through the real handler, the real AWS SDK
 * against the stand-ins, and WireMock answering as the provider.
 */
@ExtendWith(ChecklistReport.class)
class ProviderChecklistTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETURN_TO = Harness.APP_ORIGIN + "/settings/integrations";

    static {
        LogCapture.install();
    }

    private final String tenant = "tenant-" + UUID.randomUUID();
    private final Browser browser = new Browser();

    /** Every OAuth 2.0 provider in the registry; each must have a checklist fixture. OAuth 1.0a (Trello) has its own: TrelloChecklistTest. */
    static Stream<String> oauthProviders() {
        return ProviderRegistry.allIds().stream().filter(id -> "oauth2".equals(ProviderRegistry.load(id).authType()));
    }

    /** One provider wired for a test: harness, handler, fixtures, and where its endpoints land on WireMock. */
    private static final class Setup {
        final Harness h;
        final ProviderFixtures f;
        final ProviderSpec spec;
        final OAuthHandler handler;
        final String tokenPath;

        Setup(String provider) {
            f = ProviderFixtures.of(provider);
            h = Harness.forFunction(f.functionId());
            spec = h.rebased(provider);
            h.providerSecret(provider, f.config(h.wiremock.baseUrl()));
            ProviderConfig config = h.services().providerConfig(provider).withValues(f.inputs()).withDefaults(spec);
            tokenPath = ProviderFixtures.path(spec.tokenUrl(), config);
            if (spec.postConnect() != null) {
                // the post-connect URL may name a host from the token response ({api_domain}): the expected metadata has it
                h.wiremock.stubFor(get(urlPathEqualTo(ProviderFixtures.path(spec.postConnect().url(), config.withValues(f.metadata()))))
                        .willReturn(okJson(f.json().path("postConnect").path("body").toString())));
            }
            if (f.json().has("tokenGet")) { // a second leg on the token URL after the exchange (Meta's long-lived token)
                h.wiremock.stubFor(get(urlPathEqualTo(tokenPath)).willReturn(aResponse().withStatus(f.status("tokenGet"))
                        .withHeader("Content-Type", "application/json").withBody(f.body("tokenGet"))));
            }
            handler = new OAuthHandler(h.services(), spec);
        }

        void tokenEndpoint(int status, String contentType, String body) {
            h.wiremock.stubFor(post(urlPathEqualTo(tokenPath))
                    .willReturn(aResponse().withStatus(status).withHeader("Content-Type", contentType).withBody(body)));
        }

        void tokenEndpoint(String response) {
            tokenEndpoint(f.status(response), "application/json", f.body(response));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oauthProviders")
    void everyProviderHasAChecklistFixture(String provider) {
        assertThat(ProviderFixtures.exists(provider)).as("checklist/%s.json", provider).isTrue();
    }

    private APIGatewayV2HTTPResponse authorize(Setup s, String returnTo) {
        String query = returnTo == null ? "" : "return_to=" + java.net.URLEncoder.encode(returnTo, StandardCharsets.UTF_8);
        if (!s.f.authorizeQuery().isEmpty()) query += (query.isEmpty() ? "" : "&") + s.f.authorizeQuery();
        return browser.send(s.handler, ApiEvents.get("/oauth/" + s.f.provider() + "/authorize", query,
                Map.of("tenant_id", tenant, "sub", "user-7"), Map.of("accept", "application/json")));
    }

    private static Map<String, String> params(String url) {
        Map<String, String> out = new HashMap<>();
        String q = URI.create(url).getRawQuery();
        for (String pair : q.split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String authorizationUrl(APIGatewayV2HTTPResponse res) throws Exception {
        assertThat(res.getStatusCode()).isEqualTo(200);
        return JSON.readTree(res.getBody()).get("authorizationUrl").asText();
    }

    private APIGatewayV2HTTPResponse callback(Setup s, String rawQuery) {
        return browser.send(s.handler, ApiEvents.get("/oauth/" + s.f.provider() + "/callback", s.f.callbackQuery(rawQuery), null, null));
    }

    private static Map<String, String> redirectParams(APIGatewayV2HTTPResponse res) {
        assertThat(res.getStatusCode()).isEqualTo(302);
        String location = res.getHeaders().get("Location");
        assertThat(location).startsWith(RETURN_TO + "?");
        return params(location);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oauthProviders")
    void validFlowStoresEncryptedTokensAndStartsTheBackfill(String provider) throws Exception {
        Setup s = new Setup(provider);
        s.h.wiremock.resetRequests();
        s.tokenEndpoint("success");

        Map<String, String> auth = params(authorizationUrl(authorize(s, RETURN_TO)));
        assertThat(auth).containsEntry("client_id", provider + "-client-id")
                .containsEntry("redirect_uri", "https://connect.example.com/oauth/" + provider + "/callback")
                .containsEntry("response_type", "code");
        boolean pkce = s.spec.pkce();
        if (pkce) {
            assertThat(auth).containsEntry("code_challenge_method", "S256").containsKey("code_challenge");
        } else {
            assertThat(auth).doesNotContainKey("code_challenge");
        }
        List<String> scopes = OAuthClient.scopes(s.spec, s.h.services().providerConfig(provider));
        if (scopes.isEmpty()) {
            assertThat(auth).doesNotContainKey(s.spec.scopeParam());
        } else {
            assertThat(auth).containsEntry(s.spec.scopeParam(), String.join(s.spec.scopeSeparator(), scopes));
        }
        assertThat(auth).containsAllEntriesOf(s.spec.authorizeParams());

        // 1. the valid flow succeeds and goes back to the app
        Map<String, String> back = redirectParams(callback(s, "code=the-code&state=" + auth.get("state")));
        assertThat(back).containsEntry("connected", provider).doesNotContainKey("error");

        // the token request: right grant, redirect_uri, client authentication style, PKCE verifier
        List<LoggedRequest> sent = s.h.wiremock.findAll(postRequestedFor(urlPathEqualTo(s.tokenPath)));
        assertThat(sent).hasSize(1);
        LoggedRequest token = sent.get(0);
        boolean jsonBody = s.spec.tokenBodyFormat() == ProviderSpec.BodyFormat.json;
        Map<String, String> body = jsonBody ? jsonFields(token.getBodyAsString()) : params("http://x/?" + token.getBodyAsString());
        assertThat(body).containsAllEntriesOf(s.spec.tokenParams());
        assertThat(body).containsEntry("grant_type", "authorization_code").containsEntry("code", "the-code")
                .containsEntry("redirect_uri", "https://connect.example.com/oauth/" + provider + "/callback");
        if (s.spec.clientAuth() == ProviderSpec.ClientAuth.client_secret_basic) {
            String basic = Base64.getEncoder().encodeToString((provider + "-client-id:" + Harness.clientSecret(provider)).getBytes(StandardCharsets.UTF_8));
            assertThat(token.getHeader("Authorization")).isEqualTo("Basic " + basic);
            assertThat(body).doesNotContainKey("client_secret");
        } else {
            assertThat(body).containsEntry("client_id", provider + "-client-id").containsEntry("client_secret", Harness.clientSecret(provider));
        }
        if (jsonBody) assertThat(token.getHeader("Content-Type")).startsWith("application/json");
        if (pkce) {
            assertThat(Pkce.challenge(body.get("code_verifier"))).isEqualTo(auth.get("code_challenge"));
            assertThat(auth.values()).doesNotContain(body.get("code_verifier"));
        }

        if (s.f.json().has("tokenGet")) { // the second leg on the token URL happened once
            assertThat(s.h.wiremock.findAll(getRequestedFor(urlPathEqualTo(s.tokenPath)))).hasSize(1);
        }

        // 4. tokens persist and survive a restart: new clients, new handler, same plaintext
        Connection stored = s.h.services().tokenStore().get(tenant, provider).orElseThrow();
        assertThat(stored.status()).isEqualTo(ConnectionStatus.active);
        assertThat(stored.accessToken()).isEqualTo(s.f.accessToken());
        assertThat(stored.connectedBy()).isEqualTo("user-7");
        assertThat(stored.metadata()).containsAllEntriesOf(s.f.metadata());
        assertThat(stored.expiresAt() != null).isEqualTo(s.f.expires());
        Map<String, AttributeValue> raw = rawConnection(s.h, provider);
        assertThat(raw.toString()).doesNotContain(s.f.accessToken()).contains("access_token_ct");

        // 5. a 3-month sync job was created and queued
        Message message = receive(s.h);
        String jobId = JSON.readTree(message.body()).get("job_id").asText();
        SyncJob job = s.h.services().jobStore().get(jobId).orElseThrow();
        assertThat(job.tenantId()).isEqualTo(tenant);
        assertThat(job.status()).isEqualTo(JobStatus.queued);
        long days = Duration.between(job.windowStart(), job.windowEnd()).toDays();
        assertThat(days).isBetween(89L, 92L);
        assertThat(s.h.services().jobStore().pendingEnqueue(job.createdAt().plus(1, ChronoUnit.DAYS), 10)).doesNotContain(jobId);

        // 6. nothing secret in logs
        assertThat(LogCapture.all()).doesNotContain(s.f.accessToken()).doesNotContain(Harness.clientSecret(provider))
                .doesNotContain("the-code");

        // 7. the same state never works twice (its session, and so its return URL, is gone: the result page says so)
        assertReusedPage(callback(s, "code=the-code&state=" + auth.get("state")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oauthProviders")
    void invalidClientCredentialsGiveAFriendlyErrorAndStoreNothing(String provider) throws Exception {
        Setup s = new Setup(provider);
        s.tokenEndpoint("invalidClient");
        Map<String, String> auth = params(authorizationUrl(authorize(s, RETURN_TO)));

        Map<String, String> back = redirectParams(callback(s, "code=c&state=" + auth.get("state")));

        assertThat(back).containsEntry("error", "invalid_client");
        assertFriendly(back.get("message"), s);
        assertThat(s.h.services().tokenStore().get(tenant, provider)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oauthProviders")
    void htmlErrorPageGivesAFriendlyErrorAndStoresNothing(String provider) throws Exception {
        Setup s = new Setup(provider);
        // a proxy's maintenance page, served with a JSON content type
        s.tokenEndpoint(200, "application/json", "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
                + "<body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
        Map<String, String> auth = params(authorizationUrl(authorize(s, RETURN_TO)));

        Map<String, String> back = redirectParams(callback(s, "code=c&state=" + auth.get("state")));

        assertThat(back).containsEntry("error", "provider_html_error");
        assertFriendly(back.get("message"), s);
        assertThat(s.h.services().tokenStore().get(tenant, provider)).isEmpty();
        assertThat(LogCapture.all()).contains("502 Bad Gateway");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("oauthProviders")
    void tamperedExpiredAndForeignStatesFail(String provider) throws Exception {
        Setup s = new Setup(provider);
        s.tokenEndpoint("success");
        String state = params(authorizationUrl(authorize(s, RETURN_TO))).get("state");

        // tampered: one character of the signature changed → no session is even looked up
        String tampered = state.substring(0, state.length() - 2) + (state.endsWith("A") ? "BB" : "AA");
        APIGatewayV2HTTPResponse res = callback(s, "code=c&state=" + tampered);
        assertThat(res.getStatusCode()).isEqualTo(400);
        assertThat(res.getBody()).contains("invalid_state").doesNotContain(tampered);

        // expired: the real state, 11 minutes later → back to the app with state_expired
        s.h.clock.advance(Duration.ofMinutes(11));
        assertThat(redirectParams(callback(s, "code=c&state=" + state))).containsEntry("error", "state_expired");
        s.h.clock.advance(Duration.ofMinutes(-11));
        // and its session is gone: it cannot be replayed after the clock is turned back either
        assertReusedPage(callback(s, "code=c&state=" + state));

        // a state minted for another provider is refused here
        Setup other = new Setup(provider.equals("generic") ? "slack" : "generic");
        String foreign = params(authorizationUrl(authorize(other, RETURN_TO))).get("state");
        assertThat(callback(s, "code=c&state=" + foreign).getBody()).contains("invalid_state");
        assertThat(s.h.services().tokenStore().get(tenant, provider)).isEmpty();
    }

    static Stream<String> refreshingProviders() {
        return oauthProviders().filter(id -> ProviderFixtures.exists(id) && ProviderFixtures.of(id).json().has("refresh"));
    }

    /** What the provider answers to a refresh, stored as it should be: a rotated refresh token replaces the old one, a missing one keeps it. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("refreshingProviders")
    void refreshStoresTheNewTokenAndKeepsOrRotatesTheRefreshToken(String provider) throws Exception {
        Setup s = new Setup(provider);
        JsonNode answer = s.f.json().path("refresh").path("body");
        String refreshPath = s.spec.refreshUrl() == null ? s.tokenPath
                : ProviderFixtures.path(s.spec.refreshUrl(), s.h.services().providerConfig(provider).withDefaults(s.spec));
        s.h.wiremock.stubFor(post(urlPathEqualTo(refreshPath)).withRequestBody(containing("refresh_token"))
                .willReturn(aResponse().withStatus(s.f.status("refresh")).withHeader("Content-Type", "application/json").withBody(answer.toString())));
        var store = s.h.services().tokenStore();
        Connection before = store.upsert(new Connection(tenant, provider, ConnectionStatus.active, "old-access", "old-refresh",
                "Bearer", List.of(), null, s.f.inputs(), "u", null, null, 0));

        Connection after = s.h.services().tokenRefresher().refresh(s.spec, s.h.services().providerConfig(provider), before);

        var m = s.spec.tokenResponse();
        String rotated = dev.connectors.oauth.JsonPaths.text(answer, m.refreshToken());
        assertThat(after.accessToken()).isEqualTo(dev.connectors.oauth.JsonPaths.text(answer, m.accessToken()));
        assertThat(after.refreshToken()).isEqualTo(rotated == null ? "old-refresh" : rotated);
        assertThat(store.get(tenant, provider).orElseThrow().version()).isEqualTo(before.version() + 1);
        LoggedRequest sent = s.h.wiremock.findAll(postRequestedFor(urlPathEqualTo(refreshPath))).get(0);
        assertThat(sent.getBodyAsString()).contains("refresh_token").contains("old-refresh");
    }

    private static void assertReusedPage(APIGatewayV2HTTPResponse res) {
        assertThat(res.getStatusCode()).isEqualTo(400);
        assertThat(res.getHeaders()).containsEntry("Referrer-Policy", "no-referrer").containsEntry("Cache-Control", "no-store");
        assertThat(res.getHeaders().get("Content-Security-Policy")).startsWith("default-src 'none'");
        assertThat(res.getBody()).contains("\"error\":\"state_reused\"").contains("already used")
                .doesNotContain("src=").doesNotContain("href=") // no third-party resource, nothing loaded at all
                .contains("postMessage(r,t)").doesNotContain("'*'");
    }

    private static void assertFriendly(String message, Setup s) {
        String name = s.spec.displayName();
        assertThat(message).contains(name).doesNotContain("<").doesNotContain("Exception").doesNotContain("at dev.")
                .doesNotContain(Harness.clientSecret(s.f.provider())).doesNotContain("HTTP");
    }

    private static Map<String, String> jsonFields(String body) throws Exception {
        Map<String, String> out = new HashMap<>();
        JsonNode node = JSON.readTree(body);
        node.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private Map<String, AttributeValue> rawConnection(Harness h, String provider) {
        return dev.connectors.testing.StandIns.dynamo().getItem(r -> r.tableName(h.resources.tableName("ConnectionsTable"))
                .key(Map.of("tenant_id", AttributeValue.fromS(tenant), "provider", AttributeValue.fromS(provider)))).item();
    }

    private static Message receive(Harness h) {
        List<Message> messages = dev.connectors.testing.StandIns.sqs().receiveMessage(r -> r
                .queueUrl(h.resources.queueUrl("SyncQueue")).waitTimeSeconds(2).maxNumberOfMessages(1)).messages();
        assertThat(messages).hasSize(1);
        return messages.get(0);
    }
}
