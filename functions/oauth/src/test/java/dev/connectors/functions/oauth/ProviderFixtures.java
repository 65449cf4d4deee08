package dev.connectors.functions.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderSpec;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One provider's checklist fixture, {@code checklist/<id>.json}: its documented token responses
 * (success, invalid client), an optional post-connect answer, extra secret settings, per-connection
 * inputs, and what the stored connection must hold. Paths on WireMock are derived from the
 * (rebased) registry entry, so a fixture never repeats an endpoint. {@code {wiremock}} in any string is the
 * stub server's base URL (for hosts the token response names, such as Zoho's api_domain).
 */
record ProviderFixtures(String provider, JsonNode json) {
    private static final ObjectMapper JSON = new ObjectMapper();

    static ProviderFixtures of(String provider) {
        try (InputStream in = ProviderFixtures.class.getResourceAsStream("/checklist/" + provider + ".json")) {
            if (in == null) throw new IllegalStateException("no checklist fixture for " + provider + ": add checklist/" + provider + ".json");
            // {wiremock} anywhere (e.g. a token response's api_domain that later calls go to) is the stub server
            String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8)
                    .replace("{wiremock}", dev.connectors.testing.WireMockStandIn.shared().baseUrl());
            return new ProviderFixtures(provider, JSON.readTree(text));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static boolean exists(String provider) {
        return ProviderFixtures.class.getResource("/checklist/" + provider + ".json") != null;
    }

    /** Template logical id: slack → SlackFunction, google_calendar → GoogleCalendarFunction. */
    String functionId() {
        StringBuilder out = new StringBuilder();
        for (String part : provider.split("_")) out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        return out.append("Function").toString();
    }

    /** Extra secret settings, with {wiremock} replaced by the stub server's base URL. */
    Map<String, String> config(String wiremockBase) {
        Map<String, String> out = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = json.path("config").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            out.put(e.getKey(), e.getValue().asText().replace("{wiremock}", wiremockBase));
        }
        return out;
    }

    String authorizeQuery() {
        return json.path("authorizeQuery").asText("");
    }

    String callbackQuery() {
        return json.path("callbackQuery").asText("");
    }

    /**
     * The provider's redirect to our callback around {@code rawQuery} (state, code): the fixture's extra
     * parameters first, and the provider's signature last when it signs its redirects (Shopify).
     */
    String callbackQuery(String rawQuery) {
        String query = callbackQuery().isEmpty() ? rawQuery : callbackQuery() + "&" + rawQuery;
        String signParam = json.path("signCallback").asText("");
        if (!signParam.isEmpty()) query += "&" + signParam + "=" + hmacOverSortedQuery(query, dev.connectors.testkit.Harness.clientSecret(provider));
        return query;
    }

    /** Hex HMAC-SHA256 of the decoded query sorted by name, keyed with the client secret (Shopify's redirect signature). */
    private static String hmacOverSortedQuery(String rawQuery, String secret) {
        java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>(ConnectDriver.params(rawQuery));
        StringBuilder message = new StringBuilder();
        sorted.forEach((k, v) -> message.append(message.length() == 0 ? "" : "&").append(k).append('=').append(v));
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8), "HmacSHA256"));
            return java.util.HexFormat.of().formatHex(mac.doFinal(message.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    Map<String, String> inputs() {
        Map<String, String> out = new HashMap<>();
        json.path("inputs").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    int status(String response) {
        return json.path(response).path("status").asInt();
    }

    String body(String response) {
        JsonNode body = json.path(response).path("body");
        return body.isTextual() ? body.asText() : body.toString();
    }

    boolean hasPostConnect() {
        return json.has("postConnect");
    }

    String accessToken() {
        return json.path("expect").path("accessToken").asText();
    }

    boolean expires() {
        return json.path("expect").path("expires").asBoolean();
    }

    Map<String, String> metadata() {
        Map<String, String> out = new HashMap<>();
        json.path("expect").path("metadata").fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    /** The WireMock path a spec URL lands on once placeholders are filled. */
    static String path(String url, ProviderConfig config) {
        return URI.create(Placeholders.fill(url, config.values())).getPath();
    }
}
