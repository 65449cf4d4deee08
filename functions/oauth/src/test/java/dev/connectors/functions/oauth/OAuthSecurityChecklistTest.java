package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.config.Settings;
import dev.connectors.oauth.ConnectFlow;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.state.BrowserBinding;
import dev.connectors.state.Pkce;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Harness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The OAuth client's security checklist (RFC 9700, RFC 6749 §10, RFC 7636, RFC 9207), one test per
 * requirement, through the real handler, DynamoDB and SQS stand-ins, and WireMock as the provider.
 * The README's security table maps each requirement to these methods.
 */
class OAuthSecurityChecklistTest {
    private static final String PREFIX = "security-checklist";
    private static final String TOKEN_PATH = "/" + PREFIX + "/token";
    private static final String ISSUER = "https://issuer.example/generic";
    private static final String TOKENS = "{\"access_token\":\"sec-access-token-0001\",\"token_type\":\"Bearer\","
            + "\"expires_in\":3600,\"refresh_token\":\"sec-refresh-token-0001\"}";
    private static final Pattern SCRIPT = Pattern.compile("<script>(.*?)</script>", Pattern.DOTALL);

    private static Harness h;

    @BeforeAll
    static void harness() {
        h = Harness.forFunction("GenericFunction");
        h.set(Settings.RETURN_TO_ALLOWLIST, Harness.APP_ORIGIN + ",http://localhost:3000");
        ConnectDriver.generic(h, PREFIX, Map.of("issuer", ISSUER));
        h.wiremock.stubFor(post(urlPathEqualTo(TOKEN_PATH)).willReturn(okJson(TOKENS)));
    }

    private static ConnectDriver generic() {
        ConnectDriver.generic(h, PREFIX, Map.of("issuer", ISSUER));
        return new ConnectDriver(h, h.rebased("generic"));
    }

    static Stream<String> oauth2Providers() {
        return ProviderRegistry.allIds().stream().filter(id -> ProviderSpec.OAUTH2.equals(ProviderRegistry.load(id).authType()));
    }

    static Stream<String> redirectProviders() {
        return ProviderRegistry.allIds().stream().filter(id -> {
            String type = ProviderRegistry.load(id).authTypeOrDefault();
            return type.equals(ProviderSpec.OAUTH2) || type.equals(ProviderSpec.OAUTH1);
        });
    }

    /** A provider of the registry wired to WireMock with its checklist fixture's settings and inputs. */
    private static ConnectDriver registryProvider(String provider) {
        ProviderFixtures f = ProviderFixtures.of(provider);
        h.providerSecret(provider, f.config(h.wiremock.baseUrl()));
        return new ConnectDriver(h, h.rebased(provider));
    }

    // ------------------------------------------------------------------ PKCE (RFC 7636, RFC 9700 §2.1.1)

    @ParameterizedTest(name = "{0}")
    @MethodSource("oauth2Providers")
    void pkceS256OnEveryAuthorizeWithAFreshVerifierKeptServerSide(String provider) {
        ConnectDriver d = registryProvider(provider);
        String extra = ProviderFixtures.of(provider).authorizeQuery();
        Map<String, String> first = d.start(ConnectDriver.RETURN_TO, extra);
        Map<String, String> second = d.start(ConnectDriver.RETURN_TO, extra);

        for (Map<String, String> auth : List.of(first, second)) {
            Map<String, AttributeValue> session = session(d, auth.get("state"));
            if (!d.spec.pkce()) {
                assertThat(auth).doesNotContainKeys("code_challenge", "code_challenge_method");
                assertThat(session).doesNotContainKey("code_verifier");
                continue;
            }
            String verifier = session.get("code_verifier").s();
            assertThat(auth).containsEntry("code_challenge_method", "S256").containsEntry("code_challenge", Pkce.challenge(verifier));
            assertThat(verifier).matches("[A-Za-z0-9_-]{43,128}");
            assertThat(String.join("&", auth.values())).doesNotContain(verifier); // never in the URL, the state included
        }
        if (d.spec.pkce()) {
            assertThat(first.get("code_challenge")).isNotEqualTo(second.get("code_challenge"));
        }
        assertThat(first.get("state")).isNotEqualTo(second.get("state"));
    }

    @Test
    void theVerifierTravelsOnlyInTheTokenRequestBody() {
        ConnectDriver d = generic();
        h.wiremock.resetRequests();
        Map<String, String> auth = d.start(ConnectDriver.RETURN_TO, null);
        String verifier = session(d, auth.get("state")).get("code_verifier").s();

        APIGatewayV2HTTPResponse res = d.callback("code=sec-code-verifier-test&state=" + ConnectDriver.encode(auth.get("state")));

        assertThat(ConnectDriver.redirectParams(res)).containsEntry("connected", "generic");
        List<LoggedRequest> all = h.wiremock.findAll(anyRequestedFor(anyUrl()));
        assertThat(all).filteredOn(r -> r.getBodyAsString().contains(verifier)).singleElement()
                .satisfies(r -> assertThat(r.getUrl()).isEqualTo(TOKEN_PATH));
        assertThat(all).noneMatch(r -> r.getAbsoluteUrl().contains(verifier));
        assertThat(ConnectDriver.visible(res)).doesNotContain(verifier);
    }

    // ------------------------------------------------------------------ state (RFC 6749 §10.12, RFC 9700 §4.7)

    @Test
    void stateWorksExactlyOnce() {
        ConnectDriver d = generic();
        String state = d.state(ConnectDriver.RETURN_TO);
        h.wiremock.resetRequests();

        assertThat(ConnectDriver.redirectParams(d.callback("code=sec-once-code-1&state=" + state))).containsEntry("connected", "generic");
        APIGatewayV2HTTPResponse replay = d.callback("code=sec-once-code-2&state=" + state);

        assertThat(replay.getStatusCode()).isEqualTo(400);
        assertThat(replay.getBody()).contains("\"error\":\"state_reused\"");
        assertThat(h.wiremock.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).hasSize(1);
    }

    @Test
    void swappingPayloadAndSignatureBetweenTwoStatesIsRefusedAndSpendsNeither() {
        ConnectDriver d = generic();
        String a = d.state(ConnectDriver.RETURN_TO);
        String b = d.state(ConnectDriver.RETURN_TO);
        String[] pa = a.split("\\.");
        String[] pb = b.split("\\.");
        h.wiremock.resetRequests();

        for (String forged : List.of(pa[0] + "." + pa[1] + "." + pb[2], pb[0] + "." + pb[1] + "." + pa[2],
                pa[0] + "." + pb[1] + "." + pb[2].substring(0, 42) + (pb[2].endsWith("A") ? "E" : "A"))) { // never b itself
            APIGatewayV2HTTPResponse res = d.callback("code=sec-swap-code&state=" + forged);
            assertThat(res.getBody()).contains("\"error\":\"invalid_state\"").doesNotContain(forged);
        }

        assertThat(h.wiremock.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).isEmpty();
        assertThat(d.stored()).isEmpty();
        assertThat(d.sessions()).hasSize(2); // the genuine flows are untouched by the forgeries
        assertThat(ConnectDriver.redirectParams(d.callback("code=sec-swap-code&state=" + a))).containsEntry("connected", "generic");
    }

    @Test
    void aStateOfOneProviderIsRefusedAtAnotherProvidersCallback() {
        ConnectDriver slack = registryProvider("slack");
        String slackState = slack.state(ConnectDriver.RETURN_TO);
        ConnectDriver d = generic();

        APIGatewayV2HTTPResponse res = d.callback("code=sec-foreign-code&state=" + slackState);

        assertThat(res.getBody()).contains("\"error\":\"invalid_state\"");
        assertThat(slack.sessions()).hasSize(1); // refused on the signature's provider field, before any lookup
    }

    // ------------------------------------------------------------------ browser binding (RFC 9700 §4.7.1)

    @Test
    void authorizeSetsAHostOnlyHttpOnlyLaxCookieAndTheSessionKeepsOnlyItsHash() {
        ConnectDriver d = generic();
        APIGatewayV2HTTPResponse res = d.authorize("return_to=" + ConnectDriver.encode(ConnectDriver.RETURN_TO), null);

        assertThat(res.getCookies()).singleElement().satisfies(c -> assertThat(c)
                .matches("__Host-connectors_browser=[A-Za-z0-9_-]{43}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax; Secure"));
        String id = d.browser.cookies().get("__Host-connectors_browser");
        Map<String, AttributeValue> session = d.sessions().get(0);
        assertThat(session.get("browser_hash").s()).isEqualTo(BrowserBinding.hash(id));
        assertThat(session.toString()).doesNotContain(id);
        assertThat(res.getBody()).doesNotContain(id);
    }

    @Test
    void oneBrowserKeepsItsIdSoParallelFlowsBothFinish() {
        ConnectDriver d = generic();
        String first = d.state(ConnectDriver.RETURN_TO);
        String id = d.browser.cookies().get("__Host-connectors_browser");
        String second = d.state(ConnectDriver.RETURN_TO);

        assertThat(d.browser.cookies()).containsEntry("__Host-connectors_browser", id);
        assertThat(ConnectDriver.redirectParams(d.callback("code=sec-parallel-1&state=" + first))).containsEntry("connected", "generic");
        assertThat(ConnectDriver.redirectParams(d.callback("code=sec-parallel-2&state=" + second))).containsEntry("connected", "generic");
    }

    /** The attack: an attacker starts a flow for their own tenant and lures a victim to the authorization URL. */
    @Test
    void aVictimLuredToAnAttackersAuthorizationUrlConnectsNothingAnywhere() {
        ConnectDriver attacker = generic();
        String state = attacker.state(ConnectDriver.RETURN_TO);
        ConnectDriver victimWithoutCookie = new ConnectDriver(h, attacker.spec, attacker.handler);
        ConnectDriver victimWithOwnCookie = new ConnectDriver(h, attacker.spec, attacker.handler);
        String victimsOwnFlow = victimWithOwnCookie.state(ConnectDriver.RETURN_TO);
        h.wiremock.resetRequests();

        Map<String, String> back = ConnectDriver.redirectParams(victimWithoutCookie.callback("code=sec-victim-code&state=" + state));

        assertThat(back).containsEntry("error", "browser_mismatch");
        assertThat(back.get("message")).contains("another browser");
        assertThat(h.wiremock.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).isEmpty(); // the code is never redeemed
        assertThat(attacker.stored()).isEmpty();
        assertThat(attacker.sessions()).isEmpty(); // the lure burnt the attacker's flow
        assertThat(attacker.callback("code=sec-attacker-code&state=" + state).getBody()).contains("\"error\":\"state_reused\"");

        String another = attacker.state(ConnectDriver.RETURN_TO);
        assertThat(ConnectDriver.redirectParams(victimWithOwnCookie.callback("code=sec-victim-code-2&state=" + another)))
                .containsEntry("error", "browser_mismatch");
        assertThat(attacker.stored()).isEmpty();
        assertThat(victimWithOwnCookie.stored()).isEmpty();
        assertThat(ConnectDriver.redirectParams(victimWithOwnCookie.callback("code=sec-victim-own&state=" + victimsOwnFlow)))
                .containsEntry("connected", "generic"); // the victim's own flow, from their own browser, is untouched
    }

    @ParameterizedTest
    @ValueSource(strings = {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "short", "not a cookie value at all;;",
            "__Host-connectors_browser=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})
    void aForgedOrMalformedCookieIsABrowserMismatch(String forged) {
        ConnectDriver d = generic();
        String state = d.state(ConnectDriver.RETURN_TO);
        h.wiremock.resetRequests();

        var event = ApiEvents.get("/oauth/generic/callback", "code=sec-forged-cookie&state=" + state, null,
                Map.of("host", "connect.example.com", "cookie", "__Host-connectors_browser=" + forged));
        Map<String, String> back = ConnectDriver.redirectParams(d.handler.handleRequest(event, null));

        assertThat(back).containsEntry("error", "browser_mismatch");
        assertThat(h.wiremock.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).isEmpty();
        assertThat(d.stored()).isEmpty();
    }

    @Test
    void withTheBindingOffNoCookieIsSetAndNoneIsNeeded() {
        h.set(Settings.BROWSER_BINDING, "off");
        try {
            ConnectDriver d = generic();
            APIGatewayV2HTTPResponse res = d.authorize("return_to=" + ConnectDriver.encode(ConnectDriver.RETURN_TO), null);
            assertThat(res.getCookies()).isNullOrEmpty();
            String state = ConnectDriver.params(URI.create(res.getBody().replaceAll(".*\"authorizationUrl\":\"([^\"]+)\".*", "$1"))
                    .getRawQuery()).get("state");
            assertThat(d.sessions().get(0)).doesNotContainKey("browser_hash");
            ConnectDriver otherBrowser = new ConnectDriver(h, d.spec, d.handler);
            assertThat(ConnectDriver.redirectParams(otherBrowser.callback("code=sec-binding-off&state=" + state)))
                    .containsEntry("connected", "generic");
        } finally {
            h.set(Settings.BROWSER_BINDING, "cookie");
        }
    }

    // ------------------------------------------------------------------ mix-up (RFC 9700 §4.4, RFC 9207)

    @Test
    void everyProviderHasItsOwnRedirectUriFromConfiguration() {
        Set<String> seen = new HashSet<>();
        redirectProviders().forEach(id -> {
            String uri = new ConnectFlow(h.services(), ProviderRegistry.load(id)).redirectUri();
            assertThat(uri).isEqualTo("https://connect.example.com/oauth/" + id + "/callback");
            assertThat(seen.add(uri)).as("redirect URI of %s is unique", id).isTrue();
        });
        assertThat(seen).hasSizeGreaterThan(30);
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://evil.example", "https://issuer.example/generic/", "https://issuer.example/Generic", ""})
    void aCallbackWhoseIssIsNotTheProvidersIssuerIsRefusedBeforeTheExchange(String iss) {
        ConnectDriver d = generic();
        String state = d.state(ConnectDriver.RETURN_TO);
        h.wiremock.resetRequests();

        APIGatewayV2HTTPResponse res = d.callback("code=sec-mixup-code&state=" + state + "&iss=" + ConnectDriver.encode(iss));

        assertThat(ConnectDriver.redirectParams(res)).containsEntry("error", "invalid_state");
        assertThat(h.wiremock.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH)))).isEmpty();
        assertThat(d.stored()).isEmpty();
        assertThat(d.sessions()).isEmpty(); // spent: the mixed-up response cannot be replayed with another iss
    }

    @Test
    void twoIssValuesAreRefusedAndAnErrorResponseIsCheckedToo() {
        ConnectDriver d = generic();
        String both = "code=c&state=" + d.state(ConnectDriver.RETURN_TO) + "&iss=" + ConnectDriver.encode(ISSUER) + "&iss=x";
        assertThat(ConnectDriver.redirectParams(d.callback(both))).containsEntry("error", "invalid_state");
        String error = "error=access_denied&state=" + d.state(ConnectDriver.RETURN_TO) + "&iss=https%3A%2F%2Fevil.example";
        assertThat(ConnectDriver.redirectParams(d.callback(error))).containsEntry("error", "invalid_state");
    }

    @Test
    void theProvidersOwnIssOrNoneIsAccepted() {
        ConnectDriver d = generic();
        APIGatewayV2HTTPResponse withIss = d.callback("code=sec-iss-ok&state=" + d.state(ConnectDriver.RETURN_TO)
                + "&iss=" + ConnectDriver.encode(ISSUER));
        assertThat(ConnectDriver.redirectParams(withIss)).containsEntry("connected", "generic");
        APIGatewayV2HTTPResponse without = d.callback("code=sec-iss-none&state=" + d.state(ConnectDriver.RETURN_TO));
        assertThat(ConnectDriver.redirectParams(without)).containsEntry("connected", "generic");
    }

    @Test
    void googleSendsIssAndItIsComparedToAccountsGoogleCom() {
        for (String id : List.of("gmail", "google_calendar", "google_chat")) {
            assertThat(ProviderRegistry.load(id).issuer()).isEqualTo("https://accounts.google.com");
        }
        ConnectDriver gmail = registryProvider("gmail");
        String state = gmail.state(ConnectDriver.RETURN_TO);
        APIGatewayV2HTTPResponse res = gmail.callback("code=sec-google-code&state=" + state
                + "&iss=" + ConnectDriver.encode("https://accounts.google.com.evil.example"));
        assertThat(ConnectDriver.redirectParams(res)).containsEntry("error", "invalid_state");
        assertThat(gmail.stored()).isEmpty();
    }

    // ------------------------------------------------------------------ redirect_uri (RFC 6749 §3.1.2, RFC 9700 §4.1)

    @Test
    void redirectUriIsExactAndComesFromConfigurationOnly() {
        ConnectDriver d = generic();
        String expected = "https://connect.example.com/oauth/generic/callback";
        APIGatewayV2HTTPResponse res = d.authorize("redirect_uri=" + ConnectDriver.encode("https://evil.example/cb")
                + "&return_to=" + ConnectDriver.encode(ConnectDriver.RETURN_TO),
                Map.of("host", "evil.example", "x-forwarded-host", "evil.example", "forwarded", "host=evil.example"));
        assertThat(res.getStatusCode()).isEqualTo(200);
        assertThat(res.getBody()).doesNotContain("evil.example");
        Map<String, String> auth = ConnectDriver.params(URI.create(res.getBody().replaceAll(".*\"authorizationUrl\":\"([^\"]+)\".*", "$1")).getRawQuery());
        assertThat(auth).containsEntry("redirect_uri", expected);
        h.wiremock.resetRequests();

        d.callback("code=sec-redirect-code&state=" + auth.get("state") + "&redirect_uri=" + ConnectDriver.encode("https://evil.example/cb"));

        LoggedRequest token = h.wiremock.findAll(postRequestedFor(urlPathEqualTo(TOKEN_PATH))).get(0);
        assertThat(ConnectDriver.params(token.getBodyAsString())).containsEntry("redirect_uri", expected);
    }

    // ------------------------------------------------------------------ return_to (open redirect, RFC 9700 §4.11)

    @ParameterizedTest
    @ValueSource(strings = {
            "//evil.example/x", "https:evil.example", "https:/evil.example", "/\\evil.example", "\\\\evil.example",
            "https://app.example.com@evil.example/", "https://app.example.com:443@evil.example/",
            "https://app.example.com%40evil.example/", "https://evil.example%2F@app.example.com/",
            "https://app.example.com%2F.evil.example/", "https://app.example.com%2f%2fevil.example",
            "https://app.example.com./x", "https://APP.EXAMPLE.COM.evil.example/", "https://app.example.com.evil.example/",
            "https://xn--pp-8cd.example.com/", "https://\u0430pp.example.com/", "https://app.example.com\u3002evil.example/",
            "https://app.example.com:444/", "https://app.example.com:0443/", "https://app.example.com:/",
            "http://app.example.com/", "http://localhost:3001/", "https://localhost:3000/",
            "javascript://app.example.com/%0aalert(1)", "data:text/html,x", "https://app.example.com\t.evil.example/",
            "https://evil.example#https://app.example.com", "https://evil.example?https://app.example.com"})
    void returnToOutsideTheAllowListIsRefusedAndStartsNoFlow(String returnTo) {
        ConnectDriver d = generic();
        APIGatewayV2HTTPResponse res = d.authorize("return_to=" + ConnectDriver.encode(returnTo), null);

        assertThat(res.getStatusCode()).isEqualTo(400);
        assertThat(res.getBody()).contains("\"code\":\"invalid_return_to\"").doesNotContain("evil").doesNotContain(returnTo);
        assertThat(d.sessions()).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"HTTPS://APP.EXAMPLE.COM/settings", "https://app.example.com:443/settings", "http://localhost:3000/cb"})
    void allowedReturnToIsNormalisedOntoItsOrigin(String returnTo) {
        ConnectDriver d = generic();
        String state = d.state(returnTo);
        APIGatewayV2HTTPResponse res = d.callback("code=sec-norm-code&state=" + state);
        String location = res.getHeaders().get("Location");
        assertThat(location).startsWith(returnTo.startsWith("http://") ? "http://localhost:3000/cb?" : "https://app.example.com/settings?");
    }

    @Test
    void returnToIsCheckedAgainAtTheCallback() {
        ConnectDriver d = generic();
        String state = d.state("http://localhost:3000/cb");
        OAuthHandler shrunk = new OAuthHandler(h.set(Settings.RETURN_TO_ALLOWLIST, Harness.APP_ORIGIN).services(), d.spec);
        try {
            APIGatewayV2HTTPResponse res = shrunk.handleRequest(d.event("code=sec-shrunk-code&state=" + state), null);
            assertThat(res.getStatusCode()).isEqualTo(200); // the result page, not a redirect to the dropped origin
            assertThat(res.getHeaders()).doesNotContainKey("Location");
            assertThat(res.getBody()).doesNotContain("localhost:3000");
        } finally {
            h.set(Settings.RETURN_TO_ALLOWLIST, Harness.APP_ORIGIN + ",http://localhost:3000");
        }
    }

    // ------------------------------------------------------------------ the callback's answer (RFC 9700 §4.2, §4.16)

    @Test
    void theRedirectBackToTheAppCarriesNeitherCodeNorStateAndNoReferrer() {
        ConnectDriver d = generic();
        String state = d.state(ConnectDriver.RETURN_TO);
        APIGatewayV2HTTPResponse res = d.callback("code=sec-leaky-code-42&state=" + state);

        assertThat(res.getStatusCode()).isEqualTo(302);
        assertThat(res.getHeaders()).containsEntry("Referrer-Policy", "no-referrer").containsEntry("Cache-Control", "no-store");
        assertThat(res.getHeaders().get("Location")).startsWith(ConnectDriver.RETURN_TO + "?connected=generic")
                .doesNotContain("sec-leaky-code-42").doesNotContain(state).doesNotContain("code=").doesNotContain("state=");
        ConnectDriver.assertNoSecretIn(res);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void theResultPageLoadsNothingRunsOnlyItsHashedScriptAndLeavesTheCodeUrl(boolean connected) throws Exception {
        ConnectDriver d = generic();
        String state = d.state(null);
        String query = connected ? "code=sec-page-code-1&state=" + state : "error=access_denied&state=" + state;

        APIGatewayV2HTTPResponse res = d.callback(query);

        assertThat(res.getStatusCode()).isEqualTo(connected ? 200 : 400);
        Map<String, String> headers = res.getHeaders();
        assertThat(headers).containsEntry("Referrer-Policy", "no-referrer").containsEntry("Cache-Control", "no-store")
                .containsEntry("X-Content-Type-Options", "nosniff");
        String body = res.getBody();
        assertThat(body).contains("<meta name=\"referrer\" content=\"no-referrer\">")
                .doesNotContain("sec-page-code-1").doesNotContain(state)
                .doesNotContainPattern("(?i)\\s(src|href|action|srcset|poster|background)=").doesNotContainPattern("(?i)url\\(|@import|<link|<img|<iframe|<form")
                .contains("history.replaceState(null,'',location.pathname)"); // the address bar drops ?code=&state=
        String csp = headers.get("Content-Security-Policy");
        assertThat(csp).startsWith("default-src 'none';").contains("base-uri 'none'").contains("form-action 'none'")
                .contains("frame-ancestors 'none'").doesNotContain("unsafe-inline").doesNotContain("http").doesNotContain("*");
        Matcher script = SCRIPT.matcher(body);
        assertThat(script.find()).isTrue();
        assertThat(csp).contains("script-src '" + ResultPage.sha256(script.group(1)) + "'");
        assertThat(script.find()).as("one script only").isFalse();
        ConnectDriver.assertNoSecretIn(res);
    }

    @Test
    void popupResultsArePostedToEachAllowedOriginExactlyAndNeverToStar() {
        ConnectDriver d = generic();
        APIGatewayV2HTTPResponse res = d.callback("code=sec-popup-code&state=" + d.state(null));
        Matcher targets = Pattern.compile(",o=(\\[[^]]*])").matcher(res.getBody());
        assertThat(targets.find()).isTrue();
        assertThat(targets.group(1)).isEqualTo("[\"https://app.example.com\",\"http://localhost:3000\"]");
        assertThat(res.getBody()).contains("window.opener.postMessage(r,t)").doesNotContain("'*'").doesNotContain("\"*\"");

        OAuthHandler noOrigins = new OAuthHandler(h.set(Settings.RETURN_TO_ALLOWLIST, "").services(), d.spec);
        try {
            String page = noOrigins.handleRequest(d.event("code=sec-popup-code-2&state=" + d.state(null)), null).getBody();
            assertThat(page).contains(",o=[];"); // nowhere to post: the opener learns nothing
        } finally {
            h.set(Settings.RETURN_TO_ALLOWLIST, Harness.APP_ORIGIN + ",http://localhost:3000");
        }
    }

    private static Map<String, AttributeValue> session(ConnectDriver d, String state) {
        String nonce = ConnectDriver.nonce(state);
        return dev.connectors.testing.StandIns.dynamo().getItem(r -> r.tableName(h.resources.tableName("OAuthSessionsTable"))
                .key(Map.of("nonce", AttributeValue.fromS(nonce)))).item();
    }
}
