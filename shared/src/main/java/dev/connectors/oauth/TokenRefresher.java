package dev.connectors.oauth;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.events.EventPublisher;
import dev.connectors.events.JobEvents;
import dev.connectors.log.Log;
import dev.connectors.metrics.Metrics;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import dev.connectors.tokens.TokenStore;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The one path that refreshes a token (worker, scheduled refresher, API). A refresh first takes a lease
 * on the connection row (a conditional write on the version it read, with an expiry so a crashed holder
 * blocks nobody for long); only the holder calls the provider. Everyone else polls briefly and uses the
 * holder's token once it is stored, so a provider that rotates refresh tokens (GitLab invalidates the
 * old pair on every refresh) sees exactly one refresh. The new tokens, including a rotated refresh token,
 * are stored in one conditional write with the version; a response without a refresh token keeps the old
 * one. invalid_grant marks the connection needs_reauth (and tells the app once, with a
 * {@code connection.needs_reauth} event, whoever noticed: worker, scheduled refresher or API); other failures
 * are counted on the row and the scheduled refresher backs off. Rotated tokens that cannot be stored after
 * {@link #SAVE_ATTEMPTS} go to the {@link TokenRescue}, since the provider no longer accepts the old refresh token.
 */
public final class TokenRefresher {
    private static final Log LOG = Log.of(TokenRefresher.class);
    public static final Duration EARLY = Duration.ofSeconds(60);
    /** Longer than a refresh can take (provider call ≤ 20 s total, plus the write). */
    public static final Duration LEASE = Duration.ofSeconds(60);
    /** How long a loser waits for the holder's token: the one place a short wait is worth it. */
    static final int POLLS = 25;
    static final Duration POLL = Duration.ofMillis(200);
    /** Tries to store freshly refreshed tokens: the provider may already have retired the old refresh token. */
    static final int SAVE_ATTEMPTS = 4;
    static final Duration MAX_BACKOFF = Duration.ofHours(6);

    private final OAuthClient oauth;
    private final TokenStore store;
    private final Clock clock;
    private final EventPublisher events;
    private final TokenRescue rescue;

    /** A refresher that tells nobody when a connection needs re-authorization (tests, tools). */
    public TokenRefresher(OAuthClient oauth, TokenStore store, Clock clock) {
        this(oauth, store, clock, EventPublisher.NONE);
    }

    /** A refresher without a rescue: rotated tokens it cannot store are logged as lost. */
    public TokenRefresher(OAuthClient oauth, TokenStore store, Clock clock, EventPublisher events) {
        this(oauth, store, clock, events, TokenRescue.none());
    }

    /**
     * @param events where {@code connection.needs_reauth} goes when this refresher marks a connection
     * @param rescue where rotated tokens go when DynamoDB will not take them
     */
    public TokenRefresher(OAuthClient oauth, TokenStore store, Clock clock, EventPublisher events, TokenRescue rescue) {
        this.oauth = oauth;
        this.store = store;
        this.clock = clock;
        this.events = events == null ? EventPublisher.NONE : events;
        this.rescue = rescue == null ? TokenRescue.none() : rescue;
    }

    public boolean expiresSoon(Connection c) {
        return c.expiresAt() != null && c.expiresAt().isBefore(clock.instant().plus(EARLY));
    }

    /** Back-off before the n-th retry of a failing refresh: 5 min, doubling, at most 6 h. */
    public static Duration backoff(int failures) {
        long minutes = 5L << Math.min(Math.max(failures - 1, 0), 10);
        Duration d = Duration.ofMinutes(minutes);
        return d.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : d;
    }

    /**
     * A connection with a fresh token: refreshed here, or by whoever held the lease meanwhile.
     * @throws ConnectorException invalid_grant when the user must reconnect; a retryable code otherwise
     */
    public Connection refresh(ProviderSpec spec, ProviderConfig config, Connection c) {
        if (c.refreshToken() == null) {
            markNeedsReauth(c);
            throw new ConnectorException(ErrorCode.INVALID_GRANT, "token rejected and no refresh token to renew it");
        }
        String owner = UUID.randomUUID().toString();
        Connection current = c;
        for (int poll = 0; ; poll++) {
            Optional<TokenStore.RefreshState> lease = store.acquireRefreshLease(current.tenantId(), current.provider(),
                    current.version(), owner, LEASE);
            if (lease.isPresent()) {
                return refreshHolding(spec, config, current, owner, lease.get().failures());
            }
            Connection latest = store.get(c.tenantId(), c.provider()).orElseThrow(() ->
                    new ConnectorException(ErrorCode.INVALID_GRANT, "connection removed during refresh"));
            if (latest.version() != current.version()) {
                if (latest.status() != ConnectionStatus.active) {
                    throw new ConnectorException(ErrorCode.INVALID_GRANT, "connection is " + latest.status() + " after a concurrent change");
                }
                if (!Objects.equals(latest.accessToken(), c.accessToken())) {
                    LOG.info("token_refresh_joined", "tenant", c.tenantId(), "provider", c.provider());
                    return latest; // the winner's token
                }
                current = latest; // written, but not with new tokens (e.g. settings): refresh that version
                continue;
            }
            if (poll >= POLLS) {
                throw new ConnectorException(ErrorCode.PROVIDER_UNAVAILABLE, "another refresh of this connection is still running");
            }
            sleep(POLL);
        }
    }

    private Connection refreshHolding(ProviderSpec spec, ProviderConfig config, Connection c, String owner, int failures) {
        TokenSet fresh;
        try {
            fresh = oauth.refresh(spec, config.withValues(c.metadata()).withDefaults(spec), c.refreshToken());
        } catch (ConnectorException e) {
            if (e.code() == ErrorCode.INVALID_GRANT) {
                // a writer that ignored the lease (a reconnect) may have replaced the tokens: theirs win
                Connection latest = store.get(c.tenantId(), c.provider()).orElse(c);
                if (latest.version() != c.version() && latest.status() == ConnectionStatus.active) return latest;
                markNeedsReauth(latest); // its write drops the lease and the index entry
            } else {
                int n = failures + 1;
                Instant retryAt = clock.instant().plus(backoff(n));
                store.recordRefreshFailure(c.tenantId(), c.provider(), owner, e.code().code(), retryAt);
                LOG.warn("token_refresh_failed", "tenant", c.tenantId(), "provider", c.provider(), "error_code", e.code().code(),
                        "failures", n, "retry_at", retryAt.toString());
            }
            Metrics.tokenRefreshFailed(c.provider(), e.code().code());
            throw e;
        } catch (RuntimeException e) {
            // an unexpected failure backs off like any other, or the scheduler would retry it every run
            store.recordRefreshFailure(c.tenantId(), c.provider(), owner, ErrorCode.INTERNAL_ERROR.code(),
                    clock.instant().plus(backoff(failures + 1)));
            Metrics.tokenRefreshFailed(c.provider(), ErrorCode.INTERNAL_ERROR.code());
            throw e;
        }
        String refreshToken = fresh.refreshToken() == null ? c.refreshToken() : fresh.refreshToken();
        Connection toSave = c;
        for (int attempt = 1; ; attempt++) {
            Connection next = toSave.withTokens(fresh.accessToken(), refreshToken, fresh.expiresAt(), fresh.scopes());
            try {
                // one conditional write: access + (rotated) refresh token + version; it also drops the lease
                Connection saved = store.save(next);
                LOG.info("token_refreshed", "tenant", c.tenantId(), "provider", c.provider(),
                        "rotated", !c.refreshToken().equals(refreshToken), "failures_before", failures);
                Metrics.tokenRefreshed(c.provider());
                return saved;
            } catch (ConnectorException e) {
                // the provider already rotated the grant: losing these tokens would force the user to reconnect
                if (e.code() != ErrorCode.STORAGE_UNAVAILABLE || attempt >= SAVE_ATTEMPTS) {
                    unsaved(c, next, e.code().code(), attempt);
                    Metrics.tokenRefreshFailed(c.provider(), e.code().code());
                    throw e;
                }
                sleep(POLL.multipliedBy(attempt));
            } catch (TokenStore.ConcurrentUpdateException e) {
                Connection latest = store.get(c.tenantId(), c.provider()).orElseThrow(() ->
                        new ConnectorException(ErrorCode.INVALID_GRANT, "connection removed during refresh"));
                boolean sameGrant = latest.status() == ConnectionStatus.active
                        && Objects.equals(latest.refreshToken(), c.refreshToken());
                if (!sameGrant) {
                    return requireActive(latest); // a reconnect or disconnect happened meanwhile: its state wins
                }
                if (attempt >= SAVE_ATTEMPTS) {
                    unsaved(c, next, "concurrent_update", attempt);
                    return requireActive(latest);
                }
                // someone rewrote the row without new tokens (a re-encryption, settings): keep ours, or a rotated
                // refresh token would be lost with nothing valid left
                toSave = latest;
            }
        }
    }

    /**
     * Giving up on storing {@code fresh}: a rotated refresh token is the only valid one left, so it is rescued (an
     * unrotated one is still valid in the table). A warning: only a failed rescue loses anything, and that is an error.
     */
    private void unsaved(Connection spent, Connection fresh, String errorCode, int attempts) {
        LOG.warn("token_refresh_unsaved", "tenant", spent.tenantId(), "provider", spent.provider(),
                "error_code", errorCode, "attempts", attempts);
        if (!spent.refreshToken().equals(fresh.refreshToken())) rescue.handOver(spent, fresh);
    }

    private static Connection requireActive(Connection c) {
        if (c.status() != ConnectionStatus.active) {
            throw new ConnectorException(ErrorCode.INVALID_GRANT, "connection is " + c.status());
        }
        return c;
    }

    /**
     * The user must connect again; never retried automatically. The app hears of it once: the event goes out
     * only when this write is the one that changed the status (not when the row was already needs_reauth,
     * nor when a concurrent writer won).
     */
    public void markNeedsReauth(Connection c) {
        boolean changed = false;
        try {
            store.save(c.withStatus(ConnectionStatus.needs_reauth));
            changed = c.status() != ConnectionStatus.needs_reauth;
        } catch (TokenStore.ConcurrentUpdateException ignored) {
            // someone else changed it (maybe reconnected); their state wins
        }
        LOG.warn("connection_needs_reauth", "tenant", c.tenantId(), "provider", c.provider());
        if (changed) {
            try {
                events.publish(JobEvents.needsReauth(c.tenantId(), c.provider(), clock));
            } catch (RuntimeException e) {
                // publishers do not throw; if one does, the connection's state is already right
                LOG.warn("needs_reauth_event_failed", "tenant", c.tenantId(), "provider", c.provider());
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException(ErrorCode.INTERNAL_ERROR, "interrupted while waiting for a concurrent refresh");
        }
    }
}
