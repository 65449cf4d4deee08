package dev.connectors.sync;

import java.time.Instant;

/** A backfill of one connection over a time window, advanced page by page by the worker. */
public record SyncJob(
        String jobId,
        String tenantId,
        String provider,
        JobStatus status,
        Instant windowStart,
        Instant windowEnd,
        Checkpoint checkpoint,
        long pages,
        long records,
        int attempts,
        String lastError,
        String outcome,
        Instant createdAt,
        Instant updatedAt) {

    public SyncJob progressed(Checkpoint next, long addedPages, long addedRecords) {
        return new SyncJob(jobId, tenantId, provider, JobStatus.running, windowStart, windowEnd, next,
                pages + addedPages, records + addedRecords, attempts, lastError, outcome, createdAt, updatedAt);
    }

    public SyncJob finished(JobStatus newStatus, String error, String newOutcome) {
        return new SyncJob(jobId, tenantId, provider, newStatus, windowStart, windowEnd, checkpoint, pages, records,
                attempts, error, newOutcome, createdAt, updatedAt);
    }

    public SyncJob failedAttempt(String error) {
        return new SyncJob(jobId, tenantId, provider, status, windowStart, windowEnd, checkpoint, pages, records,
                attempts + 1, error, outcome, createdAt, updatedAt);
    }
}
