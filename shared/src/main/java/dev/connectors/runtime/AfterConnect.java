package dev.connectors.runtime;

import dev.connectors.events.JobEvents;
import dev.connectors.sync.SyncJobs;
import dev.connectors.tokens.Connection;

/**
 * What every flow does once a connection is stored (OAuth callback, API key, Plaid Link): start the
 * three-month backfill and tell the app. Neither step may undo the connection: failures are logged.
 */
public final class AfterConnect {
    private AfterConnect() {
    }

    /** @return the backfill job's id, or null when it could not be created (the reconciler and resync recover) */
    public static String run(Services services, Connection saved) {
        String jobId = SyncJobs.startAfterConnect(services::syncJobs, saved);
        services.events().publish(JobEvents.active(saved.tenantId(), saved.provider(), saved.connectedBy(), jobId, services.clock()));
        return jobId;
    }
}
