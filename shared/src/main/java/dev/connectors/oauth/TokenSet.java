package dev.connectors.oauth;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A normalised token endpoint answer. {@code expiresAt} is null when the token does not expire. */
public record TokenSet(
        String accessToken,
        String refreshToken,
        String tokenType,
        List<String> scopes,
        Instant expiresAt,
        Map<String, String> metadata) {

    @Override
    public String toString() {
        return "TokenSet[type=" + tokenType + ", scopes=" + scopes + ", expiresAt=" + expiresAt
                + ", refresh=" + (refreshToken != null) + ", metadata=" + metadata.keySet() + "]";
    }
}
