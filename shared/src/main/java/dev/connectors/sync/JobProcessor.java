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
 * <p>
 * Steps and parallel messages (why this shape): a job runs its {@link StepPlan} in its own message, step after
 * step, so a small tenant finishes in one invocation with one message and one item. Only when a step proves the
 * tenant big (it needed {@code BackfillRunner.BIG_STEP_PAGES} pages, or the invocation ran out of time in it)
 * does the job fan out: each remaining parallel step gets its own item (own checkpoint and lease, created by
 * a conditional put, so a retried fan-out never resets a step's progress) and its own message. A finished step
 * joins the job's done set in one conditional update (set add + counters, refused when already in the set);
 * the step that completes the set flips the job back to its own message by a conditional update (exactly one
 * wins) and that message finishes the job through the same single-writer path as an unsplit job, so the job
 * completes exactly once. Every delivery first takes one of the connection's {@link ConnectionSlots}; without
 * one, the message is sent again with a delay instead of sleeping in the Lambda.
 */
public final class JobProcessor {
    private static final Log LOG = Log.of(JobProcessor.class);
    public static final int MAX_ATTEMPTS = 5;
    /** How long a delivery that found every slot of its connection taken waits in the queue (plus up to as much jitter). */
    public static final int SLOT_WAIT_SECONDS = 5;

    private final JobStore jobs;
    private final JobQueue queue;
    private final TokenStore tokens;
    private final TokenRefresher refresher;
    private final BackfillRunner runner;
    private final Function<String, ProviderSpec> specs;
    private final Function<String, ProviderConfig> configs;
    private final Clock clock;
    private final ConnectionSlots slots;

    public JobProcessor(JobStore jobs, JobQueue queue, TokenStore tokens, TokenRefresher refresher, BackfillRunner runner,
                        Function<String, ProviderSpec> specs, Function<String, ProviderConfig> configs, Clock clock,
                        ConnectionSlots slots) {
        this.slots = slots;
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
        return process(jobId, null, timeLeft, 0);
    }

    /**
     * As {@link #process(String, BooleanSupplier)}, told which delivery of its message this is (SQS's
     * ApproximateReceiveCount, 0 when unknown). A crash (an unexpected exception) is written to the job's
     * {@code last_error} before it propagates, so a message that ends in the DLQ leaves its reason on the job.
     */
    public boolean process(String jobId, Integer step, BooleanSupplier timeLeft, int receiveCount) {
        String owner = UUID.randomUUID().toString();
        String unitId = step == null ? jobId : SyncJob.stepId(jobId, step);
        try {
            return runDelivery(unitId, timeLeft, owner);
        } catch (RuntimeException e) {
            noteCrash(unitId, owner, e, receiveCount);
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
            // a finished step may have died before counting itself into its job: counting again is harmless
            if (existing.isPresent() && existing.get().isStep() && existing.get().status() == JobStatus.succeeded) {
                countStep(existing.get());
            }
            // finished: a duplicate, drop it. Leased: come back later, in case the holder crashed.
            return !running;
        }
        SyncJob job = leased.get();
        Log.put("tenant", job.tenantId());
        Log.put("provider", job.provider());
        Log.put("job_id", job.isStep() ? job.parentJobId() : jobId);
        if (job.isStep()) {
            Log.put("step", Integer.toString(job.checkpoint().step()));
            Optional<SyncJob> parent = jobs.get(job.parentJobId());
            if (parent.isEmpty() || parent.get().status().finished()) { // cancelled, or ended by another step
                jobs.save(job.finished(JobStatus.failed, "The sync job ended before this step ran.", null), owner, true);
                return true;
            }
        } else if (job.steps().fannedOut()) {
            return awaitSteps(job, owner);
        }
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
            String outcome = backfill == null || backfill.outcome() == null ? JobOutcome.no_history_available.name() : backfill.outcome();
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
            Optional<ConnectionSlots.Slot> slot = slots.acquire(job.tenantId(), job.provider(), owner);
            if (slot.isEmpty()) return waitForSlot(job, owner);
            try {
                result = runner.run(job, owner, ctx, timeLeft);
            } finally {
                slots.release(slot.get());
            }
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
            // a spec may say its history is partial (Spotify keeps only the last ~50 plays), and so do refused parents
            return finish(latest, owner, JobStatus.succeeded, null, latest.completedOutcome(backfill.outcome()));
        } else if (result instanceof BackfillResult.LeaseLost) {
            return true;
        } else if (result instanceof BackfillResult.FanOut f) {
            return fanOut(latest, owner, f.from(), f.to());
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
        queue.send(job, delaySeconds); // if this throws, the message returns and resumes from the checkpoint
        LOG.info("sync_job_continues", "delay_seconds", delaySeconds, "reason", why, "pages", job.pages(), "records", job.records());
        return true;
    }

    private boolean retry(SyncJob job, String owner, String reason) {
        SyncJob failed = job.failedAttempt(reason);
        LOG.warn("sync_job_attempt_failed", "attempt", failed.attempts(), "detail", reason);
        if (failed.attempts() >= MAX_ATTEMPTS) {
            // our own storage failing is not the provider's fault: say which one it was
            String who = reason.startsWith(ErrorCode.STORAGE_UNAVAILABLE.code()) ? "Storage" : "The provider";
            return finish(failed, owner, JobStatus.failed,
                    who + " kept failing after " + failed.attempts() + " attempts: " + reason, null);
        }
        if (!jobs.save(failed, owner, true)) return true;
        queue.send(job, Math.min(JobQueue.MAX_DELAY_SECONDS, 30 << failed.attempts()));
        return true;
    }

    private boolean finish(SyncJob job, String owner, JobStatus status, String error, String outcome) {
        if (!jobs.save(job.finished(status, error, outcome), owner, true)) return true;
        if (job.isStep()) {
            LOG.info("sync_step_finished", "status", status.name(), "pages", job.pages(), "records", job.records());
            if (status == JobStatus.succeeded) {
                countStep(job);
            } else if (jobs.end(job.parentJobId(), status, error, "step")) { // one step failing for good ends its job
                LOG.info("sync_job_finished", "status", status.name(), "step", job.checkpoint().step());
            }
            return true;
        }
        LOG.info("sync_job_finished", "status", status.name(), "pages", job.pages(), "records", job.records(), "outcome", outcome,
                "parents_skipped", job.parentsSkipped());
        return true;
    }

    /**
     * Hands steps {@code from}..{@code to} to parallel messages. Order matters without transactions: the step
     * items first (conditional puts: a retry keeps what exists), then the job's fan-out mark (under the lease),
     * then the messages. A crash before the mark resumes the job itself from its checkpoint; a crash after it
     * brings the job's message back, and {@link #awaitSteps} sends the step messages again.
     */
    private boolean fanOut(SyncJob job, String owner, int from, int to) {
        for (int k = from; k < to; k++) {
            jobs.createStep(job.stepItem(k, k == job.checkpoint().step() ? job.checkpoint() : Checkpoint.startOf(k)));
        }
        SyncJob parked = job.fannedOut(from, to);
        if (!jobs.save(parked, owner, true)) return true;
        for (int k = from; k < to; k++) queue.sendStep(job.jobId(), k, 0);
        LOG.info("sync_job_fanned_out", "from_step", from, "to_step", to, "pages", job.pages(), "records", job.records());
        return true;
    }

    /** The job's own message while its steps run in parallel: resend the messages of steps not done (a duplicate is harmless). */
    private boolean awaitSteps(SyncJob job, String owner) {
        jobs.release(job.jobId(), owner);
        if (job.steps().allDone()) {
            resumeIfAllDone(job); // the last step died before flipping the job back
            return true;
        }
        for (int k = job.steps().fanFrom(); k < job.steps().fanTo(); k++) {
            if (!job.steps().done().contains(k)) queue.sendStep(job.jobId(), k, 0);
        }
        LOG.info("sync_job_steps_resent", "done", job.steps().done().size());
        return true;
    }

    /** Counts a finished step into its job; the step that completes the set sends the job's own message again. */
    private void countStep(SyncJob step) {
        SyncJob job = jobs.addDoneStep(step.parentJobId(), step.checkpoint().step(), step.pages(), step.records(), step.parentsSkipped())
                .or(() -> jobs.get(step.parentJobId())).orElse(null);
        resumeIfAllDone(job);
    }

    private void resumeIfAllDone(SyncJob job) {
        if (job == null || job.status().finished() || !job.steps().fannedOut() || !job.steps().allDone()) return;
        if (jobs.resumeAfterFanOut(job.jobId(), job.steps().fanFrom(), job.steps().fanTo())) {
            queue.send(job.jobId(), 0); // if this fails, the pending mark makes the reconciler send it
            jobs.markEnqueued(job.jobId());
            LOG.info("sync_job_steps_done", "steps", job.steps().done().size());
        }
    }

    /** Every slot of the connection is taken: give the lease back and come back later through the queue. */
    private boolean waitForSlot(SyncJob job, String owner) {
        if (!jobs.save(job, owner, true)) return true;
        int delay = SLOT_WAIT_SECONDS + java.util.concurrent.ThreadLocalRandom.current().nextInt(SLOT_WAIT_SECONDS + 1);
        queue.send(job, delay);
        LOG.info("sync_job_waits_for_slot", "delay_seconds", delay);
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
