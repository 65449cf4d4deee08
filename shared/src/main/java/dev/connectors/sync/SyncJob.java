package dev.connectors.sync;

import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;

/**
 * A backfill of one connection over a time window, advanced page by page by the worker. A job whose
 * steps were handed to parallel messages ({@link Steps#fannedOut()}) has one item per such step: a
 * {@code SyncJob} too, named {@code <job id>#s<step>}, with {@code parentJobId} set and its own checkpoint and lease.
 * {@code parentsSkipped}: parents of a fan-out resource the API refused to read ({@code skipParentStatuses});
 * any makes a finished job's history partial.
 */
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
        Instant updatedAt,
        Steps steps,
        String parentJobId,
        long parentsSkipped) {

    /**
     * The window's steps: how many the plan has (0 until the worker planned it), and while steps
     * {@code fanFrom} (inclusive) to {@code fanTo} (exclusive) run as parallel step messages, which of them are done.
     */
    public record Steps(int total, Integer fanFrom, int fanTo, Set<Integer> done) {
        public static final Steps NONE = new Steps(0, null, 0, Set.of());

        public Steps {
            done = done == null ? Set.of() : Set.copyOf(new TreeSet<>(done));
        }

        public boolean fannedOut() {
            return fanFrom != null;
        }

        /** Every step handed to a parallel message has finished. */
        public boolean allDone() {
            for (int k = fanFrom == null ? fanTo : fanFrom; k < fanTo; k++) {
                if (!done.contains(k)) return false;
            }
            return true;
        }
    }

    public SyncJob {
        steps = steps == null ? Steps.NONE : steps;
    }

    public SyncJob(String jobId, String tenantId, String provider, JobStatus status, Instant windowStart, Instant windowEnd,
                   Checkpoint checkpoint, long pages, long records, int attempts, String lastError, String outcome,
                   Instant createdAt, Instant updatedAt) {
        this(jobId, tenantId, provider, status, windowStart, windowEnd, checkpoint, pages, records, attempts, lastError,
                outcome, createdAt, updatedAt, Steps.NONE, null, 0);
    }

    /** The id of the item of step {@code step} of job {@code jobId}. */
    public static String stepId(String jobId, int step) {
        return jobId + "#s" + step;
    }

    /** Whether this is the item of one step of a job (see {@link #parentJobId}). */
    public boolean isStep() {
        return parentJobId != null;
    }

    /** Steps finished so far, for the status API. */
    public long stepsDone() {
        if (status == JobStatus.succeeded) return steps.total();
        if (steps.fannedOut()) return steps.fanFrom() + steps.done().size();
        return Math.min(checkpoint.step(), steps.total());
    }

    public SyncJob progressed(Checkpoint next, long addedPages, long addedRecords) {
        return new SyncJob(jobId, tenantId, provider, JobStatus.running, windowStart, windowEnd, next,
                pages + addedPages, records + addedRecords, attempts, lastError, outcome, createdAt, updatedAt, steps, parentJobId,
                parentsSkipped);
    }

    public SyncJob finished(JobStatus newStatus, String error, String newOutcome) {
        return new SyncJob(jobId, tenantId, provider, newStatus, windowStart, windowEnd, checkpoint, pages, records,
                attempts, error, newOutcome, createdAt, updatedAt, steps, parentJobId, parentsSkipped);
    }

    public SyncJob failedAttempt(String error) {
        return new SyncJob(jobId, tenantId, provider, status, windowStart, windowEnd, checkpoint, pages, records,
                attempts + 1, error, outcome, createdAt, updatedAt, steps, parentJobId, parentsSkipped);
    }

    public SyncJob withStepsTotal(int total) {
        return new SyncJob(jobId, tenantId, provider, status, windowStart, windowEnd, checkpoint, pages, records,
                attempts, lastError, outcome, createdAt, updatedAt, new Steps(total, steps.fanFrom(), steps.fanTo(), steps.done()),
                parentJobId, parentsSkipped);
    }

    /** One more parent the API refused to read (see {@code parentsSkipped}). */
    public SyncJob parentSkipped() {
        return new SyncJob(jobId, tenantId, provider, status, windowStart, windowEnd, checkpoint, pages, records,
                attempts, lastError, outcome, createdAt, updatedAt, steps, parentJobId, parentsSkipped + 1);
    }

    /** What a job that ran to its end says about its history: the spec's own outcome, else partial when parents were refused. */
    public String completedOutcome(String specOutcome) {
        if (specOutcome != null) return specOutcome;
        return (parentsSkipped > 0 ? JobOutcome.partial_history : JobOutcome.complete).name();
    }

    /** Steps {@code from}..{@code to} (exclusive) go to parallel messages; the job's own checkpoint waits at {@code to}. */
    public SyncJob fannedOut(int from, int to) {
        return new SyncJob(jobId, tenantId, provider, JobStatus.running, windowStart, windowEnd, Checkpoint.startOf(to),
                pages, records, attempts, lastError, outcome, createdAt, updatedAt, new Steps(steps.total(), from, to, Set.of()),
                parentJobId, parentsSkipped);
    }

    /** The item of step {@code step}, starting at {@code at}, with its own counters. */
    public SyncJob stepItem(int step, Checkpoint at) {
        return new SyncJob(stepId(jobId, step), tenantId, provider, JobStatus.queued, windowStart, windowEnd, at,
                0, 0, 0, null, null, createdAt, updatedAt, new Steps(steps.total(), null, 0, Set.of()), jobId, 0);
    }
}
