package dev.connectors.state;

import java.time.Instant;
import java.util.Map;

/**
 * Server-side half of an authorization in flight, keyed by the state's nonce. Holds what must not
 * travel through the browser: the PKCE verifier, who started the flow, and validated provider inputs.
 */
public record OAuthSession(
        String nonce,
        String provider,
        String tenantId,
        String userId,
        String returnTo,
        String codeVerifier,
        Map<String, String> inputs,
        Instant expiresAt) {

    public OAuthSession {
        inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    }

    @Override
    public String toString() {
        return "OAuthSession[" + provider + " tenant=" + tenantId + " expires=" + expiresAt + "]";
    }
}
