package dev.connectors.tokens;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** A connection as listed to its tenant: everything but the tokens, which listing never reads. */
public record ConnectionSummary(
        String tenantId,
        String provider,
        ConnectionStatus status,
        List<String> scopes,
        Instant expiresAt,
        Map<String, String> metadata,
        String connectedBy,
        Instant createdAt,
        Instant updatedAt) {

    public ConnectionSummary {
        scopes = scopes == null ? List.of() : List.copyOf(scopes);
        metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
    }
}
