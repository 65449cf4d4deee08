package dev.connectors.providers.quirks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderHttp;
import dev.connectors.http.ProviderRequest;
import dev.connectors.oauth.ProviderAnswers;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.oauth.TokenResponseReader;
import dev.connectors.oauth.TokenSet;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderQuirk;
import dev.connectors.providers.ProviderSpec;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Meta (Facebook Login, WhatsApp Business): the code exchange gives a short-lived user token and no
 * refresh token. Right after it, trade that token for a long-lived one (~60 days) with
 * {@code GET <token url>?grant_type=fb_exchange_token&client_id&client_secret&fb_exchange_token}
 * (developers.facebook.com/docs/facebook-login/guides/access-tokens/get-long-lived). The answer is read
 * like every provider answer (HTML, 429, errors → stable codes); the scopes and metadata of the first
 * answer are kept. There is still no refresh token: when the long-lived token expires the user reconnects.
 */
public final class FacebookLongLivedToken implements ProviderQuirk {

    @Override
    public TokenSet afterExchange(TokenSet tokens, ProviderSpec spec, ProviderConfig config, ProviderHttp http, Clock clock) {
        Map<String, String> params = new LinkedHashMap<>();
        params.put("grant_type", "fb_exchange_token");
        params.put("client_id", config.clientId());
        params.put("client_secret", config.clientSecret());
        params.put("fb_exchange_token", tokens.accessToken());
        String url;
        try {
            url = Placeholders.fill(spec.tokenUrl(), config.values());
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "provider secret lacks a value: " + e.getMessage());
        }
        StringBuilder query = new StringBuilder();
        params.forEach((k, v) -> query.append(query.length() == 0 ? "" : "&").append(k).append('=')
                .append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        ProviderRequest request = ProviderRequest.get(URI.create(url + (url.contains("?") ? "&" : "?") + query));
        ProviderSpec.TokenResponseMapping m = spec.tokenResponse();
        JsonNode json = ProviderAnswers.requireJson(http.send(request), "long-lived token exchange",
                m.successFlag(), m.error(), m.errorCodes());
        TokenSet longLived = new TokenResponseReader(clock).read(json, m, null);
        return new TokenSet(longLived.accessToken(), null, longLived.tokenType(), tokens.scopes(),
                longLived.expiresAt(), tokens.metadata());
    }
}
