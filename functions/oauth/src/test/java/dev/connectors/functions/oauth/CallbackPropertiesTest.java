package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.connectors.testing.StandIns;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.Hostile;
import dev.connectors.testkit.LogCapture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterProperty;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The callback under generated hostile queries, through the real handler, DynamoDB, SQS and WireMock:
 * huge, empty, unicode, control characters, duplicated and nested parameters, forged states, and genuine
 * states with hostile companions. Never a 5xx, never an exception out of the handler, never a stored token,
 * never a generated value repeated in the answer, never a secret in it.
 */
class CallbackPropertiesTest {
    private static final String PREFIX = "callback-properties";
    private static final List<String> NAMES = List.of("state", "code", "iss", "error", "error_description", "error_uri",
            "state[]", "state[a]", "STATE", "code%00", "redirect_uri", "return_to", "oauth_token", "oauth_verifier",
            "realmId", "shop", "hmac", "scope", "session_state", "%26state", "state%3D");
    private static final String CANARY = "QzXq";
    private static final Harness H;
    private static final ConnectDriver DRIVER;

    static {
        LogCapture.install();
        H = Harness.forFunction("GenericFunction");
        DRIVER = ConnectDriver.generic(H, PREFIX, Map.of("issuer", "https://issuer.example/properties"));
        // only a code no generator makes is exchanged for tokens; anything else is refused as the provider would
        H.wiremock.stubFor(post(urlPathEqualTo("/" + PREFIX + "/token")).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
        H.wiremock.stubFor(post(urlPathEqualTo("/" + PREFIX + "/token")).withRequestBody(containing("code=prop-only-real-code"))
                .willReturn(okJson("{\"access_token\":\"prop-access-token-never\",\"token_type\":\"Bearer\"}")));
    }

    @Property(tries = 1500, seed = Hostile.SEED)
    void anyCallbackQueryGetsAFriendlyAnswer(@ForAll("pairs") List<Tuple.Tuple2<String, String>> pairs, @ForAll boolean encode) {
        String query = query(pairs, encode);
        APIGatewayV2HTTPResponse res = DRIVER.handler.handleRequest(rawEvent(query), null);
        assertFriendly(res, pairs);
    }

    @Property(tries = 300, seed = Hostile.SEED)
    void aGenuineStateWithAHostileCodeAndCompanionsStoresNothing(@ForAll("codes") String code,
                                                                 @ForAll("companions") List<Tuple.Tuple2<String, String>> companions,
                                                                 @ForAll boolean resultPage) {
        String state = DRIVER.state(resultPage ? null : ConnectDriver.RETURN_TO);
        List<Tuple.Tuple2<String, String>> all = new ArrayList<>(companions);
        all.add(0, Tuple.of("code", code));
        all.add(0, Tuple.of("state", state));
        APIGatewayV2HTTPResponse res = DRIVER.handler.handleRequest(rawEvent(query(all, true)), null);
        assertFriendly(res, all.subList(1, all.size()));
        assertThat(DRIVER.stored()).isEmpty();
        assertThat(ConnectDriver.visible(res)).doesNotContain(state);
    }

    @AfterProperty
    void noConnectionWasEverStored() {
        int stored = StandIns.dynamo().scan(r -> r.tableName(H.resources.tableName("ConnectionsTable")).select("COUNT")).count();
        assertThat(stored).isZero();
    }

    private static void assertFriendly(APIGatewayV2HTTPResponse res, List<Tuple.Tuple2<String, String>> pairs) {
        assertThat(res.getStatusCode()).isIn(302, 400);
        Statistics.collect(outcome(res)); // the report shows which checks the generated queries reached
        String visible = ConnectDriver.visible(res);
        assertThat(visible).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(".java:");
        // most generated names and values carry the canary, which none of our own texts contains: no echo at all,
        // escaped or not, truncated or not
        assertThat(visible).doesNotContain(CANARY);
        for (Tuple.Tuple2<String, String> p : pairs) {
            if (p.get2() != null && p.get2().length() >= 24) assertThat(visible).doesNotContain(p.get2());
        }
        ConnectDriver.assertNoSecretIn(res);
    }

    private static String outcome(APIGatewayV2HTTPResponse res) {
        if (res.getStatusCode() == 302) return ConnectDriver.redirectParams(res).getOrDefault("error", "connected");
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"error\":\"([a-z_]+)\"").matcher(res.getBody());
        return m.find() ? m.group(1) : "connected";
    }

    /** Payload 2.0 as API Gateway passes it: the raw query as the client sent it (no decoding on our side). */
    private static APIGatewayV2HTTPEvent rawEvent(String rawQuery) {
        APIGatewayV2HTTPEvent event = DRIVER.event("");
        event.setRawQueryString(rawQuery);
        event.setQueryStringParameters(null);
        return event;
    }

    private static String query(List<Tuple.Tuple2<String, String>> pairs, boolean encode) {
        StringBuilder q = new StringBuilder();
        for (Tuple.Tuple2<String, String> p : pairs) {
            if (q.length() > 0) q.append('&');
            q.append(encode ? URLEncoder.encode(p.get1(), StandardCharsets.UTF_8) : p.get1());
            if (p.get2() != null) q.append('=').append(encode ? URLEncoder.encode(p.get2(), StandardCharsets.UTF_8) : p.get2());
        }
        return q.toString();
    }

    /** Names we read (and lookalikes), often repeated; values hostile; sometimes a forged state. */
    @Provide
    Arbitrary<List<Tuple.Tuple2<String, String>>> pairs() {
        Arbitrary<String> names = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(NAMES)), Tuple.of(1, canaried(Hostile.strings())));
        Arbitrary<String> values = Arbitraries.frequencyOf(Tuple.of(6, canaried(Hostile.strings())), Tuple.of(1, forgedStates()),
                Tuple.of(1, Arbitraries.just(null)));
        return Combinators.combine(names, values).as(Tuple::of).list().ofMaxSize(8);
    }

    /** Any hostile value but the one code the stub exchanges. */
    @Provide
    Arbitrary<String> codes() {
        return canaried(Hostile.strings());
    }

    /** What may come along with state and code: the issuer, an error, echoes of our own parameters, anything. */
    @Provide
    Arbitrary<List<Tuple.Tuple2<String, String>>> companions() {
        Arbitrary<String> names = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.of("iss", "error", "error_description",
                "redirect_uri", "return_to", "scope", "session_state", "hmac")), Tuple.of(1, canaried(Hostile.strings())));
        Arbitrary<String> values = Arbitraries.frequencyOf(Tuple.of(4, canaried(Hostile.strings())),
                Tuple.of(1, Arbitraries.just("https://issuer.example/properties")));
        return Combinators.combine(names, values).as(Tuple::of).list().ofMaxSize(3);
    }

    /** The value with the canary spliced in somewhere (often mid-way through an attack string). */
    private static Arbitrary<String> canaried(Arbitrary<String> values) {
        return Combinators.combine(values, Arbitraries.integers().greaterOrEqual(0))
                .as((v, at) -> {
                    int i = v.isEmpty() ? 0 : at % (v.length() + 1);
                    return v.substring(0, i) + CANARY + v.substring(i);
                });
    }

    private static Arbitrary<String> forgedStates() {
        return canaried(Hostile.assembled()).map(s -> "v1." + java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString(("{\"n\":\"" + s + "\",\"p\":\"generic\",\"e\":4102444800,\"k\":\"s1\"}").getBytes(StandardCharsets.UTF_8))
                + "." + "A".repeat(43));
    }
}
