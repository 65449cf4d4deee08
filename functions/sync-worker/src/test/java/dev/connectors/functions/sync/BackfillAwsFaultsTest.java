package dev.connectors.functions.sync;

import dev.connectors.config.Settings;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.testing.FaultProxy;
import dev.connectors.testing.FaultProxy.Fault;
import dev.connectors.testing.StandIns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DynamoDB failing under a backfill step (the records write or the checkpoint write), injected by a
 * {@link FaultProxy} in front of dynalite with the errors DynamoDB sends: whatever the SDK's 3 attempts cannot
 * absorb fails the delivery, and the redelivery resumes from the last saved checkpoint, so the stored records
 * always equal an uninterrupted run's and no page is counted twice.
 */
class BackfillAwsFaultsTest {
    private static final String BATCH_WRITE = "DynamoDB_20120810.BatchWriteItem";
    private static final String PUT = "DynamoDB_20120810.PutItem";
    /** One token (one stubbed history) for every fixture here, so their records are comparable byte for byte. */
    private static final String TOKEN = "tok-aws-faults-" + UUID.randomUUID();
    private static FaultProxy proxy;
    private static Map<String, String> uninterrupted;

    @BeforeAll
    static void baseline() {
        proxy = FaultProxy.start(StandIns.dynamoEndpoint());
        WorkerFixture f = WorkerFixture.generic().connect(TOKEN, null, null, Map.of());
        GenericHistory.stub(f.h.wiremock, TOKEN);
        assertThat(f.drain(TestContext::plenty, 5).status()).isEqualTo(JobStatus.succeeded);
        uninterrupted = f.recordSet("records");
        assertThat(uninterrupted).hasSize(GenericHistory.TOTAL);
    }

    @AfterAll
    static void stop() {
        proxy.close();
    }

    /** A connected fixture whose functions reach DynamoDB through the proxy. */
    private static WorkerFixture throughProxy() {
        WorkerFixture f = WorkerFixture.generic();
        f.h.set(Settings.AWS_ENDPOINT_URL_DYNAMODB, proxy.endpoint().toString());
        return f.connect(TOKEN, null, null, Map.of());
    }

    /** The records write of the second page (its first record is rec-100) for this fixture's tenant. */
    private static Predicate<String> secondPageRecords(WorkerFixture f) {
        return body -> body.contains(f.tenant) && body.contains("\"rec-100\"");
    }

    /** The checkpoint save after the second page (cursor c3) of this fixture's job. */
    private static Predicate<String> checkpointAfterSecondPage(WorkerFixture f) {
        return body -> body.contains(f.job.jobId()) && body.contains("\"cp_cursor\":{\"S\":\"c3\"}");
    }

    @Test
    void throttlingTheSdkAbsorbsCostsNothing() {
        WorkerFixture f = throughProxy();
        FaultProxy.Rule throttled = proxy.fail(BATCH_WRITE, secondPageRecords(f), 2, Fault.dynamoThroughputExceeded());

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        assertThat(job.status()).isEqualTo(JobStatus.succeeded);
        assertThat(job.attempts()).isZero(); // the SDK's third attempt went through: no failed delivery
        assertThat(throttled.injected()).isEqualTo(2);
        assertThat(proxy.count(BATCH_WRITE, secondPageRecords(f))).isEqualTo(3);
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted);
    }

    @Test
    void aRecordsWriteThatKeepsFailingIsRetriedByRedeliveryWithoutSkippingThePage() {
        WorkerFixture f = throughProxy();
        proxy.fail(BATCH_WRITE, secondPageRecords(f), 3, Fault.dynamoThroughputExceeded()); // all 3 SDK attempts

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty(); // handled: re-sent with a delay
        SyncJob afterFault = f.reload();
        assertThat(afterFault.status()).isEqualTo(JobStatus.running);
        assertThat(afterFault.attempts()).isEqualTo(1);
        assertThat(afterFault.lastError()).contains("storage_unavailable");
        assertThat(afterFault.checkpoint().cursor()).isEqualTo("c2"); // page 2 not checkpointed: it will be fetched again
        assertThat(afterFault.pages()).isEqualTo(1);

        f.deliverJobMessage(TestContext.plenty()); // the delayed re-send arrives

        SyncJob done = f.reload();
        assertThat(done.status()).isEqualTo(JobStatus.succeeded);
        assertThat(done.pages()).isEqualTo(3);
        assertThat(done.records()).isEqualTo(GenericHistory.TOTAL);
        assertThat(proxy.count(BATCH_WRITE, secondPageRecords(f))).isEqualTo(4);
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted);
    }

    @Test
    void aCheckpointWriteThatFailsRefetchesThePageInsteadOfSkippingIt() {
        WorkerFixture f = throughProxy();
        f.h.wiremock.resetRequests();
        FaultProxy.Rule outage = proxy.fail(PUT, checkpointAfterSecondPage(f), 3, Fault.dynamoInternalError());

        f.deliver(TestContext.plenty());
        SyncJob afterFault = f.reload();
        assertThat(outage.injected()).isEqualTo(3);
        assertThat(afterFault.status()).isEqualTo(JobStatus.running);
        assertThat(afterFault.checkpoint().cursor()).isEqualTo("c2");

        f.deliverJobMessage(TestContext.plenty());

        SyncJob done = f.reload();
        assertThat(done.status()).isEqualTo(JobStatus.succeeded);
        assertThat(done.records()).isEqualTo(GenericHistory.TOTAL); // page 2 counted once although written twice
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted);
        f.h.wiremock.verify(2, getRequestedFor(urlPathEqualTo(GenericHistory.PATH)).withQueryParam("cursor", equalTo("c2")));
    }

    @Test
    void aStorageOutageDuringTheFailureSaveLeavesTheMessageForRedelivery() {
        WorkerFixture f = throughProxy();
        // every write of this job fails from the checkpoint of page 2 on: the worker cannot even record the failure
        Predicate<String> failedAttemptSave = body -> body.contains(f.job.jobId()) && body.contains("\"attempts\":{\"N\":\"1\"}");
        FaultProxy.Rule outage = proxy.fail(PUT, checkpointAfterSecondPage(f).or(failedAttemptSave), -1, Fault.dynamoUnavailable());
        try {
            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).hasSize(1); // back to the queue
        } finally {
            outage.stop();
        }
        SyncJob afterOutage = f.reload();
        assertThat(afterOutage.checkpoint().cursor()).isEqualTo("c2");
        assertThat(afterOutage.records()).isEqualTo(100);

        // the outage is over; the redelivery waits for the dead delivery's lease, as after a crash
        f.h.clock.advance(dev.connectors.sync.JobStore.LEASE.plusSeconds(1));
        f.deliverJobMessage(TestContext.plenty());

        SyncJob done = f.reload();
        assertThat(done.status()).isEqualTo(JobStatus.succeeded);
        assertThat(done.records()).isEqualTo(GenericHistory.TOTAL);
        assertThat(f.recordSet("records")).isEqualTo(uninterrupted);
    }
}
