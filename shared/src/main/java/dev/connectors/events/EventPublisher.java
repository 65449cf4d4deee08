package dev.connectors.events;

/**
 * Where lifecycle code hands an event for the app. Implementations never throw and never block for
 * long: a failing queue must not fail a callback, a disconnect or a worker (they log and go on).
 * Call sites: ConnectFlow (connection.active), the connections API's DELETE (connection.revoked),
 * JobStore's finished-job hook via {@link JobEvents} (sync_job.*), and the token refresher
 * (connection.needs_reauth, {@link JobEvents#needsReauth}, once, when it marks a connection).
 */
@FunctionalInterface
public interface EventPublisher {
    /** Drops everything: webhooks are off (no WEBHOOK_QUEUE_URL). */
    EventPublisher NONE = event -> { };

    void publish(AppEvent event);
}
