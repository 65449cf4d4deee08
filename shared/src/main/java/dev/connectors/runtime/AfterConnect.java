package dev.connectors.runtime;

import dev.connectors.events.JobEvents;
import dev.connectors.sync.SyncJob;
import dev.connectors.sync.SyncJobs;
import dev.connectors.tokens.Connection;

import java.util.UUID;

/**
 * How every flow stores a new connection (OAuth callback, API key, Plaid Link) and starts its three-month
 * backfill, without transactions and without ever leaving a connection that has no backfill:
 * <ol>
 *   <li>record the job (queued, marked pending): if storage fails here, nothing is stored and the caller's
 *       storage_unavailable tells the user to try again;</li>
 *   <li>write the connection: if that fails, the unsent job is discarded and the error propagates;</li>
 *   <li>send the job and tell the app: an SQS failure is logged only, the reconciler sends pending jobs.</li>
 * </ol>
 */
public final class AfterConnect {
    private AfterConnect() {
    }

    /** The stored connection and its backfill job's id. */
    public record Stored(Connection connection, String jobId) {
    }

    public static Stored store(Services services, Connection fresh) {
        SyncJobs syncJobs = services.syncJobs();
        // one job per successful connect: a reconnect (even after a delete) always gets its own backfill
        SyncJob job = syncJobs.record(fresh.tenantId(), fresh.provider(), "connect-" + UUID.randomUUID());
        Connection saved;
        try {
            saved = services.tokenStore().upsert(fresh);
        } catch (RuntimeException e) {
            syncJobs.discard(job.jobId());
            throw e;
        }
        syncJobs.enqueue(job.jobId());
        services.events().publish(JobEvents.active(saved.tenantId(), saved.provider(), saved.connectedBy(), job.jobId(), services.clock()));
        return new Stored(saved, job.jobId());
    }
}
