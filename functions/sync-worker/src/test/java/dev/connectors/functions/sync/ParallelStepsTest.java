package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connectors.config.Settings;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.StepPlan;
import dev.connectors.sync.SyncJob;
import dev.connectors.testing.StandIns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Window steps and parallel step messages on the real stand-ins, against a fake provider that honours the
 * time bounds and counts requests per connection ({@link WindowedHistory}): a small tenant finishes all its
 * steps in one invocation; a big one fans out into step messages that run in parallel, never more at once than
 * the connection's cap, and ends with exactly the records of an uninterrupted run, every page fetched once,
 * whatever kills and duplicate deliveries hit its steps.
 */
class ParallelStepsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int STEP_DAYS = 7;
    private static final Duration PAST_THE_LEASE = Duration.ofMinutes(6);

    /** A connected generic tenant of {@code records} records on the fake; stepped unless {@code stepDays} is 0. */
    private static WorkerFixture tenant(int records, String token, int stepDays, Map<String, String> settings) {
        WorkerFixture f = WorkerFixture.generic();
        settings.forEach(f.h::set);
        String api = WindowedHistory.shared().apiBase(records, token);
        f.h.providerSecret("generic", Map.of("authorize_url", api + "/authorize", "token_url", api + "/token", "api_base_url", api));
        ProviderSpec spec = stepped(f, stepDays);
        f.specs = id -> spec;
        return f.connect(token, null, null, Map.of());
    }

    /** The generic entry with {@code stepDays} in its backfill. */
    private static ProviderSpec stepped(WorkerFixture f, int stepDays) {
        try {
            ObjectNode entry = (ObjectNode) JSON.readTree(JSON.writeValueAsString(f.h.rebased("generic")));
            ((ObjectNode) entry.get("backfill")).put("stepDays", stepDays);
            return JSON.treeToValue(entry, ProviderSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The records of one uninterrupted, unstepped run of a tenant this size. */
    private static Map<String, String> uninterrupted(int records) {
        WorkerFixture f = tenant(records, "tok-steps-base-" + records + "-" + System.nanoTime(), 0, Map.of());
        SyncJob job = f.drain(TestContext::plenty, 5);
        assertThat(job.status()).isEqualTo(JobStatus.succeeded);
        assertThat(job.steps().total()).isEqualTo(1);
        assertThat(f.storedRecords("records")).isEqualTo(records);
        return f.recordSet("records");
    }

    private static int plannedSteps(WorkerFixture f) {
        SyncJob job = f.reload();
        return StepPlan.of(f.specs.apply("generic").backfill(), job.windowStart(), job.windowEnd()).size();
    }

    @Test
    void aSmallTenantRunsEveryStepInOneInvocationWithoutExtraMessages() {
        String token = "tok-steps-small";
        WorkerFixture f = tenant(20, token, STEP_DAYS, Map.of());

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(job.steps().total()).isEqualTo(plannedSteps(f)).isGreaterThanOrEqualTo(13); // a week each over ~3 months
        assertThat(job.stepsDone()).isEqualTo(job.steps().total());
        assertThat(job.steps().fanTo()).isZero(); // never fanned out
        assertThat(f.storedRecords("records")).isEqualTo(20);
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted(20));
        assertThat(WindowedHistory.shared().requests(token)).isEqualTo(job.steps().total()); // one page per week
        assertThat(WindowedHistory.shared().peakConcurrency(token)).isEqualTo(1);
        assertThat(pending(f)).isZero();
    }

    @Test
    void aJobOutOfTimeInItsStepsHandsTheRestToStepMessagesAndShowsStepsDoneOutOfTotal() {
        String token = "tok-steps-timeout";
        WorkerFixture f = tenant(20, token, STEP_DAYS, Map.of());
        AtomicInteger checks = new AtomicInteger();
        // time for three pages: three weekly steps of one page each, then the invocation is about to end
        f.deliver(new TestContext(() -> checks.incrementAndGet() <= 3 ? 100_000 : 1_000));

        SyncJob job = f.reload();
        int total = plannedSteps(f);
        assertThat(job.status()).isEqualTo(JobStatus.running);
        assertThat(job.steps().total()).isEqualTo(total);
        assertThat(job.stepsDone()).isEqualTo(3);
        assertThat(job.steps().fanFrom()).isEqualTo(3);
        assertThat(job.steps().fanTo()).isEqualTo(total);
        assertThat(f.queueDepth("ApproximateNumberOfMessages")).isEqualTo(total - 3); // one message per step left
        assertThat(f.services().jobStore().get(SyncJob.stepId(job.jobId(), 3)).orElseThrow().status()).isEqualTo(JobStatus.queued);

        SyncJob done = f.drain(TestContext::plenty, 10);

        assertThat(done.status()).isEqualTo(JobStatus.succeeded);
        assertThat(done.stepsDone()).isEqualTo(total);
        assertThat(done.records()).isEqualTo(20);
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted(20));
        assertThat(WindowedHistory.shared().fetchesPerPage(token).values()).allMatch(n -> n == 1);
    }

    @Test
    void aStepThatDiedBetweenFinishingAndBeingCountedIsCountedByItsRedeliveryAndTheJobCompletesOnce() {
        String token = "tok-steps-uncounted";
        WorkerFixture f = tenant(60, token, STEP_DAYS, Map.of());
        AtomicInteger checks = new AtomicInteger();
        f.deliver(new TestContext(() -> checks.incrementAndGet() <= 3 ? 100_000 : 1_000)); // fans out from step 3
        SyncJob fanned = f.reload();
        int total = fanned.steps().total();
        String queue = f.h.resources.queueUrl("SyncQueue");
        List<Message> steps = new ArrayList<>();
        for (int i = 0; i < 10 && steps.size() < total - 3; i++) {
            steps.addAll(StandIns.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).visibilityTimeout(120)).messages());
        }
        assertThat(steps).hasSize(total - 3);
        Message last = steps.remove(steps.size() - 1);
        int lastStep = dev.connectors.sync.JobQueue.step(last.body());

        // the step runs to the end and is counted; then its count is taken back: as if the worker had died
        // right after saving the step as finished and before counting it into the job
        assertThat(f.handler().handleRequest(WorkerFixture.event(last), TestContext.plenty()).getBatchItemFailures()).isEmpty();
        SyncJob counted = f.reload();
        SyncJob step = f.services().jobStore().get(SyncJob.stepId(fanned.jobId(), lastStep)).orElseThrow();
        assertThat(step.status()).isEqualTo(JobStatus.succeeded);
        uncount(f, fanned.jobId(), lastStep, step.pages(), step.records());
        for (Message m : steps) assertThat(f.handler().handleRequest(WorkerFixture.event(m), TestContext.plenty()).getBatchItemFailures()).isEmpty();
        SyncJob waiting = f.reload();
        assertThat(waiting.status()).isEqualTo(JobStatus.running);
        assertThat(waiting.stepsDone()).isEqualTo(total - 1);
        assertThat(f.queueDepth("ApproximateNumberOfMessages")).isZero(); // nobody flipped the job back

        // the step's message comes back (its delete was lost with the worker): the step is counted, once
        assertThat(f.handler().handleRequest(WorkerFixture.event(last), TestContext.plenty()).getBatchItemFailures()).isEmpty();
        assertThat(f.handler().handleRequest(WorkerFixture.event(last), TestContext.plenty()).getBatchItemFailures()).isEmpty();
        for (Message m : steps) StandIns.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
        StandIns.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(last.receiptHandle()));
        SyncJob done = f.drain(TestContext::plenty, 5);

        assertThat(counted.steps().done()).contains(lastStep);
        assertThat(done.status()).isEqualTo(JobStatus.succeeded);
        assertThat(done.stepsDone()).isEqualTo(total);
        assertThat(done.records()).isEqualTo(60);
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted(60));
        assertThat(WindowedHistory.shared().fetchesPerPage(token).values()).allMatch(n -> n == 1);
    }

    /** Takes a step's count back out of its job (the state a crash between the two writes leaves). */
    private static void uncount(WorkerFixture f, String jobId, int step, long pages, long records) {
        StandIns.dynamo().updateItem(r -> r.tableName(f.h.resources.tableName("SyncJobsTable"))
                .key(Map.of("job_id", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS(jobId)))
                .updateExpression("DELETE steps_done :s ADD pages :p, records :r")
                .expressionAttributeValues(Map.of(
                        ":s", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromNs(List.of(Integer.toString(step))),
                        ":p", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(Long.toString(-pages)),
                        ":r", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromN(Long.toString(-records)))));
    }

    @ParameterizedTest(name = "cap {0}")
    @ValueSource(ints = {2, 3})
    void aBigTenantRunsAsParallelStepsWithinTheCapAndEndsWithTheRecordsOfAnUninterruptedRun(int cap) throws Exception {
        int records = 400; // ~33 a week: 4 pages per step, so the first step shows the tenant is big
        String token = "tok-steps-big-" + cap;
        WorkerFixture f = tenant(records, token, STEP_DAYS, Map.of(Settings.SYNC_CONNECTION_CONCURRENCY, Integer.toString(cap)));

        runWorkers(f, cap + 3, TestContext::plenty);

        SyncJob job = f.reload();
        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        int total = job.steps().total();
        assertThat(job.steps().fanTo()).as("fanned out").isEqualTo(total);
        // the first weeks with records show the tenant is big; every week after them ran as its own message
        assertThat(job.steps().done()).hasSizeGreaterThanOrEqualTo(total - 3);
        for (int k = total - job.steps().done().size(); k < total; k++) {
            assertThat(job.steps().done()).contains(k);
            SyncJob step = f.services().jobStore().get(SyncJob.stepId(job.jobId(), k)).orElseThrow();
            assertThat(step.status()).isEqualTo(JobStatus.succeeded);
            assertThat(step.parentJobId()).isEqualTo(job.jobId());
        }
        assertThat(job.stepsDone()).isEqualTo(job.steps().total());
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted(records));
        assertThat(job.records()).isEqualTo(records);
        assertThat(job.pages()).isEqualTo(WindowedHistory.expectedPages(records, job.windowStart(), job.windowEnd(), STEP_DAYS));
        assertThat(WindowedHistory.shared().fetchesPerPage(token).values()).allMatch(n -> n == 1);
        assertThat(WindowedHistory.shared().peakConcurrency(token)).as("parallel, within the cap").isEqualTo(cap);
        assertThat(pending(f)).isZero();
        assertThat(dlqDepth(f)).isZero();
    }

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void killsAndDuplicateDeliveriesAcrossParallelStepsNeverLoseACheckpoint(long seed) throws Exception {
        int records = 300;
        String token = "tok-steps-chaos-" + seed;
        WorkerFixture f = tenant(records, token, STEP_DAYS, Map.of());
        Random random = new Random(seed);
        String queue = f.h.resources.queueUrl("SyncQueue");
        int kills = 0;
        int twins = 0;

        for (int round = 0; round < 400 && !(f.reload().status().finished() && pending(f) == 0); round++) {
            List<Message> messages = StandIns.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).visibilityTimeout(1)).messages();
            for (Message m : messages) {
                boolean handled;
                switch (random.nextInt(4)) {
                    case 0 -> { // killed after a random number of pages: no answer, the message comes back
                        f.handler().handleRequest(WorkerFixture.event(m), killedAfter(random.nextInt(4)));
                        f.h.clock.advance(PAST_THE_LEASE);
                        kills++;
                        handled = false;
                    }
                    case 1 -> { // the same message twice at once (two pollers)
                        int budget = 1 + random.nextInt(4);
                        CompletableFuture<SQSBatchResponse> a = CompletableFuture.supplyAsync(() -> f.handler().handleRequest(WorkerFixture.event(m), pages(budget)));
                        CompletableFuture<SQSBatchResponse> b = CompletableFuture.supplyAsync(() -> f.handler().handleRequest(WorkerFixture.event(m), pages(budget)));
                        handled = a.get(60, TimeUnit.SECONDS).getBatchItemFailures().isEmpty() | b.get(60, TimeUnit.SECONDS).getBatchItemFailures().isEmpty();
                        twins++;
                    }
                    case 2 -> { // handled, and a duplicate of it arrives later
                        handled = f.handler().handleRequest(WorkerFixture.event(m), pages(1 + random.nextInt(4))).getBatchItemFailures().isEmpty();
                        StandIns.sqs().sendMessage(r -> r.queueUrl(queue).messageBody(m.body()));
                    }
                    default -> handled = f.handler().handleRequest(WorkerFixture.event(m), pages(1 + random.nextInt(6))).getBatchItemFailures().isEmpty();
                }
                if (handled) StandIns.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
            }
        }

        SyncJob job = f.reload();
        assertThat(kills + twins).isPositive();
        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(job.steps().fanTo()).as("fanned out").isPositive();
        assertThat(job.stepsDone()).isEqualTo(job.steps().total());
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted(records));
        assertThat(job.records()).isEqualTo(records);
        // no checkpoint lost: every page of every step fetched exactly once
        assertThat(WindowedHistory.shared().fetchesPerPage(token).values()).allMatch(n -> n == 1);
        assertThat(WindowedHistory.shared().requests(token))
                .isEqualTo(WindowedHistory.expectedPages(records, job.windowStart(), job.windowEnd(), STEP_DAYS));
    }

    /** A Lambda context with time for {@code n} pages. */
    private static TestContext pages(int n) {
        AtomicInteger checks = new AtomicInteger();
        return new TestContext(() -> checks.incrementAndGet() <= n ? 100_000 : 1_000);
    }

    /** A Lambda killed after {@code n} pages (the process dies: nothing after the last checkpoint happens). */
    private static TestContext killedAfter(int n) {
        AtomicInteger checks = new AtomicInteger();
        return new TestContext(() -> {
            if (checks.incrementAndGet() > n) throw new IllegalStateException("simulated kill after " + n + " pages");
            return 100_000;
        });
    }

    /**
     * {@code threads} pollers like Lambda's, one message per invocation, until the job has finished and nothing is
     * left on the queue (delayed messages included: a delivery without a slot comes back after a delay).
     */
    private static void runWorkers(WorkerFixture f, int threads, Supplier<TestContext> context) throws Exception {
        String queue = f.h.resources.queueUrl("SyncQueue");
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    while (System.nanoTime() < deadline && !(f.reload().status().finished() && pending(f) == 0)) {
                        for (Message m : StandIns.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(1)
                                .waitTimeSeconds(1).visibilityTimeout(60)).messages()) {
                            if (f.handler().handleRequest(WorkerFixture.event(m), context.get()).getBatchItemFailures().isEmpty()) {
                                StandIns.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) w.get(200, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    /** Messages on the sync queue: visible, in flight and delayed. */
    private static int pending(WorkerFixture f) {
        return f.queueDepth("ApproximateNumberOfMessages") + f.queueDepth("ApproximateNumberOfMessagesNotVisible")
                + f.queueDepth("ApproximateNumberOfMessagesDelayed");
    }

    private static int dlqDepth(WorkerFixture f) {
        var attrs = StandIns.sqs().getQueueAttributes(r -> r.queueUrl(f.h.resources.queueUrl("SyncDeadLetterQueue"))
                .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings();
        return Integer.parseInt(attrs.get("ApproximateNumberOfMessages")) + Integer.parseInt(attrs.get("ApproximateNumberOfMessagesNotVisible"));
    }
}
