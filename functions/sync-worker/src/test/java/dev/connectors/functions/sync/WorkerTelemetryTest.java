package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.Telemetry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the sync worker and the reconciler tell operators: one request line per SQS message (outcome, duration,
 * tenant, provider, job) and the backfill and 429 metrics, against the stand-ins and WireMock.
 */
class WorkerTelemetryTest {
    static {
        LogCapture.install();
    }

    @BeforeEach
    void clear() {
        LogCapture.clear();
    }

    @Test
    void aBackfillCountsItsPagesAndRecordsAndLogsOneLinePerMessage() {
        String token = "tok-telemetry-" + UUID.randomUUID();
        WorkerFixture f = WorkerFixture.generic().connect(token, null, null, Map.of());
        GenericHistory.stub(f.h.wiremock, token);
        TestContext context = TestContext.plenty();
        LogCapture.clear();

        assertThat(f.deliver(context).getBatchItemFailures()).isEmpty();

        JsonNode line = only(context);
        assertThat(line.get("outcome").asText()).isEqualTo("ok");
        assertThat(line.get("tenant").asText()).isEqualTo(f.tenant);
        assertThat(line.get("provider").asText()).isEqualTo("generic");
        assertThat(line.get("job_id").asText()).isEqualTo(f.job.jobId());
        assertThat(line.get("message_id").asText()).isNotBlank();
        assertThat(Telemetry.sum("BackfillPages", Map.of("Provider", "generic"))).isEqualTo(3);
        assertThat(Telemetry.sum("BackfillRecords", Map.of("Provider", "generic"))).isEqualTo(GenericHistory.TOTAL);
        assertThat(Telemetry.metricDocuments()).allSatisfy(doc -> {
            assertThat(doc.get("request_id").asText()).isEqualTo(context.getAwsRequestId());
            assertThat(doc.toString()).doesNotContain(f.tenant).doesNotContain(token);
        });
        assertThat(LogCapture.all()).doesNotContain(token);
    }

    @Test
    void aProvider429IsCountedAndTheDelayedMessageIsStillHandled() {
        String token = "tok-telemetry-429-" + UUID.randomUUID();
        WorkerFixture f = WorkerFixture.generic().connect(token, null, null, Map.of());
        GenericHistory.stub(f.h.wiremock, token);
        f.h.wiremock.stubFor(GenericHistory.page("c2", token)
                .willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7").withBody("{\"error\":\"slow down\"}")));
        TestContext context = TestContext.plenty();
        LogCapture.clear();

        assertThat(f.deliver(context).getBatchItemFailures()).isEmpty();

        assertThat(Telemetry.sum("ProviderRateLimited", Map.of("Provider", "generic"))).isEqualTo(1);
        assertThat(Telemetry.sum("BackfillPages", Map.of("Provider", "generic"))).isEqualTo(1);
        assertThat(only(context).get("outcome").asText()).isEqualTo("ok"); // delayed through the queue, not failed
    }

    @Test
    void aMessageThatGoesBackToTheQueueSaysWhy() {
        SQSEvent event = new SQSEvent();
        SQSEvent.SQSMessage unreadable = new SQSEvent.SQSMessage();
        unreadable.setMessageId(UUID.randomUUID().toString());
        unreadable.setBody("not a job");
        event.setRecords(List.of(unreadable));
        WorkerFixture f = WorkerFixture.generic();
        TestContext context = TestContext.plenty();

        assertThat(f.handler().handleRequest(event, context).getBatchItemFailures()).hasSize(1);

        JsonNode line = only(context);
        assertThat(line.get("outcome").asText()).isEqualTo("unreadable_message");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
    }

    @Test
    void aCrashingDeliveryIsAnInternalErrorLine() {
        String token = "tok-telemetry-crash-" + UUID.randomUUID();
        WorkerFixture f = WorkerFixture.generic().connect(token, null, null, Map.of());
        GenericHistory.stub(f.h.wiremock, token);
        TestContext crashing = new TestContext(() -> {
            throw new IllegalStateException("simulated crash");
        });
        LogCapture.clear();

        assertThat(f.deliver(crashing).getBatchItemFailures()).hasSize(1);

        JsonNode line = only(crashing);
        assertThat(line.get("outcome").asText()).isEqualTo("internal_error");
        assertThat(line.get("level").asText()).isEqualTo("ERROR");
    }

    @Test
    void theReconcilerLogsOneLinePerRun() {
        WorkerFixture f = WorkerFixture.generic();
        TestContext context = TestContext.plenty();

        Map<String, Object> out = new JobReconcilerHandler(f.services()).handleRequest(Map.of(), context);

        assertThat(out).containsKey("resent");
        JsonNode line = only(context);
        assertThat(line.get("logger").asText()).isEqualTo("JobReconcilerHandler");
        assertThat(line.get("outcome").asText()).isEqualTo("ok");
        assertThat(line.has("status")).isFalse();
    }

    private static JsonNode only(TestContext context) {
        List<JsonNode> lines = Telemetry.requests(context.getAwsRequestId());
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("duration_ms").isIntegralNumber()).isTrue();
        return lines.get(0);
    }
}
