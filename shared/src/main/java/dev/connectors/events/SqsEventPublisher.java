package dev.connectors.events;

import dev.connectors.log.Log;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Puts events on the webhook queue; the webhook sender delivers them. A failed send is logged and dropped. */
public final class SqsEventPublisher implements EventPublisher {
    private static final Log LOG = Log.of(SqsEventPublisher.class);

    private final SqsClient sqs;
    private final String queueUrl;

    public SqsEventPublisher(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    @Override
    public void publish(AppEvent event) {
        try {
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(event.toJson()));
            LOG.info("event_enqueued", "event_id", event.id(), "type", event.type());
        } catch (RuntimeException e) {
            // never blocks the caller: the state itself is stored, the app can still read it from the API
            LOG.error("event_enqueue_failed", "event_id", event.id(), "type", event.type(), "error", e.getClass().getSimpleName());
        }
    }
}
