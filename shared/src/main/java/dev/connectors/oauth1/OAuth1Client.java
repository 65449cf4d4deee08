package dev.connectors.oauth1;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderHttp;
import dev.connectors.http.ProviderRequest;
import dev.connectors.oauth.OAuthClient;
import dev.connectors.oauth.ProviderAnswers;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.state.Nonces;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OAuth 1.0a (RFC 5849) three-legged client driven by a {@link ProviderSpec} with authType {@code oauth1}:
 * temporary credentials ({@code requestTokenUrl}), the user's authorization ({@code authorizeUrl}), token
 * credentials ({@code tokenUrl}). Consumer key and secret are the provider secret's client_id and
 * client_secret. Requests are POSTs signed with HMAC-SHA1 in the Authorization header and an empty body;
 * answers are form-encoded and read by {@link ProviderAnswers#requireForm}. Never logs or throws secrets.
 */
public final class OAuth1Client {
    /** A token and its secret: temporary (request) credentials or token (access) credentials. */
    public record Credentials(String token, String secret) {
        @Override
        public String toString() {
            return "Credentials[***]";
        }
    }

    private final ProviderHttp http;
    private final Clock clock;

    public OAuth1Client(ProviderHttp http, Clock clock) {
        this.http = http;
        this.clock = clock;
    }

    /** §2.1: temporary credentials; {@code callback} is where the provider sends the user back (with our state). */
    public Credentials requestToken(ProviderSpec spec, ProviderConfig config, String callback) {
        Map<String, String> protocol = protocol(config, null);
        protocol.put("oauth_callback", callback);
        Map<String, String> answer = call(spec, config, spec.requestTokenUrl(), protocol, null, "request token");
        if (!"true".equals(answer.get("oauth_callback_confirmed"))) {
            throw new ConnectorException(ErrorCode.PROVIDER_ERROR, "request token: oauth_callback_confirmed is not true");
        }
        return credentials(answer, "request token");
    }

    /** §2.2: where to send the user; the registry's scopes and authorizeParams ride along (Trello: name, scope, expiration). */
    public URI authorizationUrl(ProviderSpec spec, ProviderConfig config, String requestToken) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("oauth_token", requestToken);
        List<String> scopes = OAuthClient.scopes(spec, config);
        if (!scopes.isEmpty()) params.put(spec.scopeParam(), String.join(spec.scopeSeparator(), scopes));
        params.putAll(spec.authorizeParams());
        StringBuilder q = new StringBuilder();
        params.forEach((k, v) -> q.append(q.length() == 0 ? "" : "&").append(encode(k)).append('=').append(encode(v)));
        String base = fill(spec.authorizeUrl(), config);
        return URI.create(base + (base.contains("?") ? "&" : "?") + q);
    }

    /** §2.3: token credentials for the verifier the provider sent back with the request token. */
    public Credentials accessToken(ProviderSpec spec, ProviderConfig config, Credentials request, String verifier) {
        Map<String, String> protocol = protocol(config, request.token());
        protocol.put("oauth_verifier", verifier);
        return credentials(call(spec, config, spec.tokenUrl(), protocol, request.secret(), "access token"), "access token");
    }

    private Map<String, String> call(ProviderSpec spec, ProviderConfig config, String url, Map<String, String> protocol,
                                     String tokenSecret, String what) {
        URI uri = URI.create(fill(url, config));
        String authorization = OAuth1Signer.authorization("POST", uri, protocol, List.of(), config.clientSecret(), tokenSecret);
        ProviderRequest request = ProviderRequest.post(uri, ProviderRequest.FORM, new byte[0]).header("Authorization", authorization);
        return ProviderAnswers.requireForm(http.send(request), what, spec.tokenResponse().errorCodes());
    }

    private Map<String, String> protocol(ProviderConfig config, String token) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("oauth_consumer_key", config.clientId());
        if (token != null) p.put("oauth_token", token);
        p.put("oauth_signature_method", "HMAC-SHA1");
        p.put("oauth_timestamp", Long.toString(clock.instant().getEpochSecond()));
        p.put("oauth_nonce", Nonces.newNonce());
        p.put("oauth_version", "1.0");
        return p;
    }

    private static Credentials credentials(Map<String, String> answer, String what) {
        String token = answer.get("oauth_token");
        String secret = answer.get("oauth_token_secret");
        if (token == null || token.isBlank() || secret == null || secret.isBlank()) {
            throw new ConnectorException(ErrorCode.PROVIDER_ERROR, what + ": answer without oauth_token and oauth_token_secret");
        }
        return new Credentials(token, secret);
    }

    private static String fill(String template, ProviderConfig config) {
        try {
            return Placeholders.fill(template, config.values());
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "provider secret lacks a value: " + e.getMessage());
        }
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
