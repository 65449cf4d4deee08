package dev.connectors.oauth;

import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.errors.ErrorFormatter;
import dev.connectors.errors.FriendlyError;
import dev.connectors.log.Log;
import dev.connectors.oauth1.OAuth1Client;
import dev.connectors.providers.ProviderInputs;
import dev.connectors.providers.ProviderQuirk;
import dev.connectors.providers.ProviderQuirks;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.AfterConnect;
import dev.connectors.runtime.Services;
import dev.connectors.state.BrowserBinding;
import dev.connectors.state.ExpiredStateException;
import dev.connectors.state.Nonces;
import dev.connectors.state.OAuthSession;
import dev.connectors.state.Pkce;
import dev.connectors.state.ReturnToPolicy;
import dev.connectors.state.StatePayload;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The authorization-code flow for one provider: start (session + signed state + PKCE) and finish
 * (verify state, consume session once, exchange, store encrypted, start the 3-month backfill).
 * Every failure becomes a {@link FriendlyError}; details go to the log only. An {@code oauth1} provider
 * (RFC 5849) runs the same flow with its own legs: authorize fetches a request token (its secret kept in the
 * session) and the callback trades {@code oauth_token} + {@code oauth_verifier} for the token and its secret.
 */
public final class ConnectFlow {
    private static final Log LOG = Log.of(ConnectFlow.class);
    public static final Duration LIFETIME = Duration.ofMinutes(10);

    /** How a callback ended; {@code returnTo} is null when the app gave none (or it is unknown). */
    public record Outcome(boolean connected, String provider, URI returnTo, FriendlyError error, String jobId) {
    }

    private final Services services;
    private final ProviderSpec spec;

    public ConnectFlow(Services services, ProviderSpec spec) {
        this.services = services;
        this.spec = spec;
    }

    public String redirectUri() {
        String base = services.settings().require(Settings.PUBLIC_BASE_URL);
        return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/oauth/" + spec.id() + "/callback";
    }

    /** How flows are bound to the browser that started them; empty when {@code BROWSER_BINDING=off}. */
    public Optional<BrowserBinding> browserBinding() {
        if ("off".equalsIgnoreCase(services.settings().get(Settings.BROWSER_BINDING, "cookie"))) return Optional.empty();
        return Optional.of(BrowserBinding.forBaseUrl(services.settings().require(Settings.PUBLIC_BASE_URL)));
    }

    public ReturnToPolicy returnToPolicy() {
        return ReturnToPolicy.parse(services.settings().get(Settings.RETURN_TO_ALLOWLIST, ""));
    }

    /**
     * Starts a flow for an authenticated tenant user; returns the provider URL to send the browser to.
     * {@code browserId} is the id of the browser's binding cookie (null: unbound); only its hash is stored.
     */
    public URI authorize(String tenantId, String userId, String returnTo, Map<String, List<String>> query, String browserId) {
        String browserHash = browserId == null ? null : BrowserBinding.hash(browserId);
        Optional<URI> target = returnToPolicy().check(returnTo);
        Map<String, String> inputs = ProviderInputs.read(spec, ProviderSpec.Input.Source.authorize, query);
        ProviderConfig config = services.providerConfig(spec.id()).withValues(inputs).withDefaults(spec);
        Instant expires = services.clock().instant().plus(LIFETIME);
        String nonce = Nonces.newNonce();
        String verifier = spec.pkce() ? Pkce.newVerifier() : null;
        String state = services.stateCodec().encode(nonce, spec.id(), expires);
        if (oauth1()) {
            // the provider sends the user back to this URL as given (plus oauth_token and oauth_verifier)
            OAuth1Client.Credentials request = new OAuth1Client(services.http(), services.clock())
                    .requestToken(spec, config, redirectUri() + "?state=" + URLEncoder.encode(state, StandardCharsets.UTF_8));
            services.sessions().put(new OAuthSession(nonce, spec.id(), tenantId, userId, target.map(URI::toString).orElse(null),
                    null, inputs, expires, request.token(), request.secret(), browserHash));
            LOG.info("authorize_started", "oauth1", true);
            return new OAuth1Client(services.http(), services.clock()).authorizationUrl(spec, config, request.token());
        }
        services.sessions().put(new OAuthSession(nonce, spec.id(), tenantId, userId,
                target.map(URI::toString).orElse(null), verifier, inputs, expires).withBrowserHash(browserHash));
        LOG.info("authorize_started", "pkce", verifier != null);
        return services.oauth().authorizationUrl(spec, config, redirectUri(), state,
                verifier == null ? null : Pkce.challenge(verifier));
    }

    /**
     * Finishes a flow from the callback's query parameters (every value of every name, as received) and the
     * browser's cookies (payload 2.0 {@code cookies} or raw Cookie headers).
     */
    public Outcome callback(Map<String, List<String>> query, List<String> cookies) {
        URI returnTo = null;
        try {
            String state = single(query, "state", ErrorCode.INVALID_STATE);
            StatePayload payload;
            try {
                payload = services.stateCodec().decode(state, spec.id());
            } catch (ExpiredStateException e) {
                // authentic but late: drop the session so it can never be used, and send the user back
                returnTo = services.sessions().consume(e.payload().nonce()).map(s -> safeReturnTo(s.returnTo())).orElse(null);
                throw e;
            }
            OAuthSession session = services.sessions().consume(payload.nonce())
                    .orElseThrow(() -> new ConnectorException(ErrorCode.STATE_REUSED, "no session for this state (used or unknown)"));
            returnTo = safeReturnTo(session.returnTo());
            Log.put("tenant", session.tenantId());
            if (!spec.id().equals(session.provider())) {
                throw new ConnectorException(ErrorCode.INVALID_STATE, "session belongs to another provider");
            }
            if (session.expiresAt().isBefore(services.clock().instant())) {
                throw new ConnectorException(ErrorCode.STATE_EXPIRED, "session expired");
            }
            verifyBrowser(session, cookies);
            verifyIssuer(query);
            if (query.containsKey("error")) {
                String error = query.get("error").get(0);
                throw new ConnectorException("access_denied".equals(error) ? ErrorCode.ACCESS_DENIED : ErrorCode.PROVIDER_ERROR,
                        "provider returned error=" + truncate(error));
            }
            Map<String, String> inputs = new HashMap<>(session.inputs());
            inputs.putAll(ProviderInputs.read(spec, ProviderSpec.Input.Source.callback, query));
            ProviderConfig config = services.providerConfig(spec.id()).withValues(inputs).withDefaults(spec);
            TokenSet tokens;
            String tokenSecret = null;
            if (oauth1()) {
                OAuth1Client.Credentials access = oauth1Exchange(query, session, config);
                tokens = new TokenSet(access.token(), null, "OAuth", List.of(), null, Map.of());
                tokenSecret = access.secret();
            } else {
                String code = single(query, "code", ErrorCode.INVALID_REQUEST);
                ProviderQuirk quirk = ProviderQuirks.of(spec);
                quirk.verifyCallback(query, config);
                tokens = quirk.afterExchange(
                        services.oauth().exchangeCode(spec, config, code, redirectUri(), session.codeVerifier()),
                        spec, config, services.http(), services.clock());
            }
            Map<String, String> metadata = new HashMap<>(inputs);
            metadata.putAll(tokens.metadata());
            metadata.putAll(postConnect(config.withValues(tokens.metadata()), tokens));
            // RFC 6749 §5.1: a response without scope means the requested scope was granted
            List<String> scopes = tokens.scopes().isEmpty() ? OAuthClient.scopes(spec, config) : tokens.scopes();
            AfterConnect.Stored stored = AfterConnect.store(services, new Connection(session.tenantId(), spec.id(),
                    ConnectionStatus.active, tokens.accessToken(), tokens.refreshToken(), tokens.tokenType(),
                    scopes, tokens.expiresAt(), metadata, session.userId(), null, null, 0, tokenSecret));
            Connection saved = stored.connection();
            String jobId = stored.jobId();
            LOG.info("connected", "version", saved.version(), "scopes", String.join(" ", saved.scopes()),
                    "expires", saved.expiresAt() == null ? "never" : saved.expiresAt().toString(), "job_id", jobId);
            return new Outcome(true, spec.id(), returnTo, null, jobId);
        } catch (ConnectorException e) {
            LOG.warn("callback_failed", "error_code", e.code().code(), "detail", e.detail());
            return new Outcome(false, spec.id(), returnTo, ErrorFormatter.format(e.code(), spec.id(), spec.displayName()), null);
        }
    }

    /**
     * RFC 9207 (mix-up defence, with the per-provider redirect URI and the provider-bound state): when the
     * provider's issuer is known (its registry entry, or the generic provider's secret {@code issuer}), an
     * {@code iss} in the callback, error responses included, must equal it exactly. An absent {@code iss} is
     * accepted: the redirect URI already tells providers apart, and not every provider sends it.
     */
    private void verifyIssuer(Map<String, List<String>> query) {
        List<String> iss = query.get("iss");
        if (iss == null) return;
        String expected = spec.issuer() != null ? spec.issuer()
                : services.providerConfig(spec.id()).values().get("issuer");
        if (expected == null) {
            LOG.info("callback_iss_unchecked"); // no issuer known for this provider
            return;
        }
        if (iss.size() != 1 || !MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8),
                iss.get(0).getBytes(StandardCharsets.UTF_8))) {
            throw new ConnectorException(ErrorCode.INVALID_STATE, "callback iss is not this provider's issuer (RFC 9207)");
        }
    }

    /**
     * RFC 9700 §4.7.1: the browser bringing the code back must be the one that started the flow. Checked after the
     * session is consumed (a foreign browser burns the flow) and before anything reaches the provider. A session
     * started while the binding was off carries no hash and is not checked.
     */
    private void verifyBrowser(OAuthSession session, List<String> cookies) {
        if (session.browserHash() == null) return;
        BrowserBinding binding = BrowserBinding.forBaseUrl(services.settings().require(Settings.PUBLIC_BASE_URL));
        if (binding.matching(cookies, session.browserHash()).isEmpty()) {
            throw new ConnectorException(ErrorCode.BROWSER_MISMATCH, binding.ids(cookies).isEmpty()
                    ? "callback without the browser cookie of the flow" : "callback from another browser than the one that started the flow");
        }
    }

    private boolean oauth1() {
        return ProviderSpec.OAUTH1.equals(spec.authTypeOrDefault());
    }

    /** RFC 5849 §2.3: the callback's oauth_token must be this session's request token; its secret signs the exchange. */
    private OAuth1Client.Credentials oauth1Exchange(Map<String, List<String>> query, OAuthSession session, ProviderConfig config) {
        String token = single(query, "oauth_token", ErrorCode.INVALID_REQUEST);
        String verifier = single(query, "oauth_verifier", ErrorCode.INVALID_REQUEST);
        if (session.requestToken() == null || session.requestTokenSecret() == null || !MessageDigest.isEqual(
                token.getBytes(StandardCharsets.UTF_8), session.requestToken().getBytes(StandardCharsets.UTF_8))) {
            throw new ConnectorException(ErrorCode.INVALID_STATE, "callback oauth_token is not this session's request token");
        }
        return new OAuth1Client(services.http(), services.clock()).accessToken(spec, config,
                new OAuth1Client.Credentials(session.requestToken(), session.requestTokenSecret()), verifier);
    }

    private Map<String, String> postConnect(ProviderConfig config, TokenSet tokens) {
        if (spec.postConnect() == null) return Map.of();
        try {
            return services.oauth().postConnect(spec, config, tokens.accessToken());
        } catch (ConnectorException e) {
            if (spec.postConnect().required()) throw e;
            LOG.warn("post_connect_failed", "error_code", e.code().code(), "detail", e.detail());
            return Map.of();
        }
    }

    private URI safeReturnTo(String stored) {
        try {
            return returnToPolicy().check(stored).orElse(null); // re-checked: the allow-list may have shrunk
        } catch (ConnectorException e) {
            return null;
        }
    }

    private static String single(Map<String, List<String>> query, String name, ErrorCode missing) {
        List<String> values = query.get(name);
        if (values == null || values.isEmpty() || values.get(0) == null || values.get(0).isEmpty()) {
            throw new ConnectorException(missing, "callback without " + name);
        }
        if (values.size() > 1) {
            throw new ConnectorException(missing, "callback with " + values.size() + " values for " + name);
        }
        return values.get(0);
    }

    private static String truncate(String s) {
        String clean = s.replaceAll("[^A-Za-z0-9_.:-]", "?");
        return clean.length() > 60 ? clean.substring(0, 60) : clean;
    }
}
