package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.providers.ProviderSpec;

import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Normalises a token response: expires_in → expires_at, scopes as a list, refresh token kept, metadata picked. */
public final class TokenResponseReader {
    private static final long MAX_EXPIRES_IN = 10L * 365 * 24 * 3600;
    private final Clock clock;

    public TokenResponseReader(Clock clock) {
        this.clock = clock;
    }

    public TokenSet read(JsonNode json, ProviderSpec.TokenResponseMapping m, String currentRefreshToken) {
        JsonNode access = JsonPaths.at(json, m.accessToken());
        if (access == null || !access.isTextual() || access.asText().isBlank()) {
            throw new ConnectorException(ErrorCode.PROVIDER_ERROR, "token response without a usable access token");
        }
        String refresh = JsonPaths.text(json, m.refreshToken());
        if (refresh == null || refresh.isBlank()) {
            refresh = currentRefreshToken; // providers that do not rotate omit it on refresh
        }
        Map<String, String> metadata = new HashMap<>();
        m.metadata().forEach((name, path) -> {
            String v = JsonPaths.text(json, path);
            if (v != null) metadata.put(name, v);
        });
        return new TokenSet(access.asText(), refresh, tokenType(json, m), scopes(json, m), expiresAt(json, m), Map.copyOf(metadata));
    }

    private static String tokenType(JsonNode json, ProviderSpec.TokenResponseMapping m) {
        String t = JsonPaths.text(json, m.tokenType());
        return t == null || t.equalsIgnoreCase("bearer") ? "Bearer" : t;
    }

    private Instant expiresAt(JsonNode json, ProviderSpec.TokenResponseMapping m) {
        JsonNode n = JsonPaths.at(json, m.expiresIn());
        if (n == null) return null;
        long seconds;
        if (n.isNumber()) {
            if (!n.canConvertToLong()) return null; // asLong() would wrap 2^64 + 3600 round to 3600
            seconds = n.asLong();
        } else if (n.isTextual() && n.asText().trim().matches("\\d{1,12}")) {
            seconds = Long.parseLong(n.asText().trim());
        } else {
            return null; // an unreadable lifetime: treat as unknown rather than fail the connection
        }
        if (seconds <= 0 || seconds > MAX_EXPIRES_IN) return null;
        return clock.instant().plusSeconds(seconds);
    }

    private static List<String> scopes(JsonNode json, ProviderSpec.TokenResponseMapping m) {
        JsonNode n = JsonPaths.at(json, m.scope());
        if (n == null) return List.of();
        if (n.isArray()) {
            return java.util.stream.StreamSupport.stream(n.spliterator(), false)
                    .filter(JsonNode::isTextual).map(JsonNode::asText).toList();
        }
        if (!n.isTextual() || n.asText().isBlank()) return List.of();
        // providers disagree on the separator even against their own docs: accept both
        return Arrays.stream(n.asText().trim().split("[\\s,]+")).filter(s -> !s.isEmpty()).toList();
    }
}
