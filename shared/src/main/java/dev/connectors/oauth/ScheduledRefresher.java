package dev.connectors.oauth;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.log.Log;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import dev.connectors.tokens.TokenStore;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * One run of the scheduled refresher: queries each shard of the sparse refresh index for connections due
 * now (expiring within {@link TokenStore#REFRESH_AHEAD}, idle too long, or past their back-off), and refreshes them through
 * {@link TokenRefresher} (lease and all) with bounded concurrency. Reads only the due rows: the index
 * holds nothing else, so a run costs what is due, not what is stored.
 */
public final class ScheduledRefresher {
    private static final Log LOG = Log.of(ScheduledRefresher.class);
    public static final int CONCURRENCY = 4;
    static final int PAGE = 100;

    /** What a run did. {@code due} rows were read from the index; each is fetched once. */
    public record Result(int due, int refreshed, int skipped, int failed, boolean complete) {
        public Map<String, Object> asMap() {
            return Map.of("due", due, "refreshed", refreshed, "skipped", skipped, "failed", failed, "complete", complete);
        }
    }

    private final TokenStore store;
    private final TokenRefresher refresher;
    private final Function<String, ProviderSpec> specs;
    private final Function<String, ProviderConfig> configs;
    private final Clock clock;
    private final int concurrency;

    public ScheduledRefresher(TokenStore store, TokenRefresher refresher, Function<String, ProviderSpec> specs,
                              Function<String, ProviderConfig> configs, Clock clock, int concurrency) {
        this.store = store;
        this.refresher = refresher;
        this.specs = specs;
        this.configs = configs;
        this.clock = clock;
        this.concurrency = concurrency;
    }

    /** @param timeLeft false when no new refresh should start (the Lambda is about to time out) */
    public Result run(BooleanSupplier timeLeft) {
        Instant cutoff = clock.instant();
        AtomicInteger due = new AtomicInteger();
        AtomicInteger refreshed = new AtomicInteger();
        AtomicInteger skipped = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        boolean complete = true;
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        Semaphore slots = new Semaphore(concurrency * 2); // bounded queue: never reads far ahead of the workers
        List<Future<?>> running = new ArrayList<>();
        try {
            shards:
            for (int shard = 0; shard < TokenStore.REFRESH_SHARDS; shard++) {
                Map<String, AttributeValue> start = null;
                do {
                    if (!timeLeft.getAsBoolean()) {
                        complete = false;
                        break shards;
                    }
                    var page = store.dueBefore(shard, cutoff, PAGE, start);
                    for (TokenStore.Key key : page.keys()) {
                        due.incrementAndGet();
                        if (!timeLeft.getAsBoolean()) {
                            complete = false;
                            break shards;
                        }
                        slots.acquireUninterruptibly();
                        running.add(pool.submit(() -> {
                            try {
                                switch (refreshOne(key, cutoff)) {
                                    case REFRESHED -> refreshed.incrementAndGet();
                                    case SKIPPED -> skipped.incrementAndGet();
                                    default -> failed.incrementAndGet();
                                }
                            } finally {
                                slots.release();
                            }
                        }));
                    }
                    start = page.next();
                } while (start != null);
            }
            for (Future<?> f : running) {
                try {
                    f.get();
                } catch (Exception e) {
                    failed.incrementAndGet();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        Result result = new Result(due.get(), refreshed.get(), skipped.get(), failed.get(), complete);
        LOG.info("refresher_ran", "due", result.due(), "refreshed", result.refreshed(), "skipped", result.skipped(),
                "failed", result.failed(), "complete", result.complete());
        return result;
    }

    private enum Outcome { REFRESHED, SKIPPED, FAILED }

    private Outcome refreshOne(TokenStore.Key key, Instant cutoff) {
        Log.put("provider", key.provider()); // this pool thread's context: a provider's 429s are counted against it
        try {
            Optional<Connection> found = store.get(key.tenantId(), key.provider());
            if (found.isEmpty()) return Outcome.SKIPPED;
            Connection c = found.get();
            // the index is eventually consistent: the row itself says whether it is still due
            if (c.status() != ConnectionStatus.active || c.refreshToken() == null) return Outcome.SKIPPED;
            Instant dueAt = store.refreshDueAt(c);
            if (dueAt == null || dueAt.isAfter(cutoff)) return Outcome.SKIPPED;
            ProviderConfig config;
            ProviderSpec spec;
            try {
                spec = specs.apply(c.provider());
                config = configs.apply(c.provider());
            } catch (ConnectorException | IllegalArgumentException e) {
                // not configured (yet): back off like a provider failure instead of asking every run
                int failures = store.refreshState(c.tenantId(), c.provider()).map(TokenStore.RefreshState::failures).orElse(0);
                String code = e instanceof ConnectorException ce ? ce.code().code() : ErrorCode.NOT_CONFIGURED.code();
                store.recordRefreshFailure(c.tenantId(), c.provider(), null, code,
                        clock.instant().plus(TokenRefresher.backoff(failures + 1)));
                LOG.warn("scheduled_refresh_not_configured", "tenant", c.tenantId(), "provider", c.provider(), "error_code", code);
                return Outcome.FAILED;
            }
            refresher.refresh(spec, config, c);
            return Outcome.REFRESHED;
        } catch (ConnectorException e) {
            LOG.warn("scheduled_refresh_failed", "tenant", key.tenantId(), "provider", key.provider(), "error_code", e.code().code());
            return Outcome.FAILED;
        } catch (RuntimeException e) {
            LOG.error("scheduled_refresh_crashed", "tenant", key.tenantId(), "provider", key.provider(), "error", e);
            return Outcome.FAILED;
        }
    }
}
