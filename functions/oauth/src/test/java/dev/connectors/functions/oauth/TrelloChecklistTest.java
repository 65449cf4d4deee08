package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.oauth1.OAuth1Signer;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Browser;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The 7-point checklist of design.md §7 for Trello, an OAuth 1.0a provider (the data-driven
 * {@link ProviderChecklistTest} covers OAuth 2.0 only): request token → authorize → access token, through the
 * real handler, the stand-ins, and WireMock answering with Trello's form-encoded pairs and plain-text errors.
 */
class TrelloChecklistTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String RETURN_TO = Harness.APP_ORIGIN + "/settings/integrations";
    private static final String CALLBACK = "https://connect.example.com/oauth/trello/callback";
    private static final String REQUEST_TOKEN = "fake-request-token-0001";
    private static final String REQUEST_SECRET = "fake-request-secret-0001";
    private static final String ACCESS_TOKEN = "fake-trello-access-token-0001";
    private static final String ACCESS_SECRET = "fake-trello-token-secret-0001";
    private static final String VERIFIER = "fake-verifier-0001";

    static {
        LogCapture.install();
    }

    private final String tenant = "tenant-" + UUID.randomUUID();
    private final Browser browser = new Browser();
    private final Harness h = Harness.forFunction("TrelloFunction");
    private final ProviderSpec spec = h.rebased("trello");
    private final OAuthHandler handler;

    TrelloChecklistTest() {
        h.providerSecret("trello", Map.of());
        handler = new OAuthHandler(h.services(), spec);
    }

    private void requestTokenEndpoint(int status, String contentType, String body) {
        h.wiremock.stubFor(post(urlPathEqualTo("/trello/1/OAuthGetRequestToken"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", contentType).withBody(body)));
    }

    private void accessTokenEndpoint(int status, String contentType, String body) {
        h.wiremock.stubFor(post(urlPathEqualTo("/trello/1/OAuthGetAccessToken"))
                .willReturn(aResponse().withStatus(status).withHeader("Content-Type", contentType).withBody(body)));
    }

    private void goodEndpoints() {
        requestTokenEndpoint(200, "text/plain; charset=utf-8",
                "oauth_token=" + REQUEST_TOKEN + "&oauth_token_secret=" + REQUEST_SECRET + "&oauth_callback_confirmed=true");
        accessTokenEndpoint(200, "text/plain; charset=utf-8", "oauth_token=" + ACCESS_TOKEN + "&oauth_token_secret=" + ACCESS_SECRET);
    }

    private APIGatewayV2HTTPResponse authorize() {
        return browser.send(handler, ApiEvents.get("/oauth/trello/authorize",
                "return_to=" + java.net.URLEncoder.encode(RETURN_TO, StandardCharsets.UTF_8),
                Map.of("tenant_id", tenant, "sub", "user-7"), Map.of("accept", "application/json")));
    }

    private URI authorizationUrl() throws Exception {
        APIGatewayV2HTTPResponse res = authorize();
        assertThat(res.getStatusCode()).isEqualTo(200);
        return URI.create(JSON.readTree(res.getBody()).get("authorizationUrl").asText());
    }

    /** The state rides in the oauth_callback we gave Trello, which it sends the user back to. */
    private String stateSentToTrello() {
        List<LoggedRequest> sent = h.wiremock.findAll(postRequestedFor(urlPathEqualTo("/trello/1/OAuthGetRequestToken")));
        String callback = oauthParams(sent.get(sent.size() - 1)).get("oauth_callback");
        assertThat(callback).startsWith(CALLBACK + "?state=");
        return params(callback).get("state");
    }

    private APIGatewayV2HTTPResponse callback(String query) {
        return browser.send(handler, ApiEvents.get("/oauth/trello/callback", query, null, null));
    }

    private static String q(String state) {
        return "state=" + java.net.URLEncoder.encode(state, StandardCharsets.UTF_8) + "&oauth_token=" + REQUEST_TOKEN + "&oauth_verifier=" + VERIFIER;
    }

    @Test
    void validFlowSignsEachLegKeepsTheRequestSecretServerSideAndStoresBothSecretsEncrypted() throws Exception {
        goodEndpoints();
        h.wiremock.resetRequests();

        // authorize: a signed request-token call, then Trello's authorize page with the registry's parameters
        URI url = authorizationUrl();
        assertThat(url.getPath()).isEqualTo("/trello/1/OAuthAuthorizeToken");
        assertThat(params(url.toString())).containsEntry("oauth_token", REQUEST_TOKEN).containsEntry("scope", "read")
                .containsEntry("expiration", "never").containsEntry("name", "Connectors");
        assertThat(url.toString()).doesNotContain(REQUEST_SECRET);
        LoggedRequest requestLeg = h.wiremock.findAll(postRequestedFor(urlPathEqualTo("/trello/1/OAuthGetRequestToken"))).get(0);
        Map<String, String> oauth = oauthParams(requestLeg);
        assertThat(oauth).containsEntry("oauth_consumer_key", "trello-client-id").containsEntry("oauth_signature_method", "HMAC-SHA1")
                .containsKeys("oauth_nonce", "oauth_timestamp").doesNotContainKey("oauth_token");
        assertSignedWith(requestLeg, null);
        String state = stateSentToTrello();
        assertThat(state).doesNotContain(REQUEST_SECRET);

        // 1. the valid flow succeeds and goes back to the app
        Map<String, String> back = redirectParams(callback(q(state)));
        assertThat(back).containsEntry("connected", "trello").doesNotContainKey("error");

        // the access-token leg carries the request token and verifier, signed with the request-token secret
        LoggedRequest accessLeg = h.wiremock.findAll(postRequestedFor(urlPathEqualTo("/trello/1/OAuthGetAccessToken"))).get(0);
        assertThat(oauthParams(accessLeg)).containsEntry("oauth_token", REQUEST_TOKEN).containsEntry("oauth_verifier", VERIFIER);
        assertSignedWith(accessLeg, REQUEST_SECRET);

        // 4. token and token secret persist, encrypted, and survive a restart (new clients, new handler)
        Connection stored = h.services().tokenStore().get(tenant, "trello").orElseThrow();
        assertThat(stored.status()).isEqualTo(ConnectionStatus.active);
        assertThat(stored.accessToken()).isEqualTo(ACCESS_TOKEN);
        assertThat(stored.tokenSecret()).isEqualTo(ACCESS_SECRET);
        assertThat(stored.refreshToken()).isNull();
        assertThat(stored.expiresAt()).isNull(); // expiration=never
        assertThat(stored.scopes()).containsExactly("read");
        assertThat(stored.connectedBy()).isEqualTo("user-7");
        Map<String, AttributeValue> raw = dev.connectors.testing.StandIns.dynamo().getItem(r -> r.tableName(h.resources.tableName("ConnectionsTable"))
                .key(Map.of("tenant_id", AttributeValue.fromS(tenant), "provider", AttributeValue.fromS("trello")))).item();
        assertThat(raw).containsKeys("access_token_ct", "token_secret_ct");
        assertThat(raw.toString()).doesNotContain(ACCESS_TOKEN).doesNotContain(ACCESS_SECRET);
        // the listing never shows either
        assertThat(h.services().tokenStore().list(tenant).toString()).doesNotContain(ACCESS_TOKEN).doesNotContain(ACCESS_SECRET);

        // 5. a 3-month sync job was created and queued
        List<Message> messages = dev.connectors.testing.StandIns.sqs().receiveMessage(r -> r
                .queueUrl(h.resources.queueUrl("SyncQueue")).waitTimeSeconds(2).maxNumberOfMessages(1)).messages();
        assertThat(messages).hasSize(1);
        SyncJob job = h.services().jobStore().get(JSON.readTree(messages.get(0).body()).get("job_id").asText()).orElseThrow();
        assertThat(job.tenantId()).isEqualTo(tenant);
        assertThat(job.status()).isEqualTo(JobStatus.queued);
        assertThat(Duration.between(job.windowStart(), job.windowEnd()).toDays()).isBetween(89L, 92L);

        // 6. nothing secret in logs
        assertThat(LogCapture.all()).doesNotContain(ACCESS_TOKEN).doesNotContain(ACCESS_SECRET).doesNotContain(REQUEST_SECRET)
                .doesNotContain(VERIFIER).doesNotContain(Harness.clientSecret("trello"));

        // 7. the same state never works twice
        APIGatewayV2HTTPResponse again = callback(q(state));
        assertThat(again.getStatusCode()).isEqualTo(400);
        assertThat(again.getBody()).contains("\"error\":\"state_reused\"");
    }

    @Test
    void anInvalidConsumerKeyGivesAFriendlyErrorAtEitherLegAndStoresNothing() throws Exception {
        // 2. Trello answers an unknown API key with 401 and the text "invalid key"
        requestTokenEndpoint(401, "text/plain; charset=utf-8", "invalid key");
        APIGatewayV2HTTPResponse res = authorize();
        assertThat(res.getStatusCode()).isBetween(400, 599);
        var error = JSON.readTree(res.getBody()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_client");
        assertFriendly(error.get("message").asText());

        goodEndpoints();
        authorizationUrl();
        accessTokenEndpoint(401, "text/plain; charset=utf-8", "invalid key");
        Map<String, String> back = redirectParams(callback(q(stateSentToTrello())));
        assertThat(back).containsEntry("error", "invalid_client");
        assertFriendly(back.get("message"));
        assertThat(h.services().tokenStore().get(tenant, "trello")).isEmpty();
    }

    @Test
    void anHtmlErrorPageGivesAFriendlyErrorAndStoresNothing() throws Exception {
        // 3. a proxy's maintenance page instead of form pairs, on either leg
        String page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>";
        requestTokenEndpoint(200, "text/plain", page);
        var error = JSON.readTree(authorize().getBody()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("provider_html_error");
        assertFriendly(error.get("message").asText());

        goodEndpoints();
        authorizationUrl();
        accessTokenEndpoint(200, "text/plain", page);
        Map<String, String> back = redirectParams(callback(q(stateSentToTrello())));
        assertThat(back).containsEntry("error", "provider_html_error");
        assertFriendly(back.get("message"));
        assertThat(h.services().tokenStore().get(tenant, "trello")).isEmpty();
        assertThat(LogCapture.all()).contains("502 Bad Gateway");
    }

    @Test
    void tamperedExpiredReusedStatesAndAForeignRequestTokenFail() throws Exception {
        goodEndpoints();
        authorizationUrl();
        String state = stateSentToTrello();

        // tampered: no session is even looked up
        String tampered = state.substring(0, state.length() - 2) + (state.endsWith("A") ? "BB" : "AA");
        APIGatewayV2HTTPResponse res = callback(q(tampered));
        assertThat(res.getStatusCode()).isEqualTo(400);
        assertThat(res.getBody()).contains("invalid_state").doesNotContain(tampered);

        // expired: 11 minutes later → back to the app with state_expired, and the session is gone
        h.clock.advance(Duration.ofMinutes(11));
        assertThat(redirectParams(callback(q(state)))).containsEntry("error", "state_expired");
        h.clock.advance(Duration.ofMinutes(-11));
        assertThat(callback(q(state)).getBody()).contains("\"error\":\"state_reused\"");

        // a verifier for another request token (someone else's authorization) is refused
        authorizationUrl();
        String fresh = stateSentToTrello();
        int exchanges = h.wiremock.findAll(postRequestedFor(urlPathEqualTo("/trello/1/OAuthGetAccessToken"))).size();
        Map<String, String> back = redirectParams(callback("state=" + fresh + "&oauth_token=someone-elses-token&oauth_verifier=" + VERIFIER));
        assertThat(back).containsEntry("error", "invalid_state");
        assertThat(h.wiremock.findAll(postRequestedFor(urlPathEqualTo("/trello/1/OAuthGetAccessToken")))).hasSize(exchanges);
        assertThat(h.services().tokenStore().get(tenant, "trello")).isEmpty();
    }

    /** Recomputes the request's HMAC-SHA1 signature from what WireMock received. */
    private void assertSignedWith(LoggedRequest request, String tokenSecret) {
        Map<String, String> oauth = oauthParams(request);
        List<OAuth1Signer.Param> all = new ArrayList<>();
        oauth.forEach((k, v) -> all.add(new OAuth1Signer.Param(k, v)));
        URI seen = URI.create(request.getAbsoluteUrl());
        String expected = OAuth1Signer.hmacSha1(OAuth1Signer.baseString("POST", seen, all), Harness.clientSecret("trello"), tokenSecret);
        assertThat(oauth.get("oauth_signature")).isEqualTo(expected);
    }

    private static Map<String, String> oauthParams(LoggedRequest request) {
        String header = request.getHeader("Authorization");
        assertThat(header).startsWith("OAuth ");
        Map<String, String> out = new LinkedHashMap<>();
        for (String part : header.substring(6).split(",\\s*")) {
            int eq = part.indexOf('=');
            String value = part.substring(eq + 1);
            out.put(part.substring(0, eq), URLDecoder.decode(value.substring(1, value.length() - 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Map<String, String> params(String url) {
        Map<String, String> out = new HashMap<>();
        String query = URI.create(url).getRawQuery();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static Map<String, String> redirectParams(APIGatewayV2HTTPResponse res) {
        assertThat(res.getStatusCode()).isEqualTo(302);
        String location = res.getHeaders().get("Location");
        assertThat(location).startsWith(RETURN_TO + "?");
        return params(location);
    }

    private static void assertFriendly(String message) {
        assertThat(message).contains("Trello").doesNotContain("<").doesNotContain("Exception").doesNotContain("at dev.")
                .doesNotContain(Harness.clientSecret("trello")).doesNotContain("HTTP").doesNotContain("invalid key");
    }
}
