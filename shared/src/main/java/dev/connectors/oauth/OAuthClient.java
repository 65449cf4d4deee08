package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderHttp;
import dev.connectors.http.ProviderRequest;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderSpec;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OAuth 2.0 authorization-code client driven by a {@link ProviderSpec}: builds the authorization URL,
 * exchanges codes, refreshes, and normalises what comes back. Never logs or throws token values.
 */
public final class OAuthClient {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProviderHttp http;
    private final Clock clock;

    public OAuthClient(ProviderHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    public URI authorizationUrl(ProviderSpec spec, ProviderConfig config, String redirectUri, String state,
                                String codeChallenge) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("response_type", "code");
        params.put("client_id", config.clientId());
        params.put("redirect_uri", redirectUri);
        List<String> scopes = scopes(spec, config);
        if (!scopes.isEmpty()) {
            params.put(spec.scopeParam(), String.join(spec.scopeSeparator(), scopes));
        }
        params.putAll(spec.authorizeParams());
        params.put("state", state);
        if (spec.pkce() && codeChallenge != null) {
            params.put("code_challenge", codeChallenge);
            params.put("code_challenge_method", "S256");
        }
        String base = fill(spec.authorizeUrl(), config);
        return URI.create(base + (base.contains("?") ? "&" : "?") + query(params));
    }

    public TokenSet exchangeCode(ProviderSpec spec, ProviderConfig config, String code, String redirectUri,
                                 String codeVerifier) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirectUri);
        form.putAll(spec.tokenParams());
        if (spec.pkce() && codeVerifier != null) {
            form.put("code_verifier", codeVerifier);
        }
        return tokenCall(spec, config, form, null, "code exchange");
    }

    /** A refresh; when the provider sends no new refresh token the current one is kept. */
    public TokenSet refresh(ProviderSpec spec, ProviderConfig config, String refreshToken) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refreshToken);
        return tokenCall(spec, config, form, refreshToken, "token refresh");
    }

    /** Calls the provider's post-connect endpoint with the new token and returns the metadata it maps. */
    public Map<String, String> postConnect(ProviderSpec spec, ProviderConfig config, String accessToken) {
        ProviderSpec.PostConnectCall call = spec.postConnect();
        if (call == null) return Map.of();
        ProviderRequest request = ProviderRequest.get(URI.create(fill(call.url(), config)))
                .header("Authorization", call.authScheme() + " " + accessToken);
        for (Map.Entry<String, String> h : spec.apiHeaders().entrySet()) request = request.header(h.getKey(), h.getValue());
        JsonNode json = ProviderAnswers.requireJson(http.send(request), "post-connect call",
                null, "error", spec.tokenResponse().errorCodes());
        Map<String, String> metadata = new HashMap<>();
        call.metadata().forEach((name, path) -> {
            String v = JsonPaths.text(json, path);
            if (v != null) metadata.put(name, v);
        });
        return metadata;
    }

    private TokenSet tokenCall(ProviderSpec spec, ProviderConfig config, Map<String, String> form,
                               String currentRefreshToken, String what) {
        boolean refreshing = currentRefreshToken != null && spec.refreshUrl() != null;
        URI tokenUrl = URI.create(fill(refreshing ? spec.refreshUrl() : spec.tokenUrl(), config));
        ProviderRequest request;
        if (spec.clientAuth() == ProviderSpec.ClientAuth.client_secret_post) {
            form.put("client_id", config.clientId());
            form.put("client_secret", config.clientSecret());
        }
        if (spec.tokenBodyFormat() == ProviderSpec.BodyFormat.json) {
            ObjectNode body = JSON.createObjectNode();
            form.forEach(body::put);
            request = ProviderRequest.postJson(tokenUrl, body.toString());
        } else {
            request = ProviderRequest.postForm(tokenUrl, form);
        }
        if (spec.clientAuth() == ProviderSpec.ClientAuth.client_secret_basic) {
            String pair = encode(config.clientId()) + ":" + encode(config.clientSecret()); // RFC 6749 §2.3.1
            request = request.header("Authorization",
                    "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        ProviderSpec.TokenResponseMapping m = spec.tokenResponse();
        JsonNode json = ProviderAnswers.requireJson(http.send(request), what, m.successFlag(), m.error(), m.errorCodes());
        return new TokenResponseReader(clock).read(json, m, currentRefreshToken);
    }

    /** The scopes asked for: the secret's {@code scopes} setting when present, else the registry's. */
    public static List<String> scopes(ProviderSpec spec, ProviderConfig config) {
        String configured = config.values().get("scopes");
        if (configured != null && !configured.isBlank()) {
            return Arrays.stream(configured.trim().split("[\\s,]+")).toList();
        }
        return spec.scopes();
    }

    private static String fill(String template, ProviderConfig config) {
        try {
            return Placeholders.fill(template, config.values());
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "provider secret lacks a value: " + e.getMessage());
        }
    }

    static String query(Map<String, String> params) {
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> {
            if (q.length() > 0) q.append('&');
            q.append(encode(k)).append('=').append(encode(v));
        });
        return q.toString();
    }

    static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
