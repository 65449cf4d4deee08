package dev.connectors.sync;

import dev.connectors.errors.ConnectorException;
import dev.connectors.log.Log;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;

/**
 * Starts backfills and recovers the ones whose queue message was lost. Without transactions the
 * order is: job record (deterministic id, conditional put) → SQS send → clear the pending mark.
 * A crash or SQS outage between the steps leaves the pending mark for {@link #resendPending}.
 */
public final class SyncJobs {
    private static final Log LOG = Log.of(SyncJobs.class);
    public static final int WINDOW_MONTHS = 3;

    private final JobStore jobs;
    private final JobQueue queue;
    private final Clock clock;

    public SyncJobs(JobStore jobs, JobQueue queue, Clock clock) {
        this.jobs = jobs;
        this.queue = queue;
        this.clock = clock;
    }

    /**
     * Starts the backfill for a connection version. Safe to call twice: the id is derived from the
     * inputs. An SQS failure is logged, not thrown: the connection stands, the reconciler resends.
     */
    public SyncJob start(String tenantId, String provider, String reason) {
        Instant now = clock.instant();
        Instant windowStart = now.atZone(ZoneOffset.UTC).minusMonths(WINDOW_MONTHS).toInstant();
        String jobId = jobId(tenantId, provider, reason);
        SyncJob job = new SyncJob(jobId, tenantId, provider, JobStatus.queued, windowStart, now, Checkpoint.START,
                0, 0, 0, null, null, now, now);
        if (!jobs.create(job)) {
            return jobs.get(jobId).orElse(job);
        }
        enqueue(jobId);
        return job;
    }

    /**
     * The backfill every new connection gets (job reason {@code connect-v<version>}). A failure here must not
     * undo a successful connection: it is logged and null returned (the reconciler or a resync picks it up).
     */
    public static String startAfterConnect(java.util.function.Supplier<SyncJobs> syncJobs, dev.connectors.tokens.Connection saved) {
        try {
            return syncJobs.get().start(saved.tenantId(), saved.provider(), "connect-v" + saved.version()).jobId();
        } catch (ConnectorException e) {
            LOG.error("sync_job_not_created", "error_code", e.code().code(), "detail", e.detail());
            return null;
        }
    }

    /** Sends the job's message and clears its pending mark; false when SQS is unavailable. */
    boolean enqueue(String jobId) {
        try {
            queue.send(jobId, 0);
        } catch (ConnectorException e) {
            LOG.warn("sync_job_enqueue_failed", "job_id", jobId, "error_code", e.code().code(), "detail", e.detail());
            return false;
        }
        try {
            jobs.markEnqueued(jobId);
        } catch (ConnectorException e) {
            // harmless: the reconciler sends once more and the worker ignores the duplicate
            LOG.warn("sync_job_mark_failed", "job_id", jobId, "detail", e.detail());
        }
        return true;
    }

    /** Resends jobs left pending for longer than {@code minAge}; returns how many were sent. */
    public int resendPending(Duration minAge, int limit) {
        List<String> pending = jobs.pendingEnqueue(clock.instant().minus(minAge), limit);
        int sent = 0;
        for (String jobId : pending) {
            if (enqueue(jobId)) sent++;
        }
        if (!pending.isEmpty()) LOG.info("sync_jobs_resent", "found", pending.size(), "sent", sent);
        return sent;
    }

    static String jobId(String tenantId, String provider, String reason) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((tenantId + "\n" + provider + "\n" + reason).getBytes(StandardCharsets.UTF_8));
            return "job_" + HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
