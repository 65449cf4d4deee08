package dev.connectors.aws;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** A short cache in front of a secret source: rotation shows up within the TTL, calls stay rare. */
public final class CachedSecrets implements Secrets {
    private record Entry(JsonNode value, Instant fetchedAt) {
    }

    private final Secrets source;
    private final Duration ttl;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    public CachedSecrets(Secrets source, Duration ttl, Clock clock) {
        this.source = source;
        this.ttl = ttl;
        this.clock = clock;
    }

    @Override
    public JsonNode get(String secretId) {
        Instant now = clock.instant();
        Entry e = cache.get(secretId);
        if (e == null || e.fetchedAt().plus(ttl).isBefore(now)) {
            e = new Entry(source.get(secretId), now);
            cache.put(secretId, e);
        }
        return e.value();
    }
}
