package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.DeleteMessageBatchRequestEntry;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageAttributeValue;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The SQS event source mapping of one function, done the way Lambda's poller does it: long-poll
 * batches of up to BatchSize, hide them for the function's timeout, invoke with an {@link SQSEvent},
 * then delete what succeeded. With ReportBatchItemFailures only the listed messages stay (an id that
 * is not in the batch fails the whole batch, as in Lambda); a thrown exception deletes nothing.
 * Messages that keep coming back reach the DLQ through the queue's own redrive policy.
 */
final class SqsPoller implements AutoCloseable {
    static final int WAIT_SECONDS = 2; // short long-polls, so Ctrl-C is quick

    record Source(String functionId, String queueUrl, String queueArn, int batchSize, int visibilityTimeout,
                  boolean reportsBatchItemFailures) { }

    private static final PrintStream OUT = System.out;

    private final SqsClient sqs;
    private final Source source;
    private final Function<SQSEvent, Object> function;
    private final Thread thread;
    private volatile boolean running = true;

    SqsPoller(SqsClient sqs, Source source, Function<SQSEvent, Object> function) {
        this.sqs = sqs;
        this.source = source;
        this.function = function;
        this.thread = new Thread(this::loop, "sqs-poller-" + source.functionId());
        this.thread.setDaemon(true);
    }

    SqsPoller start() {
        thread.start();
        return this;
    }

    private void loop() {
        while (running) {
            try {
                pollOnce();
            } catch (RuntimeException e) {
                if (!running) return; // the queue stopped under us during shutdown
                OUT.println("  " + source.functionId() + " poller: " + e.getMessage() + " (retrying in 1 s)");
                sleep(1000);
            }
        }
    }

    /** One receive → invoke → delete cycle; returns how many messages were received. */
    int pollOnce() {
        List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(source.queueUrl())
                .maxNumberOfMessages(Math.min(10, source.batchSize()))
                .visibilityTimeout(source.visibilityTimeout())
                .waitTimeSeconds(WAIT_SECONDS)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)
                .messageAttributeNames("All")).messages();
        if (messages.isEmpty()) return 0;
        SQSEvent event = new SQSEvent();
        event.setRecords(messages.stream().map(this::record).toList());
        Set<String> keep;
        try {
            keep = failedIds(function.apply(event), messages);
        } catch (RuntimeException e) {
            OUT.println("  " + source.functionId() + " threw " + e + ": the batch of " + messages.size()
                    + " returns to the queue after " + source.visibilityTimeout() + " s");
            return messages.size();
        }
        List<DeleteMessageBatchRequestEntry> done = messages.stream().filter(m -> !keep.contains(m.messageId()))
                .map(m -> DeleteMessageBatchRequestEntry.builder().id(m.messageId()).receiptHandle(m.receiptHandle()).build())
                .toList();
        if (!done.isEmpty()) sqs.deleteMessageBatch(r -> r.queueUrl(source.queueUrl()).entries(done));
        return messages.size();
    }

    /** Lambda's rules for a batch response: unknown or empty ids mean the whole batch failed. */
    private Set<String> failedIds(Object response, List<Message> messages) {
        Set<String> all = new HashSet<>();
        messages.forEach(m -> all.add(m.messageId()));
        if (!source.reportsBatchItemFailures() || !(response instanceof SQSBatchResponse batch) || batch.getBatchItemFailures() == null) {
            return Set.of();
        }
        Set<String> failed = new HashSet<>();
        for (SQSBatchResponse.BatchItemFailure f : batch.getBatchItemFailures()) {
            if (f == null || f.getItemIdentifier() == null || !all.contains(f.getItemIdentifier())) return all;
            failed.add(f.getItemIdentifier());
        }
        return failed;
    }

    private SQSEvent.SQSMessage record(Message m) {
        SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
        r.setMessageId(m.messageId());
        r.setReceiptHandle(m.receiptHandle());
        r.setBody(m.body());
        r.setMd5OfBody(m.md5OfBody());
        r.setMd5OfMessageAttributes(m.md5OfMessageAttributes());
        Map<String, String> attributes = new HashMap<>();
        m.attributes().forEach((k, v) -> attributes.put(k.toString(), v));
        r.setAttributes(attributes);
        Map<String, SQSEvent.MessageAttribute> messageAttributes = new HashMap<>();
        m.messageAttributes().forEach((k, v) -> messageAttributes.put(k, attribute(v)));
        r.setMessageAttributes(messageAttributes);
        r.setEventSource("aws:sqs");
        r.setEventSourceArn(source.queueArn());
        r.setAwsRegion("us-east-1");
        return r;
    }

    private static SQSEvent.MessageAttribute attribute(MessageAttributeValue v) {
        SQSEvent.MessageAttribute a = new SQSEvent.MessageAttribute();
        a.setDataType(v.dataType());
        a.setStringValue(v.stringValue());
        if (v.binaryValue() != null) a.setBinaryValue(v.binaryValue().asByteBuffer());
        return a;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        thread.join((WAIT_SECONDS + 3) * 1000L); // lets an in-flight batch finish its current step
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
