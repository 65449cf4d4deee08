package dev.connectors.functions.webhooks;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.aws.AwsClients;
import dev.connectors.config.Settings;
import dev.connectors.events.AppEvent;
import dev.connectors.events.JobEvents;
import dev.connectors.events.SqsEventPublisher;
import dev.connectors.events.WebhookSignature;
import dev.connectors.runtime.Services;
import dev.connectors.http.ProviderHttp;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** Webhook delivery against WireMock (the app) and ElasticMQ (the webhook queue, created from template.yaml). */
class WebhookSenderTest {
    private static Harness h;

    static {
        LogCapture.install();
    }

    private String path;
    private WebhookSenderHandler sender;

    @BeforeAll
    static void harness() {
        h = Harness.forFunction("WebhookSenderFunction");
    }

    @BeforeEach
    void endpoint() {
        LogCapture.clear();
        path = "/app/webhooks/" + UUID.randomUUID();
        Services services = new Services(h.settings().with(Settings.WEBHOOK_URL, h.wiremock.baseUrl() + path),
                h.clock, ProviderHttp.defaults());
        sender = new WebhookSenderHandler(services, Duration.ofMillis(800));
    }

    @Test
    void theDeliveryIsSignedSoTheAppCanVerifyItAndCarriesTheEventId() throws Exception {
        h.wiremock.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(204)));
        AppEvent event = JobEvents.active("tenant-1", "slack", "user-1", "job_1", h.clock);

        assertThat(sender.handleRequest(batch(event.toJson()), null).getBatchItemFailures()).isEmpty();

        LoggedRequest req = h.wiremock.findAll(postRequestedFor(urlPathEqualTo(path))).get(0);
        String body = req.getBodyAsString();
        String ts = req.getHeader("X-Connectors-Timestamp");
        String sig = req.getHeader("X-Connectors-Signature");
        assertThat(body).isEqualTo(event.toJson());
        assertThat(req.getHeader("X-Connectors-Event-Id")).isEqualTo(event.id());
        assertThat(req.getHeader("Content-Type")).startsWith("application/json");
        // what the app does, written out without our classes: HMAC-SHA256(secret, "<timestamp>.<body>") in hex
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Harness.WEBHOOK_SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String expected = "v1=" + HexFormat.of().formatHex(mac.doFinal((ts + "." + body).getBytes(StandardCharsets.UTF_8)));
        assertThat(sig).isEqualTo(expected);
        assertThat(WebhookSignature.verify(Harness.WEBHOOK_SECRET, ts, sig, body, h.clock.instant(), Duration.ofMinutes(5))).isTrue();
        // a changed body, another secret or an old timestamp (a replay) do not verify
        assertThat(WebhookSignature.verify(Harness.WEBHOOK_SECRET, ts, sig, body.replace("slack", "gitlab"), h.clock.instant(), Duration.ofMinutes(5))).isFalse();
        assertThat(WebhookSignature.verify("another-secret-0123456789", ts, sig, body, h.clock.instant(), Duration.ofMinutes(5))).isFalse();
        assertThat(WebhookSignature.verify(Harness.WEBHOOK_SECRET, ts, sig, body, h.clock.instant().plus(Duration.ofMinutes(10)), Duration.ofMinutes(5))).isFalse();
        assertThat(LogCapture.all()).doesNotContain(Harness.WEBHOOK_SECRET).doesNotContain(sig);
    }

    @Test
    void a500IsRetriedThroughTheQueueAndDeliveredOnceWhenTheAppRecovers() {
        h.wiremock.stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs(Scenario.STARTED)
                .willReturn(aResponse().withStatus(500)).willSetStateTo("up"));
        h.wiremock.stubFor(post(urlPathEqualTo(path)).inScenario(path).whenScenarioStateIs("up")
                .willReturn(aResponse().withStatus(200)));
        String queue = publish(JobEvents.needsReauth("tenant-2", "gitlab", h.clock));

        assertThat(pollOnce(queue)).as("first attempt: 500, left on the queue").isEqualTo(1);
        assertThat(pollOnce(queue)).as("second attempt: delivered").isZero();
        assertThat(pollOnce(queue)).as("nothing left: no duplicate").isZero();

        List<LoggedRequest> requests = h.wiremock.findAll(postRequestedFor(urlPathEqualTo(path)));
        assertThat(requests).hasSize(2);
        assertThat(requests.get(0).getHeader("X-Connectors-Event-Id")).isEqualTo(requests.get(1).getHeader("X-Connectors-Event-Id"));
        assertThat(requests.get(1).getHeader("X-Connectors-Attempt")).isEqualTo("2");
    }

    @Test
    void aTimeoutIsRetried() {
        h.wiremock.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200).withFixedDelay(2_000)));
        SQSEvent batch = batch(JobEvents.needsReauth("tenant-3", "gitlab", h.clock).toJson());
        SQSBatchResponse response = sender.handleRequest(batch, null);
        assertThat(response.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(batch.getRecords().get(0).getMessageId());
        assertThat(LogCapture.all()).contains("webhook_retry");
    }

    @Test
    void a4xxIsDroppedExcept408And429() {
        for (int status : new int[]{400, 401, 404, 410, 422}) {
            h.wiremock.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(status)));
            assertThat(sender.handleRequest(batch(JobEvents.needsReauth("t", "gitlab", h.clock).toJson()), null)
                    .getBatchItemFailures()).as("HTTP %d", status).isEmpty();
        }
        assertThat(LogCapture.all()).contains("webhook_dropped");
        for (int status : new int[]{408, 429, 502, 503}) {
            h.wiremock.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(status)));
            assertThat(sender.handleRequest(batch(JobEvents.needsReauth("t", "gitlab", h.clock).toJson()), null)
                    .getBatchItemFailures()).as("HTTP %d", status).hasSize(1);
        }
    }

    @Test
    void oneFailingDeliveryDoesNotRedeliverTheOthersOfItsBatch() {
        h.wiremock.stubFor(post(urlPathEqualTo(path)).willReturn(aResponse().withStatus(200)));
        h.wiremock.stubFor(post(urlPathEqualTo(path)).withRequestBody(containing("tenant-bad")).willReturn(aResponse().withStatus(503)));
        SQSEvent batch = batch(JobEvents.needsReauth("tenant-ok", "gitlab", h.clock).toJson(),
                JobEvents.needsReauth("tenant-bad", "gitlab", h.clock).toJson(), "not an event");
        List<String> failed = sender.handleRequest(batch, null).getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
        assertThat(failed).containsExactlyInAnyOrder(batch.getRecords().get(1).getMessageId(), batch.getRecords().get(2).getMessageId());
    }

    // ================================================================ helpers

    private static SQSEvent batch(String... bodies) {
        SQSEvent event = new SQSEvent();
        event.setRecords(java.util.Arrays.stream(bodies).map(b -> {
            SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
            m.setMessageId(UUID.randomUUID().toString());
            m.setBody(b);
            m.setAttributes(Map.of("ApproximateReceiveCount", "1"));
            return m;
        }).toList());
        return event;
    }

    /** Sends through the real publisher onto the template's WebhookQueue (one per harness). */
    private String publish(AppEvent event) {
        String queue = h.settings().require(Settings.WEBHOOK_QUEUE_URL);
        new SqsEventPublisher(sqs(), queue).publish(event);
        return queue;
    }

    /** One receive → handler → delete round, as Lambda's event source does it; returns the messages left in flight. */
    private int pollOnce(String queue) {
        SqsClient sqs = sqs();
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT)).messages();
        SQSEvent event = new SQSEvent();
        event.setRecords(messages.stream().map(m -> {
            SQSEvent.SQSMessage s = new SQSEvent.SQSMessage();
            s.setMessageId(m.messageId());
            s.setBody(m.body());
            s.setAttributes(Map.of("ApproximateReceiveCount", m.attributes().getOrDefault(MessageSystemAttributeName.APPROXIMATE_RECEIVE_COUNT, "1")));
            return s;
        }).toList());
        List<String> failed = sender.handleRequest(event, null).getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
        for (Message m : messages) {
            if (failed.contains(m.messageId())) {
                sqs.changeMessageVisibility(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()).visibilityTimeout(0)); // "after the visibility timeout"
            } else {
                sqs.deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle()));
            }
        }
        return failed.size();
    }

    private static SqsClient sqs() {
        return new AwsClients(h.settings()).sqs();
    }
}
