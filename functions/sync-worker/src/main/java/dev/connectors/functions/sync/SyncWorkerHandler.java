package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.connectors.log.Log;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;
import dev.connectors.runtime.TimeBudget;
import dev.connectors.sync.BackfillRunner;
import dev.connectors.sync.JobProcessor;
import dev.connectors.sync.JobQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Consumes sync-job messages. Reports partial batch failures: only messages that hit an unexpected
 * failure go back to the queue (and, after maxReceiveCount, to the DLQ); rate limits, continuations
 * and bounded retries are re-sent by the job processor itself.
 */
public final class SyncWorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Log LOG = Log.of(SyncWorkerHandler.class);
    /** Stop starting pages this long before the Lambda timeout: a page plus the checkpoint must fit. */
    static final long SAFETY_MARGIN_MILLIS = 25_000;

    private final Services services;
    private final Function<String, ProviderSpec> specs;

    public SyncWorkerHandler() {
        this(Priming.register(Services.fromEnvironment()));
    }

    public SyncWorkerHandler(Services services) {
        this(services, ProviderRegistry.cachedLoader());
    }

    /** For tests and the local runner: provider entries from elsewhere (e.g. rebased onto a stub). */
    public SyncWorkerHandler(Services services, Function<String, ProviderSpec> specs) {
        this.services = services;
        this.specs = specs;
    }

    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSEvent.SQSMessage> messages = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        JobProcessor processor = processor();
        for (SQSEvent.SQSMessage message : messages) {
            Log.begin(context == null ? message.getMessageId() : context.getAwsRequestId());
            Log.put("message_id", message.getMessageId());
            String jobId = JobQueue.jobId(message.getBody());
            if (jobId == null) {
                LOG.error("sync_message_unreadable"); // not ours; retrying cannot help, the DLQ keeps it
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                continue;
            }
            try {
                if (!processor.process(jobId, TimeBudget.beforeTimeout(context, SAFETY_MARGIN_MILLIS), receiveCount(message))) {
                    failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
                }
            } catch (RuntimeException e) {
                LOG.error("sync_job_crashed", "job_id", jobId, "error", e);
                failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
            }
        }
        return new SQSBatchResponse(failures);
    }

    private JobProcessor processor() {
        return new JobProcessor(services.jobStore(), services.jobQueue(), services.tokenStore(), services.tokenRefresher(),
                new BackfillRunner(services.http(), services.recordStore(), services.jobStore()),
                specs, services::providerConfig, services.clock());
    }

    /** Which delivery of the message this is (SQS's ApproximateReceiveCount); 0 when the event does not say. */
    static int receiveCount(SQSEvent.SQSMessage message) {
        Map<String, String> attributes = message.getAttributes();
        String count = attributes == null ? null : attributes.get("ApproximateReceiveCount");
        try {
            return count == null ? 0 : Integer.parseInt(count.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
