package dev.connectors.sync;

/** The token the backfill sends, and a way to get a fresh one when the provider answers 401. */
public interface AccessTokens {
    String current();

    /**
     * Refreshes after a 401 and returns the new token.
     * @throws dev.connectors.errors.ConnectorException with {@code invalid_grant} when the user must reconnect
     */
    String refreshAfterUnauthorized();
}
