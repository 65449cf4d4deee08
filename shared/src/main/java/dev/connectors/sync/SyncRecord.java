package dev.connectors.sync;

import java.time.Instant;

/** One record of a provider's history as stored: id unique within (tenant, provider, model). */
public record SyncRecord(String id, Instant updatedAt, String payload) {
}
