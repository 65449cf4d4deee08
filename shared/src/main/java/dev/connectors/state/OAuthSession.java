package dev.connectors.state;

import java.time.Instant;

/**
 * Server-side half of an authorization in flight, keyed by the state's nonce. Holds what must not
 * travel through the browser: the PKCE verifier, and who started the flow.
 */
public record OAuthSession(
        String nonce,
        String provider,
        String tenantId,
        String userId,
        String returnTo,
        String codeVerifier,
        Instant expiresAt) {

    @Override
    public String toString() {
        return "OAuthSession[" + provider + " tenant=" + tenantId + " expires=" + expiresAt + "]";
    }
}
