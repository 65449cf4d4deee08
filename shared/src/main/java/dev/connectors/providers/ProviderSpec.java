package dev.connectors.providers;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;

import java.util.List;
import java.util.Map;

/**
 * One provider as data, loaded from {@code providers/<id>.json}. URLs may hold {@code {name}}
 * placeholders filled, in this order of precedence, from the provider's secret (e.g. the generic
 * provider's endpoints), validated {@link Input}s and the connection's metadata (per-tenant hosts),
 * and {@code defaults} (e.g. Microsoft's tenant {@code common}). {@code tokenParams} are extra fields sent
 * with the code exchange only (e.g. Shopify's {@code expiring=1}). {@code requestTokenUrl} is OAuth 1.0a's
 * temporary-credentials endpoint (authType {@code oauth1}; {@code tokenUrl} is then its token-credentials one). {@code secretName} lets providers
 * share one client (the Google family); {@code quirk} names the rare code-level difference
 * ({@link ProviderQuirks}). {@code refreshUrl}: where refreshes go when not to the token URL (Figma).
 * {@code revoke}: how to revoke a grant on disconnect ({@link Revoke}); absent when the provider has no revoke endpoint.
 * {@code issuer}: the authorization server's issuer identifier when it sends RFC 9207's {@code iss} with every
 * authorization response (Google); the callback then requires {@code iss} to equal it (mix-up defence).
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record ProviderSpec(
        String id,
        String displayName,
        String authType,
        String authorizeUrl,
        String tokenUrl,
        String requestTokenUrl,
        Revoke revoke,
        ClientAuth clientAuth,
        BodyFormat tokenBodyFormat,
        boolean pkce,
        List<String> scopes,
        String scopeSeparator,
        String scopeParam,
        Map<String, String> authorizeParams,
        Map<String, String> tokenParams,
        TokenResponseMapping tokenResponse,
        PostConnectCall postConnect,
        String apiBaseUrl,
        Map<String, String> apiHeaders,
        BackfillSpec backfill,
        List<Input> inputs,
        Map<String, String> defaults,
        KeyValidation validation,
        Link link,
        String secretName,
        String quirk,
        String refreshUrl,
        String issuer,
        String notes) {

    public enum ClientAuth { client_secret_post, client_secret_basic }

    public enum BodyFormat { form, json }

    public ProviderSpec {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        authorizeParams = authorizeParams == null ? Map.of() : Map.copyOf(authorizeParams);
        tokenParams = tokenParams == null ? Map.of() : Map.copyOf(tokenParams);
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

    /**
     * A call made with the new token right after connecting, to learn ids the token response lacks.
     * {@code authScheme} is the Authorization scheme sent with the token ({@code Bearer} unless the
     * provider documents another, e.g. Mailchimp's metadata endpoint takes {@code OAuth <token>}).
     * A metadata path may use {@code *} over an array to keep every value, comma-joined ({@code *.tenantId}).
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record PostConnectCall(String url, Map<String, String> metadata, boolean required, String authScheme) {
        public PostConnectCall {
            metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
            authScheme = authScheme == null ? "Bearer" : authScheme;
        }
    }

    /**
     * How a provider revokes a grant (disconnect), as data. Defaults follow RFC 7009: {@code POST} the
     * {@code refresh} token (the access token when there is none) as {@code token=} in a form body, without
     * client authentication. {@code token}: which token to send ({@code refresh} falls back to {@code access}).
     * {@code bodyFormat}: {@code form}, {@code json} ({@code {"token": …}}), {@code query} (in the URL) or
     * {@code none}. {@code tokenParam}: the field's name. {@code clientAuth}: {@code none},
     * {@code client_secret_post} (client_id/client_secret next to the token) or {@code client_secret_basic}.
     * {@code authScheme}: when set (e.g. {@code Bearer}) the token goes in the Authorization header instead
     * (Slack's auth.revoke, Dropbox, Meta). {@code successFlag}: a JSON boolean that must be true (Slack's
     * {@code ok}). {@code tokenTypeHint}: also send RFC 7009's {@code token_type_hint}.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Revoke(String url, String method, TokenKind token, RevokeFormat bodyFormat, String tokenParam,
                         RevokeClientAuth clientAuth, String authScheme, String successFlag, boolean tokenTypeHint) {
        public enum TokenKind { refresh, access }

        public enum RevokeFormat { form, json, query, none }

        public enum RevokeClientAuth { none, client_secret_post, client_secret_basic }

        public Revoke {
            method = method == null ? "POST" : method;
            token = token == null ? TokenKind.refresh : token;
            bodyFormat = bodyFormat == null ? (authScheme == null ? RevokeFormat.form : RevokeFormat.none) : bodyFormat;
            tokenParam = tokenParam == null ? "token" : tokenParam;
            clientAuth = clientAuth == null ? RevokeClientAuth.none : clientAuth;
        }
    }

    /** Flows a provider may use; {@code oauth2} unless the entry says otherwise. */
    public static final String OAUTH2 = "oauth2";
    /** RFC 5849 three-legged flow (request token, authorize, access token), HMAC-SHA1 signatures. */
    public static final String OAUTH1 = "oauth1";
    /** The tenant pastes an API key; one cheap read call ({@link KeyValidation}) checks it before it is stored. */
    public static final String API_KEY = "api_key";
    /** A widget token flow: the server creates a link token, the provider's widget returns a public token to exchange ({@link Link}). */
    public static final String LINK_TOKEN = "link_token";

    public String authTypeOrDefault() {
        return authType == null || authType.isBlank() ? OAUTH2 : authType;
    }

    /**
     * API-key providers: the one read call that tells a good key from a bad one. {@code authScheme}
     * {@code bearer} sends {@code Authorization: Bearer <key>}; {@code basic_user} sends the key as the
     * HTTP Basic user name with an empty password. {@code successStatus} (default 200) means "valid";
     * 401/403 mean "not accepted". The URL may use placeholders from {@code defaults} only: these
     * functions read no provider secret.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record KeyValidation(String url, AuthScheme authScheme, Integer successStatus) {
        public enum AuthScheme { bearer, basic_user }

        public KeyValidation {
            authScheme = authScheme == null ? AuthScheme.bearer : authScheme;
            successStatus = successStatus == null ? 200 : successStatus;
        }
    }

    /**
     * A link-token flow (e.g. a bank-data widget): {@code createUrl} gets a short-lived link token for the
     * tenant's user, the widget hands the browser a public token, and {@code exchangeUrl} trades it for a
     * long-lived access token, read with {@code tokenResponse}. Both calls are JSON POSTs carrying the client
     * credentials as {@code clientIdField} / {@code clientSecretField}; {@code createBody} is the rest of the
     * create request (string values may hold placeholders), {@code userIdField} (dot path) receives an opaque
     * per-user id, {@code scopesField} the requested scopes (products) as an array.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Link(String createUrl, com.fasterxml.jackson.databind.JsonNode createBody, String linkTokenPath,
                       String exchangeUrl, String publicTokenField, String clientIdField, String clientSecretField,
                       String userIdField, String scopesField) {
        public Link {
            linkTokenPath = linkTokenPath == null ? "link_token" : linkTokenPath;
            publicTokenField = publicTokenField == null ? "public_token" : publicTokenField;
            clientIdField = clientIdField == null ? "client_id" : clientIdField;
            clientSecretField = clientSecretField == null ? "client_secret" : clientSecretField;
        }
    }
}
