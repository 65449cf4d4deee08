package dev.connectors.functions.webhooks;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.events.WebhookSignature;
import dev.connectors.log.Log;
import dev.connectors.log.RequestLog;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Delivers events from the webhook queue to the app's endpoint ({@code WEBHOOK_URL}): a POST of the event
 * JSON, signed ({@link WebhookSignature}), with {@code X-Connectors-Event-Id} for deduplication.
 * 2xx: delivered (the message is deleted, so one success is one delivery). 5xx, 408, 429, a timeout or a
 * connection failure: reported as a batch item failure, so SQS redelivers it after the visibility timeout
 * and, after maxReceiveCount, moves it to the DLQ. Any other 4xx: the app refused this event for good;
 * it is dropped with a log line. The app's endpoint never slows a callback or a worker: only this
 * function waits for it.
 */
public final class WebhookSenderHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Log LOG = Log.of(WebhookSenderHandler.class);
    private static final RequestLog REQUESTS = RequestLog.of(WebhookSenderHandler.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    private final Services services;
    private final Duration timeout;
    private final HttpClient http;

    public WebhookSenderHandler() {
        this(Priming.register(Services.fromEnvironment()), DEFAULT_TIMEOUT);
    }

    public WebhookSenderHandler(Services services) {
        this(services, DEFAULT_TIMEOUT);
    }

    public WebhookSenderHandler(Services services, Duration timeout) {
        this.services = services;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(timeout).build();
    }

    private enum Outcome { DELIVERED, RETRY, DROPPED }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSEvent.SQSMessage> messages = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        var url = services.settings().optional(Settings.WEBHOOK_URL);
        String secret = url.isPresent() ? signingSecret() : null;
        for (SQSEvent.SQSMessage message : messages) {
            // one request line per message: each has its own outcome (the batch's duration is in Lambda's REPORT line)
            Outcome outcome = REQUESTS.run(context == null ? message.getMessageId() : context.getAwsRequestId(),
                    () -> send(url, secret, message));
            if (outcome == Outcome.RETRY) failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
        }
        return new SQSBatchResponse(failures);
    }

    /** Null when missing: the messages stay in the queue (then the DLQ), never sent unsigned. */
    private String signingSecret() {
        try {
            return services.webhookSecret();
        } catch (ConnectorException e) {
            LOG.error("webhook_secret_missing", "detail", e.detail());
            return null;
        }
    }

    private Outcome send(Optional<String> url, String secret, SQSEvent.SQSMessage message) {
        Log.put("message_id", message.getMessageId());
        Outcome outcome;
        if (url.isEmpty()) {
            LOG.warn("webhook_not_configured"); // the app asked for no webhooks: nothing to retry
            outcome = Outcome.DROPPED;
        } else if (secret == null) {
            outcome = Outcome.RETRY;
        } else {
            outcome = deliver(URI.create(url.get()), secret, message);
        }
        if (outcome != Outcome.DELIVERED) RequestLog.outcome(outcome.name().toLowerCase(Locale.ROOT));
        return outcome;
    }

    private Outcome deliver(URI url, String secret, SQSEvent.SQSMessage message) {
        String body = message.getBody();
        String eventId = eventId(body);
        if (eventId == null) {
            LOG.error("webhook_message_unreadable"); // not one of ours: the DLQ keeps it for a look
            return Outcome.RETRY;
        }
        Log.put("event_id", eventId);
        long timestamp = services.clock().instant().getEpochSecond(); // signed per attempt: a retry is fresh, not a replay
        String attempt = message.getAttributes() == null ? "1" : message.getAttributes().getOrDefault("ApproximateReceiveCount", "1");
        HttpRequest request = HttpRequest.newBuilder(url).timeout(timeout)
                .header("Content-Type", "application/json")
                .header("User-Agent", "Connectors-Webhooks/1")
                .header("X-Connectors-Event-Id", eventId)
                .header("X-Connectors-Timestamp", Long.toString(timestamp))
                .header("X-Connectors-Signature", WebhookSignature.sign(secret, timestamp, body))
                .header("X-Connectors-Attempt", attempt)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        int status;
        try {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            LOG.warn("webhook_retry", "reason", e.getClass().getSimpleName(), "attempt", attempt);
            return Outcome.RETRY;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.RETRY;
        }
        if (status >= 200 && status < 300) {
            LOG.info("webhook_delivered", "status", status, "attempt", attempt);
            return Outcome.DELIVERED;
        }
        if (status >= 500 || status == 408 || status == 429) {
            LOG.warn("webhook_retry", "status", status, "attempt", attempt);
            return Outcome.RETRY;
        }
        LOG.error("webhook_dropped", "status", status, "attempt", attempt); // the app refused it for good
        return Outcome.DROPPED;
    }

    private static String eventId(String body) {
        try {
            JsonNode id = body == null ? null : JSON.readTree(body).get("id");
            return id != null && id.isTextual() && id.asText().matches("[A-Za-z0-9_-]{1,100}") ? id.asText() : null;
        } catch (IOException e) {
            return null;
        }
    }
}
