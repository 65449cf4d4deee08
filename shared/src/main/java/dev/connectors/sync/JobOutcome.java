package dev.connectors.sync;

/**
 * How a succeeded sync job ended (its {@code outcome}). A provider without a (full) history API says so with an
 * explicit outcome in its registry entry's {@code backfill.outcome}, so a job never ends in a silent empty result.
 */
public enum JobOutcome {
    /** The whole window was read. */
    complete,
    /** The provider keeps only part of the window (Spotify: the last ~50 plays), and all of that was read. */
    partial_history,
    /** The provider has no API for past data, or the registry entry declares no backfill. */
    no_history_available,
    /** Connectors does not read this provider's history yet. */
    not_supported
}
