package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.connectors.sync.JobProcessor;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The worker against the stand-ins and WireMock: backfill, checkpoints, redelivery, rate limits, refresh. */
class SyncWorkerTest {

    @Test
    void threeMonthsOfPagedHistoryLandInTheRecordsTable() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-a", "ref-a", null, Map.of());
        GenericHistory.stub(f.h.wiremock, "tok-a");

        SQSBatchResponse res = f.deliver(TestContext.plenty());

        assertThat(res.getBatchItemFailures()).isEmpty();
        SyncJob job = f.reload();
        assertThat(job.status()).isEqualTo(JobStatus.succeeded);
        assertThat(job.pages()).isEqualTo(3);
        assertThat(job.records()).isEqualTo(GenericHistory.TOTAL);
        assertThat(f.storedRecords("records")).isEqualTo(GenericHistory.TOTAL);
        var stored = f.services().recordStore().get(f.tenant, "generic", "records", "rec-42").orElseThrow();
        assertThat(stored.get("payload").s()).contains("\"Record 42\"");
        assertThat(stored.get("job_id").s()).isEqualTo(job.jobId());
    }

    @Test
    void runningOutOfTimeCheckpointsAndTheNextInvocationResumes() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-b", null, null, Map.of());
        GenericHistory.stub(f.h.wiremock, "tok-b");
        f.h.wiremock.resetRequests();
        AtomicInteger checks = new AtomicInteger();
        // enough time for two pages, then the Lambda is about to time out
        TestContext shortLived = new TestContext(() -> checks.incrementAndGet() <= 2 ? 100_000 : 1_000);

        assertThat(f.deliver(shortLived).getBatchItemFailures()).isEmpty();
        SyncJob paused = f.reload();
        assertThat(paused.status()).isEqualTo(JobStatus.running);
        assertThat(paused.pages()).isEqualTo(2);
        assertThat(paused.checkpoint().cursor()).isEqualTo("c3");
        assertThat(f.queueDepth("ApproximateNumberOfMessages")).isEqualTo(1); // the continuation

        f.deliver(TestContext.plenty());

        assertThat(f.reload().status()).isEqualTo(JobStatus.succeeded);
        assertThat(f.storedRecords("records")).isEqualTo(GenericHistory.TOTAL);
        f.h.wiremock.verify(1, getRequestedFor(urlPathEqualTo(GenericHistory.PATH)).withQueryParam("cursor", absent()));
        f.h.wiremock.verify(1, getRequestedFor(urlPathEqualTo(GenericHistory.PATH)).withQueryParam("cursor", equalTo("c2")));
    }

    @Test
    void aCrashMidWayResumesFromTheCheckpointAfterTheLeaseRunsOut() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-c", null, null, Map.of());
        GenericHistory.stub(f.h.wiremock, "tok-c");
        f.h.wiremock.resetRequests();
        AtomicInteger checks = new AtomicInteger();
        TestContext crashing = new TestContext(() -> {
            if (checks.incrementAndGet() > 2) throw new IllegalStateException("simulated crash: Lambda killed");
            return 100_000;
        });

        SQSBatchResponse crashed = f.deliver(crashing);
        assertThat(crashed.getBatchItemFailures()).hasSize(1); // back to the queue for redelivery
        assertThat(f.reload().checkpoint().cursor()).isEqualTo("c3");

        // the redelivery arrives while the dead worker's lease still holds: it waits (not dropped)
        assertThat(f.deliverJobMessage(TestContext.plenty()).getBatchItemFailures()).hasSize(1);
        f.h.clock.advance(Duration.ofMinutes(6));
        assertThat(f.deliverJobMessage(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        assertThat(f.reload().status()).isEqualTo(JobStatus.succeeded);
        assertThat(f.storedRecords("records")).isEqualTo(GenericHistory.TOTAL);
        f.h.wiremock.verify(1, getRequestedFor(urlPathEqualTo(GenericHistory.PATH)).withQueryParam("cursor", absent()));
    }

    @Test
    void aRedeliveredMessageAddsNoDuplicates() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-d", null, null, Map.of());
        GenericHistory.stub(f.h.wiremock, "tok-d");
        f.deliver(TestContext.plenty());
        f.h.wiremock.resetRequests();

        SQSBatchResponse again = f.deliverJobMessage(TestContext.plenty());

        assertThat(again.getBatchItemFailures()).isEmpty();
        assertThat(f.storedRecords("records")).isEqualTo(GenericHistory.TOTAL);
        assertThat(f.reload().records()).isEqualTo(GenericHistory.TOTAL);
        f.h.wiremock.verify(0, getRequestedFor(urlPathEqualTo(GenericHistory.PATH)));
    }

    @Test
    void pagesWrittenTwiceAfterACrashBeforeTheCheckpointStayUnique() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-e", null, null, Map.of());
        var records = f.services().recordStore();
        var page = java.util.List.of(new dev.connectors.sync.SyncRecord("r1", Instant.now(), "{}"),
                new dev.connectors.sync.SyncRecord("r2", Instant.now(), "{}"));
        records.upsert(f.tenant, "generic", "records", f.job.jobId(), page);
        records.upsert(f.tenant, "generic", "records", f.job.jobId(), page);
        assertThat(f.storedRecords("records")).isEqualTo(2);
    }

    @Test
    void rateLimitingDelaysTheJobInsteadOfFailingIt() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-f", null, null, Map.of());
        GenericHistory.stub(f.h.wiremock, "tok-f");
        f.h.wiremock.stubFor(GenericHistory.page("c2", "tok-f")
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7").withBody("{\"error\":\"slow down\"}")));

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        assertThat(job.status()).isEqualTo(JobStatus.running);
        assertThat(job.attempts()).isZero();
        assertThat(job.checkpoint().cursor()).isEqualTo("c2");
        assertThat(f.queueDepth("ApproximateNumberOfMessagesDelayed")).isEqualTo(1);
    }

    @Test
    void a401RefreshesOnceAndContinuesWithTheNewToken() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-old", "ref-old", Instant.now().plusSeconds(3600), Map.of());
        f.h.wiremock.stubFor(get(urlPathEqualTo(GenericHistory.PATH)).withHeader("Authorization", equalTo("Bearer tok-old"))
                .willReturn(aResponse().withStatus(401).withBody("{\"error\":\"invalid_token\"}")));
        f.h.wiremock.stubFor(post(urlEqualTo("/generic/token")).withRequestBody(containing("refresh_token=ref-old"))
                .willReturn(okJson("{\"access_token\":\"tok-new\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        GenericHistory.stub(f.h.wiremock, "tok-new");

        f.deliver(TestContext.plenty());

        assertThat(f.reload().status()).isEqualTo(JobStatus.succeeded);
        Connection c = f.services().tokenStore().get(f.tenant, "generic").orElseThrow();
        assertThat(c.accessToken()).isEqualTo("tok-new");
        assertThat(c.refreshToken()).isEqualTo("ref-old"); // no new refresh token sent: the old one is kept
    }

    @Test
    void a401ThatRefreshCannotFixMarksTheConnectionNeedsReauth() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-x", "ref-x", null, Map.of());
        f.h.wiremock.stubFor(get(urlPathEqualTo(GenericHistory.PATH)).withHeader("Authorization", equalTo("Bearer tok-x"))
                .willReturn(aResponse().withStatus(401)));
        f.h.wiremock.stubFor(post(urlEqualTo("/generic/token")).withRequestBody(containing("refresh_token=ref-x"))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\"}")));

        f.deliver(TestContext.plenty());

        assertThat(f.reload().status()).isEqualTo(JobStatus.needs_reauth);
        assertThat(f.services().tokenStore().get(f.tenant, "generic").orElseThrow().status()).isEqualTo(ConnectionStatus.needs_reauth);
    }

    @Test
    void aProviderThatKeepsFailingFailsTheJobWithAReadableReasonAfterBoundedAttempts() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-g", null, null, Map.of());
        f.h.wiremock.stubFor(get(urlPathEqualTo(GenericHistory.PATH)).withHeader("Authorization", equalTo("Bearer tok-g"))
                .willReturn(aResponse().withStatus(503).withHeader("Content-Type", "text/html")
                        .withBody("<html><head><title>Down for maintenance</title></head></html>")));

        for (int i = 0; i < JobProcessor.MAX_ATTEMPTS; i++) {
            assertThat(f.deliverJobMessage(TestContext.plenty()).getBatchItemFailures()).isEmpty();
        }

        SyncJob job = f.reload();
        assertThat(job.status()).isEqualTo(JobStatus.failed);
        assertThat(job.attempts()).isEqualTo(JobProcessor.MAX_ATTEMPTS);
        assertThat(job.lastError()).contains("provider_html_error").contains("Down for maintenance");
    }

    @Test
    void anUnreadableMessageIsReportedAsABatchItemFailure() {
        WorkerFixture f = WorkerFixture.generic();
        var event = new com.amazonaws.services.lambda.runtime.events.SQSEvent();
        var m = new com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage();
        m.setMessageId("m-1");
        m.setBody("not json at all");
        event.setRecords(java.util.List.of(m));
        assertThat(f.handler().handleRequest(event, TestContext.plenty()).getBatchItemFailures())
                .extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier).containsExactly("m-1");
    }

    @Test
    void aMissingProviderSecretCountsAsAFailedAttemptNotACrash() {
        WorkerFixture f = new WorkerFixture("gitlab", Map.of()).connect("tok-h", null, null, Map.of());
        dev.connectors.testing.WireMockStandIn.stubSecretNotFound(f.h.wiremock, f.h.secretId("gitlab"));

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.lastError()).contains("not_configured");
        assertThat(job.status().finished()).isFalse();
    }

    @Test
    void aRejectedAppCredentialDuringRefreshIsRetriedAndNeverMarksTheUsersConnection() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-ic", "ref-ic", null, Map.of());
        f.h.wiremock.stubFor(get(urlPathEqualTo(GenericHistory.PATH)).withHeader("Authorization", equalTo("Bearer tok-ic"))
                .willReturn(aResponse().withStatus(401)));
        f.h.wiremock.stubFor(post(urlEqualTo("/generic/token")).withRequestBody(containing("refresh_token=ref-ic"))
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_client\"}")));

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        assertThat(job.status().finished()).isFalse();
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.lastError()).startsWith("invalid_client");
        assertThat(f.services().tokenStore().get(f.tenant, "generic").orElseThrow().status()).isEqualTo(ConnectionStatus.active);
    }

    @Test
    void aTokenRefreshedBeforeExpiryIsNotRefreshedAgainOnA401InTheSameDelivery() {
        WorkerFixture f = WorkerFixture.generic().connect("tok-exp", "ref-exp", Instant.now().plusSeconds(20), Map.of());
        f.h.wiremock.stubFor(post(urlEqualTo("/generic/token")).withRequestBody(containing("refresh_token=ref-exp"))
                .willReturn(okJson("{\"access_token\":\"tok-exp-2\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"refresh_token\":\"ref-exp-2\"}")));
        f.h.wiremock.stubFor(get(urlPathEqualTo(GenericHistory.PATH)).willReturn(aResponse().withStatus(401)));
        RequestLog log = RequestLog.from(f.h.wiremock);

        f.deliver(TestContext.plenty());

        assertThat(log.under("/generic/token")).hasSize(1); // the rotated refresh token is spent once
        assertThat(f.reload().status()).isEqualTo(JobStatus.needs_reauth);
        assertThat(f.services().tokenStore().get(f.tenant, "generic").orElseThrow().refreshToken()).isEqualTo("ref-exp-2");
    }
}
