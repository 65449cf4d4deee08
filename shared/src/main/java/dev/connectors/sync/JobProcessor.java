package dev.connectors.sync;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.log.Log;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.oauth.TokenRefresher;
import dev.connectors.providers.BackfillSpec;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import dev.connectors.tokens.TokenStore;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * Runs one delivery of a sync job: lease it, backfill until done or out of time, then decide what
 * happens next (finish, continue in a new message, delay for a rate limit, or count a failed attempt).
 * Returns false only when the message should come back (an unexpected failure); SQS then redelivers
 * it and, after maxReceiveCount, moves it to the DLQ.
 */
public final class JobProcessor {
    private static final Log LOG = Log.of(JobProcessor.class);
    public static final int MAX_ATTEMPTS = 5;

    private final JobStore jobs;
    private final JobQueue queue;
    private final TokenStore tokens;
    private final TokenRefresher refresher;
    private final BackfillRunner runner;
    private final Function<String, ProviderSpec> specs;
    private final Function<String, ProviderConfig> configs;
    private final Clock clock;

    public JobProcessor(JobStore jobs, JobQueue queue, TokenStore tokens, TokenRefresher refresher, BackfillRunner runner,
                        Function<String, ProviderSpec> specs, Function<String, ProviderConfig> configs, Clock clock) {
        this.jobs = jobs;
        this.queue = queue;
        this.tokens = tokens;
        this.refresher = refresher;
        this.runner = runner;
        this.specs = specs;
        this.configs = configs;
        this.clock = clock;
    }

    /** @return true when the message is handled (delete it), false to let SQS redeliver it */
    public boolean process(String jobId, BooleanSupplier timeLeft) {
        return process(jobId, timeLeft, 0);
    }

    /**
     * As {@link #process(String, BooleanSupplier)}, told which delivery of its message this is (SQS's
     * ApproximateReceiveCount, 0 when unknown). A crash (an unexpected exception) is written to the job's
     * {@code last_error} before it propagates, so a message that ends in the DLQ leaves its reason on the job.
     */
    public boolean process(String jobId, BooleanSupplier timeLeft, int receiveCount) {
        String owner = UUID.randomUUID().toString();
        try {
            return runDelivery(jobId, timeLeft, owner);
        } catch (RuntimeException e) {
            noteCrash(jobId, owner, e, receiveCount);
            throw e;
        }
    }

    private void noteCrash(String jobId, String owner, RuntimeException e, int receiveCount) {
        String detail = e instanceof ConnectorException c ? c.code().code() + ": " + c.detail()
                : e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        if (detail.length() > 300) detail = detail.substring(0, 300) + "...";
        String why = "worker crashed" + (receiveCount > 0 ? " on delivery " + receiveCount : "") + ": " + detail
                + " (the queue redelivers it; after maxReceiveCount deliveries the message waits in the dead-letter queue,"
                + " and a redrive resumes the job from its checkpoint)";
        try {
            jobs.noteError(jobId, owner, why);
        } catch (RuntimeException ignored) {
            // storage is down too: the log line below is all there is
        }
        LOG.error("sync_job_crash_noted", "job_id", jobId, "receive_count", receiveCount, "detail", detail);
    }

    private boolean runDelivery(String jobId, BooleanSupplier timeLeft, String owner) {
        Optional<SyncJob> leased = jobs.lease(jobId, owner, clock.instant().plus(JobStore.LEASE));
        if (leased.isEmpty()) {
            Optional<SyncJob> existing = jobs.get(jobId);
            boolean running = existing.isPresent() && !existing.get().status().finished();
            LOG.info("sync_job_skipped", "job_id", jobId, "reason", running ? "leased by another delivery" : "finished or unknown");
            // finished: a duplicate, drop it. Leased: come back later, in case the holder crashed.
            return !running;
        }
        SyncJob job = leased.get();
        Log.put("tenant", job.tenantId());
        Log.put("provider", job.provider());
        Log.put("job_id", jobId);
        Optional<Connection> connection = tokens.get(job.tenantId(), job.provider());
        if (connection.isEmpty()) {
            return finish(job, owner, JobStatus.failed, "The connection was removed before the sync finished.", null);
        }
        if (connection.get().status() != ConnectionStatus.active) {
            return finish(job, owner, JobStatus.needs_reauth, "The connection needs to be authorized again.", null);
        }
        ProviderSpec spec;
        try {
            spec = specs.apply(job.provider());
        } catch (RuntimeException e) { // removed from the registry, or an entry that no longer validates
            LOG.error("sync_job_provider_unavailable", "error", e);
            return finish(job, owner, JobStatus.failed, "This provider is no longer available.", null);
        }
        BackfillSpec backfill = spec.backfill();
        if (backfill == null || backfill.resources().isEmpty()) {
            String outcome = backfill == null || backfill.outcome() == null ? "no_history_available" : backfill.outcome();
            return finish(job, owner, JobStatus.succeeded, null, outcome);
        }
        BackfillResult result;
        try {
            // a missing secret or a refresh failure counts as an attempt, like any provider failure
            ProviderConfig config = configFor(spec);
            ConnectionTokens connectionTokens = new ConnectionTokens(spec, config, connection.get());
            Map<String, String> values = config.withValues(connection.get().metadata()).withDefaults(spec).values();
            BackfillRunner.Context ctx = new BackfillRunner.Context(backfill, Placeholders.fill(spec.apiBaseUrl(), values),
                    spec.apiHeaders(), values, connectionTokens, spec.tokenResponse().errorCodes(), bodySecrets(config));
            if (refresher.expiresSoon(connection.get())) connectionTokens.refreshBeforeExpiry();
            result = runner.run(job, owner, ctx, timeLeft);
        } catch (ConnectorException e) {
            result = e.code() == ErrorCode.INVALID_GRANT
                    ? new BackfillResult.NeedsReauth(e.detail())
                    : new BackfillResult.Retry(e.code().code() + ": " + e.detail());
        } catch (IllegalArgumentException e) {
            result = new BackfillResult.Retry("provider settings incomplete: " + e.getMessage()); // a placeholder without a value
        }
        SyncJob latest = jobs.get(jobId).orElse(job);
        // Java 17: no pattern matching in switch yet
        if (result instanceof BackfillResult.Done) {
            // a spec may say its history is partial (Spotify keeps only the last ~50 plays): never a plain "complete"
            return finish(latest, owner, JobStatus.succeeded, null, backfill.outcome() == null ? "complete" : backfill.outcome());
        } else if (result instanceof BackfillResult.LeaseLost) {
            return true;
        } else if (result instanceof BackfillResult.Continue) {
            return continueLater(latest, owner, 0, "continued");
        } else if (result instanceof BackfillResult.Delay d) {
            return continueLater(latest, owner, d.seconds(), d.reason());
        } else if (result instanceof BackfillResult.NeedsReauth n) {
            LOG.warn("sync_job_needs_reauth", "detail", n.reason());
            tokens.get(latest.tenantId(), latest.provider())
                    .filter(c -> c.status() == ConnectionStatus.active)
                    .ifPresent(refresher::markNeedsReauth);
            return finish(latest, owner, JobStatus.needs_reauth, "The connection needs to be authorized again.", null);
        }
        return retry(latest, owner, ((BackfillResult.Retry) result).reason());
    }

    /**
     * The provider's secret; API-key services have none (the tenant's key is the connection's token), so
     * they get an empty config rather than failing on a missing client_id.
     */
    private ProviderConfig configFor(ProviderSpec spec) {
        if (ProviderSpec.API_KEY.equals(spec.authTypeOrDefault())) return new ProviderConfig(null, null, Map.of());
        return configs.apply(spec.id());
    }

    /** {client_id} / {client_secret} for JSON bodies only (Plaid): kept out of URLs, headers and log lines. */
    private static Map<String, String> bodySecrets(ProviderConfig config) {
        Map<String, String> out = new java.util.HashMap<>();
        if (config.clientId() != null) out.put("client_id", config.clientId());
        if (config.clientSecret() != null) out.put("client_secret", config.clientSecret());
        return out;
    }

    private boolean continueLater(SyncJob job, String owner, int delaySeconds, String why) {
        if (!jobs.save(job, owner, true)) return true;
        queue.send(job.jobId(), delaySeconds); // if this throws, the message returns and resumes from the checkpoint
        LOG.info("sync_job_continues", "delay_seconds", delaySeconds, "reason", why, "pages", job.pages(), "records", job.records());
        return true;
    }

    private boolean retry(SyncJob job, String owner, String reason) {
        SyncJob failed = job.failedAttempt(reason);
        LOG.warn("sync_job_attempt_failed", "attempt", failed.attempts(), "detail", reason);
        if (failed.attempts() >= MAX_ATTEMPTS) {
            return finish(failed, owner, JobStatus.failed,
                    "The provider kept failing after " + failed.attempts() + " attempts: " + reason, null);
        }
        if (!jobs.save(failed, owner, true)) return true;
        queue.send(job.jobId(), Math.min(JobQueue.MAX_DELAY_SECONDS, 30 << failed.attempts()));
        return true;
    }

    private boolean finish(SyncJob job, String owner, JobStatus status, String error, String outcome) {
        jobs.save(job.finished(status, error, outcome), owner, true);
        LOG.info("sync_job_finished", "status", status.name(), "pages", job.pages(), "records", job.records(), "outcome", outcome);
        return true;
    }

    /** The token for one job, refreshed in place when the provider rejects it. */
    private final class ConnectionTokens implements dev.connectors.sync.AccessTokens {
        private final ProviderSpec spec;
        private final ProviderConfig config;
        private Connection connection;

        ConnectionTokens(ProviderSpec spec, ProviderConfig config, Connection connection) {
            this.spec = spec;
            this.config = config;
            this.connection = connection;
        }

        @Override
        public String current() {
            return connection.accessToken();
        }

        /** At most one refresh per delivery: a rotating refresh token must not be spent twice for one 401. */
        private boolean refreshed;

        void refreshBeforeExpiry() {
            connection = refresher.refresh(spec, config, connection);
            refreshed = true;
        }

        @Override
        public String refreshAfterUnauthorized() {
            if (!refreshed) {
                refreshBeforeExpiry();
            }
            return connection.accessToken(); // already fresh: a second 401 then means the grant is gone
        }
    }
}
