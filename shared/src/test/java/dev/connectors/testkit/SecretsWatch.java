package dev.connectors.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.http.Response;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Every secret value the tests of this JVM put in play: client secrets and app keys (registered by the
 * {@link Harness}), and whatever crossed the provider stand-in: authorization codes, PKCE verifiers, client
 * secrets and tokens sent to WireMock, access / refresh / id tokens it answered with. {@link SecretsLeakCheck}
 * fails a module's run when one of them shows up in a log line or an {@code events/} file.
 */
public final class SecretsWatch {
    /** Shorter values ("c", "tok") would match innocent text; the tests' secrets are all longer. */
    static final int MIN_LENGTH = 8;
    private static final int MAX_HARVESTED_BODY = 64 * 1024;
    private static final Set<String> REQUEST_FIELDS = Set.of("client_secret", "code", "code_verifier", "refresh_token",
            "access_token", "token", "oauth_verifier", "public_token");
    private static final Set<String> RESPONSE_FIELDS = Set.of("access_token", "refresh_token", "id_token",
            "oauth_token_secret", "bot_access_token");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();
    private static final Set<WireMockServer> WATCHED = Collections.newSetFromMap(new java.util.IdentityHashMap<>());

    private SecretsWatch() {
    }

    public static void register(String secret) {
        if (secret != null && secret.length() >= MIN_LENGTH) SECRETS.add(secret);
    }

    /** For the check's own test: a planted secret must not fail the rest of the run. */
    static void forget(String secret) {
        SECRETS.remove(secret);
    }

    public static Set<String> secrets() {
        return Set.copyOf(SECRETS);
    }

    /** The first registered secret contained in {@code text}, or null. */
    public static String findIn(String text) {
        if (text == null) return null;
        for (String s : SECRETS) {
            if (text.contains(s)) return s;
        }
        return null;
    }

    /** Harvests secrets from every exchange with {@code server}; once per server. */
    public static synchronized void watch(WireMockServer server) {
        if (WATCHED.add(server)) server.addMockServiceRequestListener(SecretsWatch::harvest);
    }

    private static void harvest(Request request, Response response) {
        try {
            String auth = request.getHeader("Authorization");
            if (auth != null) {
                int space = auth.indexOf(' ');
                register(space < 0 ? auth : auth.substring(space + 1));
            }
            fields(request.getBodyAsString(), REQUEST_FIELDS);
            query(request.getUrl());
            if (response != null && response.getBody() != null && response.getBody().length <= MAX_HARVESTED_BODY) {
                fields(response.getBodyAsString(), RESPONSE_FIELDS);
            }
        } catch (RuntimeException ignored) {
            // a fault stub (reset, malformed chunk) may have no readable body: nothing to harvest
        }
    }

    private static void query(String url) {
        int q = url == null ? -1 : url.indexOf('?');
        if (q >= 0) fields(url.substring(q + 1), REQUEST_FIELDS);
    }

    /** Form-encoded pairs or a JSON document (any depth); only the named fields' text values. */
    private static void fields(String body, Set<String> names) {
        if (body == null || body.isBlank() || body.length() > MAX_HARVESTED_BODY) return;
        String trimmed = body.strip();
        if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
            try {
                walk(JSON.readTree(trimmed), names);
            } catch (java.io.IOException notJson) {
                // truncated or broken JSON from a fault test: nothing to harvest
            }
            return;
        }
        for (String pair : trimmed.split("&")) {
            int eq = pair.indexOf('=');
            if (eq <= 0) continue;
            try {
                String name = URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8);
                if (names.contains(name)) register(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException badEscape) {
                // not a form: ignore
            }
        }
    }

    private static void walk(JsonNode node, Set<String> names) {
        if (node == null) return;
        node.properties().forEach(e -> {
            if (names.contains(e.getKey()) && e.getValue().isTextual()) register(e.getValue().asText());
            walk(e.getValue(), names);
        });
        if (node.isArray()) node.forEach(n -> walk(n, names));
    }
}
