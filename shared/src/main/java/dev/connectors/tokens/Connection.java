package dev.connectors.tokens;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A tenant's connection to one provider, with tokens in plain text in memory only.
 * {@code version} is the optimistic-lock counter (0 = never stored). {@code toString} hides tokens.
 * {@code tokenSecret} is the OAuth 1.0a token secret (null for OAuth 2.0), stored encrypted like the tokens.
 */
public record Connection(
        String tenantId,
        String provider,
        ConnectionStatus status,
        String accessToken,
        String refreshToken,
        String tokenType,
        List<String> scopes,
        Instant expiresAt,
        Map<String, String> metadata,
        String connectedBy,
        Instant createdAt,
        Instant updatedAt,
        long version,
        String tokenSecret) {

    public Connection {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }

    /** A connection without a token secret (every OAuth 2.0 provider). */
    public Connection(String tenantId, String provider, ConnectionStatus status, String accessToken, String refreshToken,
                      String tokenType, List<String> scopes, Instant expiresAt, Map<String, String> metadata,
                      String connectedBy, Instant createdAt, Instant updatedAt, long version) {
        this(tenantId, provider, status, accessToken, refreshToken, tokenType, scopes, expiresAt, metadata, connectedBy,
                createdAt, updatedAt, version, null);
    }

    public Connection withTokens(String access, String refresh, Instant expires, List<String> newScopes) {
        return new Connection(tenantId, provider, ConnectionStatus.active, access, refresh, tokenType,
                newScopes == null || newScopes.isEmpty() ? scopes : newScopes, expires, metadata, connectedBy,
                createdAt, updatedAt, version, tokenSecret);
    }

    public Connection withStatus(ConnectionStatus newStatus) {
        return new Connection(tenantId, provider, newStatus, accessToken, refreshToken, tokenType, scopes, expiresAt,
                metadata, connectedBy, createdAt, updatedAt, version, tokenSecret);
    }

    @Override
    public String toString() {
        return "Connection[" + tenantId + "/" + provider + " " + status + " v" + version + "]";
    }
}
