package dev.connectors.functions.webhooks;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.config.Settings;
import dev.connectors.events.AppEvent;
import dev.connectors.events.JobEvents;
import dev.connectors.http.ProviderHttp;
import dev.connectors.runtime.Services;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.Telemetry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The webhook sender writes one request line per message of a batch, each with what became of it. */
class WebhookRequestLineTest {
    static {
        LogCapture.install();
    }

    @Test
    void eachMessageOfABatchHasItsOwnLineAndOutcome() {
        Harness h = Harness.forFunction("WebhookSenderFunction");
        String path = "/app/webhooks/" + UUID.randomUUID();
        WebhookSenderHandler sender = new WebhookSenderHandler(new Services(h.settings().with(Settings.WEBHOOK_URL,
                h.wiremock.baseUrl() + path), h.clock, ProviderHttp.defaults()), Duration.ofMillis(800));
        AppEvent delivered = JobEvents.active("tenant-1", "slack", "user-1", "job_1", h.clock);
        AppEvent refused = JobEvents.active("tenant-2", "slack", "user-2", "job_2", h.clock);
        h.wiremock.stubFor(post(urlPathEqualTo(path)).withRequestBody(containing(delivered.id())).willReturn(aResponse().withStatus(204)));
        h.wiremock.stubFor(post(urlPathEqualTo(path)).withRequestBody(containing(refused.id())).willReturn(aResponse().withStatus(503)));
        SQSEvent batch = new SQSEvent();
        batch.setRecords(List.of(message(delivered), message(refused)));
        LogCapture.clear();

        assertThat(sender.handleRequest(batch, null).getBatchItemFailures()).hasSize(1);

        JsonNode ok = only(batch.getRecords().get(0).getMessageId());
        JsonNode retry = only(batch.getRecords().get(1).getMessageId());
        assertThat(ok.get("outcome").asText()).isEqualTo("ok");
        assertThat(ok.get("event_id").asText()).isEqualTo(delivered.id());
        assertThat(retry.get("outcome").asText()).isEqualTo("retry");
        assertThat(retry.get("event_id").asText()).isEqualTo(refused.id());
        assertThat(Telemetry.requests()).hasSize(2);
        assertThat(LogCapture.all()).doesNotContain(Harness.WEBHOOK_SECRET);
    }

    private static SQSEvent.SQSMessage message(AppEvent event) {
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(UUID.randomUUID().toString());
        m.setBody(event.toJson());
        m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
        return m;
    }

    /** Without a Lambda context the message id is the request id. */
    private static JsonNode only(String messageId) {
        List<JsonNode> lines = Telemetry.requests(messageId);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("logger").asText()).isEqualTo("WebhookSenderHandler");
        assertThat(lines.get(0).get("message_id").asText()).isEqualTo(messageId);
        assertThat(lines.get(0).get("duration_ms").isIntegralNumber()).isTrue();
        return lines.get(0);
    }
}
