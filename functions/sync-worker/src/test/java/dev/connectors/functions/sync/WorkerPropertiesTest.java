package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.testing.StandIns;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import software.amazon.awssdk.services.sqs.model.Message;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Worker properties on the real stand-ins (dynalite, ElasticMQ with the template's redrive policy, WireMock):
 * whatever SQS does with the messages of a multi-page job (duplicates, concurrent duplicates, a killed worker
 * at any page, the DLQ and a redrive), the job ends with exactly the records of an uninterrupted run.
 */
class WorkerPropertiesTest {
    private static final Duration PAST_THE_LEASE = Duration.ofMinutes(6);

    /** The record set of one uninterrupted run: ids, updated-at and payloads. */
    private static Map<String, String> baseline;

    private static synchronized Map<String, String> uninterrupted() {
        if (baseline == null) {
            WorkerFixture f = WorkerFixture.generic().connect("tok-prop-baseline", null, null, Map.of());
            PagedHistory.stub(f.h.wiremock, "tok-prop-baseline");
            SyncJob job = f.drain(TestContext::plenty, 5);
            assertThat(job.status()).isEqualTo(JobStatus.succeeded);
            assertThat(job.pages()).isEqualTo(PagedHistory.PAGES);
            baseline = f.recordSet("records");
            assertThat(baseline).hasSize(PagedHistory.TOTAL);
        }
        return baseline;
    }

    /** A Lambda context with time for exactly one page: every page then travels in its own message. */
    private static TestContext onePage() {
        AtomicInteger checks = new AtomicInteger();
        return new TestContext(() -> checks.incrementAndGet() <= 1 ? 100_000 : 1_000);
    }

    private static void assertSameAsUninterrupted(WorkerFixture f, String token) {
        SyncJob job = f.reload();
        assertThat(job.status()).as(job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(job.lastError()).isNull();
        assertThat(job.pages()).isEqualTo(PagedHistory.PAGES);
        assertThat(job.records()).isEqualTo(PagedHistory.TOTAL);
        assertThat(f.storedRecords("records")).isEqualTo(PagedHistory.TOTAL);
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted());
    }

    @Test
    void everyMessageDeliveredTwiceConcurrentlyAndOnceMoreLateAddsNoDuplicates() throws Exception {
        String token = "tok-prop-dup";
        WorkerFixture f = WorkerFixture.generic().connect(token, null, null, Map.of());
        PagedHistory.stub(f.h.wiremock, token);
        String queue = f.h.resources.queueUrl("SyncQueue");
        int deliveries = 0;
        int duplicatesRefused = 0;

        for (int round = 0; round < 60 && !(f.reload().status().finished() && f.queueDepth("ApproximateNumberOfMessages") == 0
                && f.queueDepth("ApproximateNumberOfMessagesNotVisible") == 0); round++) {
            List<Message> messages = StandIns.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10)
                    .waitTimeSeconds(1).visibilityTimeout(1)).messages();
            for (Message m : messages) {
                // the same message twice at the same moment (SQS's at-least-once delivery to two pollers) ...
                CountDownLatch start = new CountDownLatch(1);
                List<CompletableFuture<SQSBatchResponse>> twins = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    twins.add(CompletableFuture.supplyAsync(() -> {
                        await(start);
                        return f.handler().handleRequest(WorkerFixture.event(m), onePage());
                    }));
                }
                start.countDown();
                for (CompletableFuture<SQSBatchResponse> twin : twins) {
                    if (!twin.get(60, TimeUnit.SECONDS).getBatchItemFailures().isEmpty()) duplicatesRefused++;
                }
                // ... and once more after both (a late duplicate, e.g. a visibility timeout that ran out)
                SQSBatchResponse late = f.handler().handleRequest(WorkerFixture.event(m), onePage());
                deliveries += 3;
                if (late.getBatchItemFailures().isEmpty()) {
                    StandIns.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
                }
            }
        }

        assertThat(deliveries).isGreaterThanOrEqualTo(3 * (PagedHistory.PAGES / 2));
        assertThat(duplicatesRefused).as("a concurrent twin finds the job leased and is handed back to the queue").isPositive();
        assertSameAsUninterrupted(f, token);
        for (int page = 0; page < PagedHistory.PAGES; page++) {
            f.h.wiremock.verify(1, PagedHistory.requested(page, token)); // no page fetched twice
        }
        // a duplicate arriving after the end changes nothing
        assertThat(f.deliverJobMessage(TestContext.plenty()).getBatchItemFailures()).isEmpty();
        assertSameAsUninterrupted(f, token);
    }

    static IntStream killPoints() {
        return IntStream.range(0, PagedHistory.PAGES);
    }

    @ParameterizedTest(name = "killed after {0} pages")
    @MethodSource("killPoints")
    void killingTheWorkerAfterAnyPageAndRedeliveringEndsWithTheSameRecords(int pagesBeforeKill) {
        String token = "tok-prop-kill-" + pagesBeforeKill;
        WorkerFixture f = WorkerFixture.generic().connect(token, null, null, Map.of());
        PagedHistory.stub(f.h.wiremock, token);
        AtomicInteger checks = new AtomicInteger();
        TestContext killed = new TestContext(() -> {
            if (checks.incrementAndGet() > pagesBeforeKill) throw new IllegalStateException("simulated kill after " + pagesBeforeKill + " pages");
            return 100_000;
        });

        assertThat(f.deliver(killed).getBatchItemFailures()).hasSize(1);
        SyncJob dead = f.reload();
        assertThat(dead.status().finished()).isFalse();
        assertThat(dead.pages()).isEqualTo(pagesBeforeKill);
        assertThat(dead.records()).isEqualTo((long) pagesBeforeKill * PagedHistory.PER_PAGE);
        assertThat(f.storedRecords("records")).isEqualTo(pagesBeforeKill * PagedHistory.PER_PAGE);
        // while the dead worker's lease holds, a redelivery is handed back, not dropped
        assertThat(f.deliverJobMessage(TestContext.plenty()).getBatchItemFailures()).hasSize(1);

        f.h.clock.advance(PAST_THE_LEASE);
        f.drain(TestContext::plenty, 10);

        assertSameAsUninterrupted(f, token);
        for (int page = 0; page < PagedHistory.PAGES; page++) {
            f.h.wiremock.verify(1, PagedHistory.requested(page, token)); // resumed at the checkpoint: no page twice
        }
    }

    @Test
    void aPoisonMessageEndsInTheDlqWithTheReasonOnTheJobAndARedriveResumesFromTheCheckpoint() {
        String token = "tok-prop-dlq";
        WorkerFixture f = WorkerFixture.generic().connect(token, null, null, Map.of());
        PagedHistory.stub(f.h.wiremock, token);
        String queue = f.h.resources.queueUrl("SyncQueue");
        String dlq = f.h.resources.queueUrl("SyncDeadLetterQueue");
        AtomicInteger checks = new AtomicInteger();
        // two pages land, then every delivery crashes (a bug the provider's data triggers, say)
        TestContext poisoned = new TestContext(() -> {
            if (checks.incrementAndGet() > 2) throw new IllegalStateException("simulated poison");
            return 100_000;
        });

        int crashes = 0;
        for (int i = 0; i < 30 && queueDepth(dlq) == 0; i++) {
            SQSBatchResponse res = f.deliver(poisoned);
            crashes += res.getBatchItemFailures().size();
            f.h.clock.advance(PAST_THE_LEASE); // each crashed delivery's lease runs out before the next one
            sleep(1_100); // ElasticMQ: the visibility timeout of the crashed delivery
        }

        assertThat(crashes).isEqualTo(5); // the template's maxReceiveCount
        assertThat(queueDepth(dlq)).isEqualTo(1);
        SyncJob stuck = f.reload();
        assertThat(stuck.status().finished()).isFalse();
        assertThat(stuck.pages()).isEqualTo(2);
        assertThat(stuck.lastError()).contains("worker crashed on delivery 5").contains("simulated poison")
                .contains("dead-letter queue");

        // the bug is fixed; an operator redrives the DLQ (moves its messages back to the queue)
        for (Message m : StandIns.sqs().receiveMessage(r -> r.queueUrl(dlq).maxNumberOfMessages(10).waitTimeSeconds(1)).messages()) {
            StandIns.sqs().sendMessage(r -> r.queueUrl(queue).messageBody(m.body()));
            StandIns.sqs().deleteMessage(r -> r.queueUrl(dlq).receiptHandle(m.receiptHandle()));
        }
        f.drain(TestContext::plenty, 10);

        assertSameAsUninterrupted(f, token);
        f.h.wiremock.verify(1, PagedHistory.requested(0, token)); // resumed from the checkpoint, not from the start
        f.h.wiremock.verify(1, PagedHistory.requested(1, token));
    }

    private static int queueDepth(String url) {
        var attrs = StandIns.sqs().getQueueAttributes(r -> r.queueUrl(url)
                .attributeNamesWithStrings("ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible")).attributesAsStrings();
        return Integer.parseInt(attrs.get("ApproximateNumberOfMessages")) + Integer.parseInt(attrs.get("ApproximateNumberOfMessagesNotVisible"));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
