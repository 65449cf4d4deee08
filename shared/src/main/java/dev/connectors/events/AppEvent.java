package dev.connectors.events;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * One event for the app, delivered as the JSON body of a signed webhook:
 * {@code {"id","type","createdAt","tenantId","provider","data"}}. The id is fixed when the event is
 * created, so every delivery attempt carries the same {@code X-Connectors-Event-Id} and the app can
 * drop duplicates. Never carries a token or a provider's raw error text.
 */
public record AppEvent(String id, String type, Instant createdAt, String tenantId, String provider, Map<String, Object> data) {
    public static final String CONNECTION_ACTIVE = "connection.active";
    public static final String CONNECTION_NEEDS_REAUTH = "connection.needs_reauth";
    public static final String CONNECTION_REVOKED = "connection.revoked";
    public static final String SYNC_JOB_SUCCEEDED = "sync_job.succeeded";
    public static final String SYNC_JOB_FAILED = "sync_job.failed";

    private static final ObjectMapper JSON = new ObjectMapper();

    public AppEvent {
        data = data == null ? Map.of() : java.util.Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    public static AppEvent of(String type, String tenantId, String provider, Map<String, Object> data, Clock clock) {
        return new AppEvent("evt_" + UUID.randomUUID().toString().replace("-", ""), type, clock.instant(), tenantId, provider, data);
    }

    /** The body the app receives (and the SQS message body). */
    public String toJson() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("type", type);
        body.put("createdAt", createdAt.toString());
        body.put("tenantId", tenantId);
        body.put("provider", provider);
        body.put("data", data);
        try {
            return JSON.writeValueAsString(body);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
