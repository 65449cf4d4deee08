package dev.connectors.state;

import java.time.Instant;
import java.util.Objects;

/** What a verified state carries. Only {@link StateCodec#decode} produces trustworthy instances. */
public record StatePayload(String nonce, String provider, Instant expiresAt, String keyId) {
    public StatePayload {
        Objects.requireNonNull(nonce, "nonce");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(keyId, "keyId");
    }
}
