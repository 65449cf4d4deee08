package dev.connectors.state;

import java.time.Instant;
import java.util.Map;

/**
 * Server-side half of an authorization in flight, keyed by the state's nonce. Holds what must not
 * travel through the browser: the PKCE verifier, who started the flow, and validated provider inputs.
 * OAuth 1.0a flows also keep the request token and its secret here ({@code requestToken}, {@code requestTokenSecret};
 * null otherwise): the secret signs the access-token call and never reaches the state or a URL.
 * {@code browserHash} is the SHA-256 of the browser id the flow was started from ({@link BrowserBinding}); null
 * when the binding is off or the flow does not go through a browser redirect (Plaid Link's JWT-authenticated callback).
 */
public record OAuthSession(
        String nonce,
        String provider,
        String tenantId,
        String userId,
        String returnTo,
        String codeVerifier,
        Map<String, String> inputs,
        Instant expiresAt,
        String requestToken,
        String requestTokenSecret,
        String browserHash) {

    public OAuthSession {
        inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    }

    /** This session bound to a browser (the hash of its id), or unbound (null). */
    public OAuthSession withBrowserHash(String hash) {
        return new OAuthSession(nonce, provider, tenantId, userId, returnTo, codeVerifier, inputs, expiresAt, requestToken,
                requestTokenSecret, hash);
    }

    /** An OAuth 2.0 session (no request token). */
    public OAuthSession(String nonce, String provider, String tenantId, String userId, String returnTo, String codeVerifier,
                        Map<String, String> inputs, Instant expiresAt) {
        this(nonce, provider, tenantId, userId, returnTo, codeVerifier, inputs, expiresAt, null, null, null);
    }

    @Override
    public String toString() {
        return "OAuthSession[" + provider + " tenant=" + tenantId + " expires=" + expiresAt + "]";
    }
}
