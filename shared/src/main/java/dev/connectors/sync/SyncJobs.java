package dev.connectors.sync;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
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
 * A connect puts its connection write between the record and the send ({@code AfterConnect.store}).
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
        SyncJob job = newJob(jobId(tenantId, provider, reason), tenantId, provider);
        if (!jobs.create(job)) {
            return jobs.get(job.jobId()).orElse(job);
        }
        enqueue(job.jobId());
        return job;
    }

    /**
     * Records a new queued job without sending it (a connect records its backfill before writing the connection,
     * then calls {@link #enqueue}). It carries the pending mark, so the reconciler sends it if nobody else does.
     * The reason must be unique (a connect's is random): a job that already exists can then only be this call's
     * own put, applied by DynamoDB although its answer was lost and the SDK retried it.
     * @throws ConnectorException storage_unavailable when it could not be recorded
     */
    public SyncJob record(String tenantId, String provider, String reason) {
        SyncJob job = newJob(jobId(tenantId, provider, reason), tenantId, provider);
        jobs.create(job);
        return job;
    }

    /** Removes a recorded job that was never sent (its connection could not be written); best effort. */
    public void discard(String jobId) {
        try {
            jobs.discardUnsent(jobId);
        } catch (ConnectorException e) {
            // storage is down: the reconciler sends it later and the worker ends it (no connection)
            LOG.warn("sync_job_not_discarded", "job_id", jobId, "detail", e.detail());
        }
    }

    private SyncJob newJob(String jobId, String tenantId, String provider) {
        Instant now = clock.instant();
        Instant windowStart = now.atZone(ZoneOffset.UTC).minusMonths(WINDOW_MONTHS).toInstant();
        return new SyncJob(jobId, tenantId, provider, JobStatus.queued, windowStart, now, Checkpoint.START,
                0, 0, 0, null, null, now, now);
    }

    /** What {@link #resync} did: the job the caller should watch, and whether this call created it. */
    public record Resync(SyncJob job, boolean created) {
    }

    /**
     * A backfill on request, idempotent while one runs: a queued or running job of the connection is
     * returned as it is. Otherwise the new job's id is derived from the connection's latest job
     * ({@code resync-after-<job id>}), so every request of the same "epoch" (two clicks, two tabs,
     * a client retry) names the same job and the conditional create lets exactly one through. When
     * that job exists and has already finished (the index lagged), the chain moves on from it.
     */
    public Resync resync(String tenantId, String provider) {
        // one read for both decisions: reading "active?" and "latest?" separately lets a job created between
        // the two reads become the base of a second new job (two clicks, two jobs)
        List<SyncJob> recent = jobs.recentFor(tenantId, provider, 25);
        java.util.Optional<SyncJob> active = recent.stream().filter(j -> !j.status().finished()).findFirst();
        if (active.isPresent()) return new Resync(active.get(), false);
        String previous = recent.isEmpty() ? "none" : recent.get(0).jobId();
        for (int hop = 0; hop < 10; hop++) {
            String jobId = jobId(tenantId, provider, "resync-after-" + previous);
            SyncJob job = newJob(jobId, tenantId, provider);
            if (jobs.create(job)) {
                enqueue(jobId);
                LOG.info("sync_job_requested", "job_id", jobId, "after", previous);
                return new Resync(job, true);
            }
            java.util.Optional<SyncJob> existing = jobs.get(jobId);
            if (existing.isPresent() && !existing.get().status().finished()) return new Resync(existing.get(), false);
            previous = jobId;
        }
        throw new ConnectorException(ErrorCode.STORAGE_UNAVAILABLE, "resync chain longer than 10 jobs behind the index");
    }

    /** Sends the job's message and clears its pending mark; false when SQS is unavailable (the reconciler resends). */
    public boolean enqueue(String jobId) {
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
