package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.testing.StandIns;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Browser;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.SecretsWatch;
import dev.connectors.tokens.Connection;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Drives one provider's connect flow through the real {@link OAuthHandler} as a browser and an app
 * would: authorize (JWT claims, JSON answer), then the provider's redirect to the callback. Each driver
 * has its own tenant, so tests read back exactly what their flows stored.
 */
final class ConnectDriver {
    static final String RETURN_TO = Harness.APP_ORIGIN + "/settings/integrations";
    private static final ObjectMapper JSON = new ObjectMapper();

    final Harness h;
    final ProviderSpec spec;
    final OAuthHandler handler;
    final String tenant = "tenant-" + UUID.randomUUID();
    /** The user's browser: the authorize's binding cookie comes back with the callback. */
    final Browser browser = new Browser();

    ConnectDriver(Harness h, ProviderSpec spec) {
        this(h, spec, new OAuthHandler(h.services(), spec));
    }

    ConnectDriver(Harness h, ProviderSpec spec, OAuthHandler handler) {
        this.h = h;
        this.spec = spec;
        this.handler = handler;
    }

    /** The generic provider on WireMock under {@code /<prefix>}: authorize, token and API endpoints there. */
    static ConnectDriver generic(Harness h, String prefix, Map<String, String> extraSecret) {
        String base = h.wiremock.baseUrl() + "/" + prefix;
        Map<String, String> secret = new LinkedHashMap<>(Map.of("authorize_url", base + "/authorize",
                "token_url", base + "/token", "api_base_url", base + "/api"));
        secret.putAll(extraSecret);
        h.providerSecret("generic", secret);
        return new ConnectDriver(h, h.rebased("generic"));
    }

    String id() {
        return spec.id();
    }

    APIGatewayV2HTTPResponse authorize(String rawQuery, Map<String, String> headers) {
        Map<String, String> all = new LinkedHashMap<>(Map.of("accept", "application/json", "host", "connect.example.com"));
        if (headers != null) all.putAll(headers);
        return browser.send(handler, ApiEvents.get("/oauth/" + id() + "/authorize", rawQuery,
                Map.of("tenant_id", tenant, "sub", "user-7"), all));
    }

    /** The authorization URL's query for a flow returning to {@code returnTo} (null: the result page). */
    Map<String, String> start(String returnTo, String extraQuery) {
        String query = returnTo == null ? "" : "return_to=" + encode(returnTo);
        if (extraQuery != null && !extraQuery.isEmpty()) query += (query.isEmpty() ? "" : "&") + extraQuery;
        APIGatewayV2HTTPResponse res = authorize(query, null);
        assertThat(res.getStatusCode()).as("authorize: %s", res.getBody()).isEqualTo(200);
        try {
            return params(URI.create(JSON.readTree(res.getBody()).get("authorizationUrl").asText()).getRawQuery());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String state(String returnTo) {
        return start(returnTo, null).get("state");
    }

    APIGatewayV2HTTPResponse callback(String rawQuery) {
        return browser.send(handler, event(rawQuery));
    }

    /** The callback as this driver's browser sends it (with its cookies). */
    APIGatewayV2HTTPEvent event(String rawQuery) {
        return browser.withCookies(ApiEvents.get("/oauth/" + id() + "/callback", rawQuery, null, null));
    }

    Optional<Connection> stored() {
        return h.services().tokenStore().get(tenant, id());
    }

    /** This tenant's sessions still in the table (a consumed one is deleted). */
    List<Map<String, AttributeValue>> sessions() {
        return StandIns.dynamo().scan(r -> r.tableName(h.resources.tableName("OAuthSessionsTable"))
                .filterExpression("tenant_id = :t").expressionAttributeValues(Map.of(":t", AttributeValue.fromS(tenant))))
                .items();
    }

    /** The nonce inside a signed state (its payload is readable, only its signature is secret). */
    static String nonce(String state) {
        try {
            return JSON.readTree(Base64.getUrlDecoder().decode(state.split("\\.")[1])).get("n").asText();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Map<String, String> params(String rawQuery) {
        Map<String, String> out = new LinkedHashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) return out;
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            out.put(URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8),
                    eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The query of a 302's Location. */
    static Map<String, String> redirectParams(APIGatewayV2HTTPResponse res) {
        assertThat(res.getStatusCode()).isEqualTo(302);
        return params(URI.create(res.getHeaders().get("Location")).getRawQuery());
    }

    /** What a response shows the browser: its body or its Location, and its headers. */
    static String visible(APIGatewayV2HTTPResponse res) {
        return res.getStatusCode() + " " + res.getHeaders() + " " + (res.getBody() == null ? "" : res.getBody());
    }

    /** No secret the tests put in play (tokens, client secrets, verifiers, codes, keys) in what the browser sees. */
    static void assertNoSecretIn(APIGatewayV2HTTPResponse res) {
        String found = SecretsWatch.findIn(visible(res));
        assertThat(found == null ? null : "a " + found.length() + "-char secret").as("secret in the response").isNull();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
