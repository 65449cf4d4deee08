package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import dev.connectors.config.Settings;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Services;
import dev.connectors.sync.SyncJob;
import dev.connectors.testing.StandIns;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Browser;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every way a callback (or an authorize) can go wrong ends in a friendly error with a stable code:
 * never a 5xx or a stack trace, never an echo of what the attacker or provider sent, never a stored
 * connection or a queued sync job. Runs the real handler against the shared stand-ins; the token
 * endpoint is WireMock under a path of this class's own.
 */
class CallbackBadInputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROVIDER = "generic";
    private static final String DISPLAY_NAME = "Sandbox";
    private static final String RETURN_TO = Harness.APP_ORIGIN + "/settings/integrations";
    private static final String STUB_BASE = "/callback-bad-input";
    private static final String TOKEN_PATH = STUB_BASE + "/token";
    private static final String GOOD_TOKENS = "{\"access_token\":\"cbi-access-0001\",\"token_type\":\"Bearer\","
            + "\"expires_in\":3600,\"refresh_token\":\"cbi-refresh-0001\",\"scope\":\"openid\"}";

    private static Harness h;
    private static OAuthHandler handler;
    /** The user's browser: its binding cookie from authorize comes back with each callback. */
    private static final Browser BROWSER = new Browser();

    static {
        LogCapture.install();
    }

    private final String tenant = "tenant-" + UUID.randomUUID();

    @BeforeAll
    static void startHarness() {
        h = Harness.forFunction("GenericFunction");
        String base = h.wiremock.baseUrl() + STUB_BASE;
        h.providerSecret(PROVIDER, Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        handler = new OAuthHandler(h.services());
    }

    // ------------------------------------------------------------------ the callback's own query

    @Test
    void missingCodeIsInvalidRequest() {
        String state = startFlow();
        assertFailsFriendly(callback("state=" + state), "invalid_request");
    }

    @Test
    void userCancellingIsAccessDeniedAndTheDescriptionIsNeverEchoed() {
        String hostile = "error=access_denied&error_description=" + encode("<script>alert(1)</script>");

        Failure redirected = assertFailsFriendly(callback(hostile + "&state=" + startFlow()), "access_denied");
        Failure page = assertFailsFriendly(callback(hostile + "&state=" + startFlow(null)), "access_denied");

        for (Failure f : List.of(redirected, page)) {
            assertThat(f.raw()).doesNotContain("alert(1)").doesNotContain("alert%281%29")
                    .doesNotContainIgnoringCase("%3Cscript").doesNotContain("&lt;script");
        }
    }

    @Test
    void anyOtherProviderErrorIsProviderError() {
        assertFailsFriendly(callback("error=server_error&state=" + startFlow()), "provider_error");
    }

    @Test
    void duplicateStateParametersAreRefused() {
        String state = startFlow();
        assertFailsFriendly(callback("code=c&state=" + state + "&state=" + state), "invalid_state");
    }

    @Test
    void duplicateCodeParametersAreRefused() {
        stubTokenEndpoint(okJson(GOOD_TOKENS)); // would connect if either code were used
        assertFailsFriendly(callback("code=first&code=second&state=" + startFlow()), "invalid_request");
    }

    @Test
    void missingStateIsInvalidState() {
        startFlow();
        assertFailsFriendly(callback("code=c"), "invalid_state");
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage", "v1.AAAA.BBBB", "v1..", "%00", "v2.eyJub25jZSI6IngifQ.c2ln"})
    void garbageStateIsInvalidState(String state) {
        startFlow();
        assertFailsFriendly(callback("code=c&state=" + state), "invalid_state");
    }

    @ParameterizedTest
    @ValueSource(strings = {"//evil.example", "https://app.example.com.evil.example/", "https://evil.example/?x=https://app.example.com"})
    void returnToOutsideTheAllowListIsRefusedOnAuthorize(String returnTo) throws IOException {
        APIGatewayV2HTTPResponse res = authorize(returnTo, Map.of("tenant_id", tenant, "sub", "user-7"));

        assertThat(res.getStatusCode()).isEqualTo(400);
        JsonNode error = JSON.readTree(res.getBody()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("invalid_return_to");
        assertFriendlyMessage(error.get("message").asText());
        assertThat(res.getBody()).doesNotContain("evil");
        assertThat(sessionsOfTenant()).isEmpty();
    }

    // ------------------------------------------------------------------ the token endpoint misbehaving

    static Stream<Arguments> tokenEndpointFailures() {
        return Stream.of(
                Arguments.of("HTML page", aResponse().withStatus(200).withHeader("Content-Type", "text/html")
                        .withBody("<html><head><title>Maintenance</title></head><body><h1>Back soon</h1></body></html>"),
                        "provider_html_error"),
                Arguments.of("500 with JSON error", aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"server_error\",\"error_description\":\"java.lang.NullPointerException at X\"}"),
                        "provider_unavailable"),
                Arguments.of("503 text/plain", aResponse().withStatus(503).withHeader("Content-Type", "text/plain")
                        .withBody("upstream connect error or disconnect/reset before headers"), "provider_unavailable"),
                Arguments.of("connection reset", aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), "provider_unavailable"),
                Arguments.of("truncated JSON", okJson("{\"access_token\": \"ab"), "provider_error"),
                Arguments.of("JSON without access_token", okJson("{\"token_type\":\"Bearer\",\"expires_in\":3600}"), "provider_error"),
                Arguments.of("access_token as a number", okJson("{\"access_token\":12345,\"token_type\":\"Bearer\"}"), "provider_error"),
                Arguments.of("invalid_grant", aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"code expired\"}"), "invalid_grant"));
    }

    @ParameterizedTest(name = "{0} → {2}")
    @MethodSource("tokenEndpointFailures")
    void tokenEndpointFailureGivesAFriendlyErrorAndStoresNothing(String name, ResponseDefinitionBuilder answer, String code) {
        stubTokenEndpoint(answer);
        Failure f = assertFailsFriendly(callback("code=c&state=" + startFlow()), code);
        assertThat(f.raw()).doesNotContain("Maintenance").doesNotContain("NullPointer").doesNotContain("upstream");
    }

    @Test
    void tokenEndpointSlowerThanTheTotalTimeoutIsProviderUnavailable() {
        stubTokenEndpoint(okJson(GOOD_TOKENS).withFixedDelay(3_500)); // the harness allows 3 s in total
        String state = startFlow();

        long started = System.nanoTime();
        APIGatewayV2HTTPResponse res = callback("code=c&state=" + state);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(3_500));
        assertFailsFriendly(res, "provider_unavailable");
    }

    @Test
    void slackOkFalseWithHttp200IsInvalidGrant() {
        Harness slack = Harness.forFunction("SlackFunction");
        slack.providerSecret("slack", Map.of());
        String stubs = "/callback-bad-input-slack";
        slack.wiremock.stubFor(post(urlEqualTo(stubs + "/api/oauth.v2.access"))
                .willReturn(okJson("{\"ok\":false,\"error\":\"invalid_code\"}")));
        OAuthHandler slackHandler = new OAuthHandler(slack.services(), rebased("slack", slack.wiremock.baseUrl() + stubs));

        String state = stateFrom(BROWSER.send(slackHandler, authorizeEvent("slack", RETURN_TO, claims())));
        APIGatewayV2HTTPResponse res = BROWSER.send(slackHandler,
                ApiEvents.get("/oauth/slack/callback", "code=c&state=" + state, null, null));

        Failure f = failure(res);
        assertThat(f.code()).isEqualTo("invalid_grant");
        assertThat(f.message()).contains("Slack").doesNotContain("invalid_code");
        assertThat(slack.services().tokenStore().get(tenant, "slack")).isEmpty();
    }

    // ------------------------------------------------------------------ our own storage down

    @Test
    void dynamoDbDownDuringTheCallbackIsStorageUnavailable() {
        stubTokenEndpoint(okJson(GOOD_TOKENS));
        String state = startFlow();
        OAuthHandler broken = new OAuthHandler(servicesWith(Settings.AWS_ENDPOINT_URL_DYNAMODB, closedPortUrl()));

        long started = System.nanoTime();
        APIGatewayV2HTTPResponse res = broken.handleRequest(callbackEvent("code=c&state=" + state), null);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("SDK retries (standard mode) against a closed port")
                .isLessThan(Duration.ofMillis(1_500));
        assertFailsFriendly(res, "storage_unavailable");
    }

    @Test
    void sqsDownDuringTheCallbackStillConnectsAndTheJobIsResentLater() throws IOException {
        stubTokenEndpoint(okJson(GOOD_TOKENS));
        String state = startFlow();
        OAuthHandler noQueue = new OAuthHandler(servicesWith(Settings.AWS_ENDPOINT_URL_SQS, closedPortUrl()));

        APIGatewayV2HTTPResponse res = noQueue.handleRequest(callbackEvent("code=c&state=" + state), null);

        assertThat(redirectParams(res)).containsEntry("connected", PROVIDER).doesNotContainKey("error");
        assertThat(h.services().tokenStore().get(tenant, PROVIDER)).get()
                .satisfies(c -> assertThat(c.accessToken()).isEqualTo("cbi-access-0001"));
        List<String> pending = h.services().jobStore().pendingEnqueue(h.clock.instant().plusSeconds(1), 10);
        assertThat(pending).hasSize(1);
        SyncJob job = h.services().jobStore().get(pending.get(0)).orElseThrow();
        assertThat(job.tenantId()).isEqualTo(tenant);
        assertThat(queuedMessages()).isEmpty();

        h.clock.advance(Duration.ofMinutes(1)); // the reconciler runs later, with SQS back
        assertThat(h.services().syncJobs().resendPending(Duration.ZERO, 10)).isEqualTo(1);

        List<Message> messages = queuedMessages();
        assertThat(messages).hasSize(1);
        assertThat(JSON.readTree(messages.get(0).body()).get("job_id").asText()).isEqualTo(job.jobId());
        StandIns.sqs().deleteMessage(r -> r.queueUrl(queueUrl()).receiptHandle(messages.get(0).receiptHandle()));
        assertThat(h.services().jobStore().pendingEnqueue(h.clock.instant().plusSeconds(1), 10)).isEmpty();
    }

    // ------------------------------------------------------------------ routing and authentication

    @Test
    void authorizeWithoutJwtClaimsIsUnauthorized() throws IOException {
        APIGatewayV2HTTPResponse res = authorize(RETURN_TO, null);

        assertThat(res.getStatusCode()).isEqualTo(401);
        assertThat(res.getHeaders().get("Content-Type")).startsWith("application/json");
        assertThat(JSON.readTree(res.getBody()).at("/error/code").asText()).isEqualTo("unauthorized");
        assertThat(sessionsOfTenant()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"/oauth/generic/token", "/oauth/slack/callback", "/oauth/generic/callback/", "/"})
    void anyOtherPathIsNotFound(String path) {
        APIGatewayV2HTTPResponse res = handler.handleRequest(ApiEvents.get(path, "", claims(), null), null);
        assertThat(res.getStatusCode()).isEqualTo(404);
        assertThat(res.getBody()).doesNotContain("Exception");
    }

    // ------------------------------------------------------------------ helpers

    /** A failed outcome, read from the redirect to the app or from the built-in result page. */
    private record Failure(String code, String message, String raw) {
    }

    /** The common checks: a failure with this code, a friendly message, nothing stored or queued. */
    private Failure assertFailsFriendly(APIGatewayV2HTTPResponse res, String code) {
        Failure f = failure(res);
        assertThat(f.code()).isEqualTo(code);
        assertFriendlyMessage(f.message());
        assertThat(h.services().tokenStore().get(tenant, PROVIDER)).isEmpty();
        assertThat(queuedMessages()).isEmpty();
        return f;
    }

    private static Failure failure(APIGatewayV2HTTPResponse res) {
        assertThat(res.getStatusCode()).as("status").isBetween(300, 499);
        String raw = res.getStatusCode() == 302 ? res.getHeaders().get("Location") : res.getBody();
        assertThat(raw).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(".java:")
                .doesNotContain(Harness.clientSecret(PROVIDER));
        if (res.getStatusCode() == 302) {
            Map<String, String> params = redirectParams(res);
            assertThat(params).doesNotContainKey("connected");
            return new Failure(params.get("error"), params.get("message"), raw);
        }
        assertThat(res.getHeaders().get("Content-Type")).startsWith("text/html");
        return new Failure(group(raw, "\"error\":\"([a-z_]+)\""), group(raw, "<p id=\"message\">([^<]*)</p>"), raw);
    }

    private static void assertFriendlyMessage(String message) {
        assertThat(message).contains(DISPLAY_NAME).endsWith(".")
                .doesNotContain("<").doesNotContain(">").doesNotContain("{provider}")
                .doesNotContain("Exception").doesNotContain("HTTP").doesNotContain("error=")
                .doesNotContain(Harness.clientSecret(PROVIDER));
    }

    /** Starts a flow that will return to the app; returns the state the provider would echo. */
    private String startFlow() {
        return startFlow(RETURN_TO);
    }

    private String startFlow(String returnTo) {
        return stateFrom(authorize(returnTo, claims()));
    }

    private APIGatewayV2HTTPResponse authorize(String returnTo, Map<String, String> claims) {
        return BROWSER.send(handler, authorizeEvent(PROVIDER, returnTo, claims));
    }

    private static com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent authorizeEvent(
            String provider, String returnTo, Map<String, String> claims) {
        return ApiEvents.get("/oauth/" + provider + "/authorize", returnTo == null ? "" : "return_to=" + encode(returnTo),
                claims, Map.of("accept", "application/json"));
    }

    private Map<String, String> claims() {
        return Map.of("tenant_id", tenant, "sub", "user-7");
    }

    private static String stateFrom(APIGatewayV2HTTPResponse authorized) {
        assertThat(authorized.getStatusCode()).isEqualTo(200);
        try {
            String url = JSON.readTree(authorized.getBody()).get("authorizationUrl").asText();
            return params(URI.create(url).getRawQuery()).get("state");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static APIGatewayV2HTTPResponse callback(String rawQuery) {
        return handler.handleRequest(callbackEvent(rawQuery), null);
    }

    private static com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent callbackEvent(String rawQuery) {
        return BROWSER.withCookies(ApiEvents.get("/oauth/" + PROVIDER + "/callback", rawQuery, null, null));
    }

    private static void stubTokenEndpoint(ResponseDefinitionBuilder answer) {
        h.wiremock.stubFor(post(urlEqualTo(TOKEN_PATH)).willReturn(answer));
    }

    /** Services built while one setting points elsewhere; the shared harness is left as it was. */
    private static Services servicesWith(String key, String value) {
        String original = h.settings().optional(key).orElse(null);
        try {
            return h.set(key, value).services();
        } finally {
            h.set(key, original);
        }
    }

    private static String closedPortUrl() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return "http://127.0.0.1:" + socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The registry entry with its https URLs moved under {@code base} (a path of this class's own). */
    private static ProviderSpec rebased(String provider, String base) {
        try {
            String json = JSON.writeValueAsString(ProviderRegistry.load(provider)).replaceAll("https://[a-z0-9.-]+", base);
            return JSON.readValue(json, ProviderSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<Map<String, AttributeValue>> sessionsOfTenant() {
        return StandIns.dynamo().scan(r -> r.tableName(h.resources.tableName("OAuthSessionsTable"))
                .filterExpression("tenant_id = :t").expressionAttributeValues(Map.of(":t", AttributeValue.fromS(tenant))))
                .items();
    }

    private static String queueUrl() {
        return h.resources.queueUrl("SyncQueue");
    }

    private static List<Message> queuedMessages() {
        return StandIns.sqs().receiveMessage(r -> r.queueUrl(queueUrl()).maxNumberOfMessages(10).waitTimeSeconds(0))
                .messages();
    }

    private static Map<String, String> redirectParams(APIGatewayV2HTTPResponse res) {
        assertThat(res.getStatusCode()).isEqualTo(302);
        String location = res.getHeaders().get("Location");
        assertThat(location).startsWith(RETURN_TO + "?");
        return params(URI.create(location).getRawQuery());
    }

    private static Map<String, String> params(String rawQuery) {
        Map<String, String> out = new HashMap<>();
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        assertThat(m.find()).as("%s in %s", regex, text).isTrue();
        return m.group(1);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
