package dev.connectors.sync;

/** Where a sync job stands. Only queued and running jobs are picked up by the worker. */
public enum JobStatus {
    queued, running, succeeded, failed, needs_reauth;

    public boolean finished() {
        return this != queued && this != running;
    }
}
