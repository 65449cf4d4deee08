package dev.connectors.oauth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.BodyKind;
import dev.connectors.http.ProviderHttp;
import dev.connectors.http.ProviderRequest;
import dev.connectors.http.ProviderResponse;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.tokens.Connection;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Revokes a connection's grant at the provider, as the registry entry's {@link ProviderSpec.Revoke}
 * describes it (RFC 7009 by default). Any failure is a {@link ConnectorException} with a stable code
 * (an HTML page is {@code provider_html_error}, 5xx {@code provider_unavailable}); the caller decides
 * what a failed revoke means. Tokens never reach a log line or an error detail.
 */
public final class TokenRevoker {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ProviderHttp http;

    public TokenRevoker(ProviderHttp http) {
        this.http = http;
    }

    /** @return false when the entry has no revoke endpoint (nothing was sent) */
    public static boolean supported(ProviderSpec spec) {
        return spec.revoke() != null;
    }

    /**
     * @param config the provider's client credentials; may be null when the entry needs none
     * @throws ConnectorException when the provider did not confirm the revocation
     */
    public void revoke(ProviderSpec spec, ProviderConfig config, Connection connection) {
        ProviderSpec.Revoke r = spec.revoke();
        if (r == null) throw new IllegalArgumentException(spec.id() + " has no revoke endpoint");
        boolean refresh = r.token() == ProviderSpec.Revoke.TokenKind.refresh && connection.refreshToken() != null;
        String token = refresh ? connection.refreshToken() : connection.accessToken();
        if (token == null) throw new ConnectorException(ErrorCode.INVALID_GRANT, "no token to revoke");
        boolean clientAuth = r.clientAuth() != ProviderSpec.Revoke.RevokeClientAuth.none;
        if (clientAuth && config == null) throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "revoke needs the client credentials");

        Map<String, String> values = new LinkedHashMap<>(spec.defaults());
        values.putAll(connection.metadata());
        if (config != null) values.putAll(config.values());
        String url = Placeholders.fill(r.url(), values);

        Map<String, String> fields = new LinkedHashMap<>();
        if (r.authScheme() == null) fields.put(r.tokenParam(), token);
        if (r.tokenTypeHint()) fields.put("token_type_hint", refresh ? "refresh_token" : "access_token");
        if (r.clientAuth() == ProviderSpec.Revoke.RevokeClientAuth.client_secret_post) {
            fields.put("client_id", config.clientId());
            fields.put("client_secret", config.clientSecret());
        }
        ProviderRequest request = switch (r.bodyFormat()) {
            case form -> ProviderRequest.postForm(URI.create(url), fields);
            case json -> {
                ObjectNode body = JSON.createObjectNode();
                fields.forEach(body::put);
                yield ProviderRequest.postJson(URI.create(url), body.toString());
            }
            case query -> ProviderRequest.withoutBody(r.method(), URI.create(url + (url.contains("?") ? "&" : "?") + query(fields)));
            case none -> ProviderRequest.withoutBody(r.method(), URI.create(url));
        };
        if (r.authScheme() != null) request = request.header("Authorization", r.authScheme() + " " + token);
        if (r.clientAuth() == ProviderSpec.Revoke.RevokeClientAuth.client_secret_basic) {
            String pair = enc(config.clientId()) + ":" + enc(config.clientSecret()); // RFC 6749 §2.3.1
            request = request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8)));
        }
        check(http.send(request), r, spec);
    }

    /** 2xx is success (RFC 7009 §2.2: also for a token that was already invalid), with the success flag when one is named. */
    private static void check(ProviderResponse response, ProviderSpec.Revoke r, ProviderSpec spec) {
        int status = response.status();
        boolean ok = status >= 200 && status < 300 && response.body().kind() != BodyKind.HTML;
        if (ok && r.successFlag() == null) return;
        if (ok && !response.isJson()) {
            throw new ConnectorException(ErrorCode.PROVIDER_ERROR, "revoke: HTTP " + status + " without the JSON " + r.successFlag() + " flag");
        }
        // same classification as every other provider answer: HTML, 429, 5xx, error fields, success flag
        ProviderAnswers.requireJson(response, "revoke", r.successFlag(), spec.tokenResponse().error(), spec.tokenResponse().errorCodes());
        if (!ok) throw new ConnectorException(ErrorCode.PROVIDER_ERROR, "revoke: HTTP " + status);
    }

    private static String query(Map<String, String> fields) {
        StringBuilder b = new StringBuilder();
        fields.forEach((k, v) -> b.append(b.length() == 0 ? "" : "&").append(enc(k)).append('=').append(enc(v)));
        return b.toString();
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
