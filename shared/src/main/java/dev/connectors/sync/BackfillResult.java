package dev.connectors.sync;

/** How a run of the backfill ended; the job processor turns each into a job status and queue action. */
public sealed interface BackfillResult {
    /** Every resource is done. */
    record Done() implements BackfillResult {
    }

    /** Out of time in this invocation; the checkpoint is saved, continue in the next one. */
    record Continue() implements BackfillResult {
    }

    /** The provider asked us to slow down (429 / Retry-After). */
    record Delay(int seconds, String reason) implements BackfillResult {
    }

    /** The token is no longer accepted and cannot be refreshed. */
    record NeedsReauth(String reason) implements BackfillResult {
    }

    /** A failure that may pass (5xx, HTML page, network); counts against the job's attempts. */
    record Retry(String reason) implements BackfillResult {
    }

    /**
     * The tenant is big: steps {@code from}..{@code to} (exclusive) of the window should run as parallel
     * step messages. The job's checkpoint is saved at step {@code from} (possibly mid-way through it).
     */
    record FanOut(int from, int to) implements BackfillResult {
    }

    /** Another worker took over the job (its lease); stop without touching it. */
    record LeaseLost() implements BackfillResult {
    }
}
