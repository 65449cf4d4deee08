package dev.connectors.oauth;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.log.Log;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import dev.connectors.tokens.TokenStore;

import java.time.Clock;
import java.time.Duration;

/**
 * Refreshes a connection's token and stores the result with the optimistic version. If another
 * writer refreshed first, the loser re-reads and uses the winner's token instead of refreshing again
 * (GitLab invalidates the old pair on every refresh). invalid_grant marks the connection needs_reauth.
 */
public final class TokenRefresher {
    private static final Log LOG = Log.of(TokenRefresher.class);
    public static final Duration EARLY = Duration.ofSeconds(60);

    private final OAuthClient oauth;
    private final TokenStore store;
    private final Clock clock;

    public TokenRefresher(OAuthClient oauth, TokenStore store, Clock clock) {
        this.oauth = oauth;
        this.store = store;
        this.clock = clock;
    }

    public boolean expiresSoon(Connection c) {
        return c.expiresAt() != null && c.expiresAt().isBefore(clock.instant().plus(EARLY));
    }

    public Connection refresh(ProviderSpec spec, ProviderConfig config, Connection c) {
        if (c.refreshToken() == null) {
            markNeedsReauth(c);
            throw new ConnectorException(ErrorCode.INVALID_GRANT, "token rejected and no refresh token to renew it");
        }
        TokenSet fresh;
        try {
            fresh = oauth.refresh(spec, config.withValues(c.metadata()).withDefaults(spec), c.refreshToken());
        } catch (ConnectorException e) {
            if (e.code() == ErrorCode.INVALID_GRANT) {
                // maybe a concurrent refresh rotated the token under us: use theirs if it is newer
                Connection latest = store.get(c.tenantId(), c.provider()).orElse(c);
                if (latest.version() != c.version() && latest.status() == ConnectionStatus.active) return latest;
                markNeedsReauth(latest);
            }
            throw e;
        }
        try {
            Connection saved = store.save(c.withTokens(fresh.accessToken(), fresh.refreshToken(), fresh.expiresAt(), fresh.scopes()));
            LOG.info("token_refreshed", "tenant", c.tenantId(), "provider", c.provider(), "rotated", !c.refreshToken().equals(fresh.refreshToken()));
            return saved;
        } catch (TokenStore.ConcurrentUpdateException e) {
            return store.get(c.tenantId(), c.provider()).orElseThrow(() ->
                    new ConnectorException(ErrorCode.INVALID_GRANT, "connection removed during refresh"));
        }
    }

    /** The user must connect again; never retried automatically. */
    public void markNeedsReauth(Connection c) {
        try {
            store.save(c.withStatus(ConnectionStatus.needs_reauth));
        } catch (TokenStore.ConcurrentUpdateException ignored) {
            // someone else changed it (maybe reconnected); their state wins
        }
        LOG.warn("connection_needs_reauth", "tenant", c.tenantId(), "provider", c.provider());
    }
}
