package dev.connectors.providers;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * One provider as data, loaded from {@code providers/<id>.json}. URLs may hold {@code {name}}
 * placeholders filled, in this order of precedence, from the provider's secret (e.g. the generic
 * provider's endpoints), validated {@link Input}s and the connection's metadata (per-tenant hosts),
 * and {@code defaults} (e.g. Microsoft's tenant {@code common}). {@code secretName} lets providers
 * share one client (the Google family); {@code quirk} names the rare code-level difference
 * ({@link ProviderQuirks}).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ProviderSpec(
        String id,
        String displayName,
        String authType,
        String authorizeUrl,
        String tokenUrl,
        String revokeUrl,
        ClientAuth clientAuth,
        BodyFormat tokenBodyFormat,
        boolean pkce,
        List<String> scopes,
        String scopeSeparator,
        String scopeParam,
        Map<String, String> authorizeParams,
        TokenResponseMapping tokenResponse,
        PostConnectCall postConnect,
        String apiBaseUrl,
        Map<String, String> apiHeaders,
        BackfillSpec backfill,
        List<Input> inputs,
        Map<String, String> defaults,
        String secretName,
        String quirk,
        String notes) {

    public enum ClientAuth { client_secret_post, client_secret_basic }

    public enum BodyFormat { form, json }

    public ProviderSpec {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        authorizeParams = authorizeParams == null ? Map.of() : Map.copyOf(authorizeParams);
        apiHeaders = apiHeaders == null ? Map.of() : Map.copyOf(apiHeaders);
        scopeSeparator = scopeSeparator == null ? " " : scopeSeparator;
        scopeParam = scopeParam == null ? "scope" : scopeParam;
        clientAuth = clientAuth == null ? ClientAuth.client_secret_post : clientAuth;
        tokenBodyFormat = tokenBodyFormat == null ? BodyFormat.form : tokenBodyFormat;
        tokenResponse = tokenResponse == null ? TokenResponseMapping.STANDARD : tokenResponse;
        inputs = inputs == null ? List.of() : List.copyOf(inputs);
        defaults = defaults == null ? Map.of() : Map.copyOf(defaults);
        secretName = secretName == null ? id : secretName;
    }

    /**
     * A per-connection value the flow receives rather than configures: a Shopify shop or Zendesk
     * subdomain from the authorize request, a QuickBooks realmId from the callback. Each must match
     * {@code pattern} entirely before it fills a {@code {name}} placeholder or reaches metadata, so no
     * request can steer a server-side call to an arbitrary host. {@code example} (matching the pattern)
     * is what generated samples and fixtures use.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Input(String name, Source from, String param, String pattern, String example) {
        public enum Source { authorize, callback }
    }

    /**
     * How to read the token endpoint's JSON. Paths are dot-separated ({@code authed_user.id}).
     * {@code successFlag}: a boolean that must be true (Slack answers errors with HTTP 200 and ok:false).
     * {@code errorCodes}: provider error strings mapped to our codes (invalid_grant, invalid_client, ...).
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record TokenResponseMapping(
            String accessToken,
            String refreshToken,
            String expiresIn,
            String scope,
            String tokenType,
            String successFlag,
            String error,
            String errorDescription,
            Map<String, String> errorCodes,
            Map<String, String> metadata) {

        public static final TokenResponseMapping STANDARD =
                new TokenResponseMapping(null, null, null, null, null, null, null, null, null, null);

        public TokenResponseMapping {
            accessToken = accessToken == null ? "access_token" : accessToken;
            refreshToken = refreshToken == null ? "refresh_token" : refreshToken;
            expiresIn = expiresIn == null ? "expires_in" : expiresIn;
            scope = scope == null ? "scope" : scope;
            tokenType = tokenType == null ? "token_type" : tokenType;
            error = error == null ? "error" : error;
            errorDescription = errorDescription == null ? "error_description" : errorDescription;
            errorCodes = errorCodes == null ? Map.of() : Map.copyOf(errorCodes);
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        }
    }

    /** A call made with the new token right after connecting, to learn ids the token response lacks. */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record PostConnectCall(String url, Map<String, String> metadata, boolean required) {
        public PostConnectCall {
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
        }
    }
}
