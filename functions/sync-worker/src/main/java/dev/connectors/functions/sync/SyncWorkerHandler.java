package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.log.Log;
import dev.connectors.log.RequestLog;
import dev.connectors.oauth.TokenRescue;
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
 * Consumes sync-job messages, and token rescues (rotated tokens a refresh could not store: {@link TokenRescue}).
 * Reports partial batch failures: only messages that hit an unexpected failure go back to the queue (and, after
 * maxReceiveCount, to the DLQ); rate limits, continuations and bounded retries are re-sent by the job processor
 * itself. A rescue goes back while DynamoDB still fails.
 */
public final class SyncWorkerHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {
    private static final Log LOG = Log.of(SyncWorkerHandler.class);
    private static final RequestLog REQUESTS = RequestLog.of(SyncWorkerHandler.class);
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
            // one request line per message: each job has its own tenant, provider and outcome
            boolean handled = REQUESTS.run(context == null ? message.getMessageId() : context.getAwsRequestId(),
                    () -> handle(processor, message, context));
            if (!handled) failures.add(new SQSBatchResponse.BatchItemFailure(message.getMessageId()));
        }
        return new SQSBatchResponse(failures);
    }

    /** @return false when the message goes back to the queue */
    private boolean handle(JobProcessor processor, SQSEvent.SQSMessage message, Context context) {
        Log.put("message_id", message.getMessageId());
        if (TokenRescue.isRescue(message.getBody())) return rescue(message.getBody());
        String jobId = JobQueue.jobId(message.getBody());
        if (jobId == null) {
            LOG.error("sync_message_unreadable"); // not ours; retrying cannot help, the DLQ keeps it
            RequestLog.outcome("unreadable_message");
            return false;
        }
        try {
            if (processor.process(jobId, JobQueue.step(message.getBody()), TimeBudget.beforeTimeout(context, SAFETY_MARGIN_MILLIS),
                    receiveCount(message))) return true;
            RequestLog.outcome("retry");
            return false;
        } catch (RuntimeException e) {
            LOG.error("sync_job_crashed", "job_id", jobId, "error", e);
            RequestLog.outcome(ErrorCode.INTERNAL_ERROR.code());
            return false;
        }
    }

    /** @return false while the rescue cannot be applied yet (DynamoDB failing) or cannot be read (kept in the DLQ) */
    private boolean rescue(String body) {
        try {
            TokenRescue.Outcome outcome = services.tokenRescue().apply(body);
            if (outcome != TokenRescue.Outcome.unreadable) return true;
            RequestLog.outcome("unreadable_message");
        } catch (ConnectorException e) {
            LOG.warn("token_rescue_retry", "error_code", e.code().code());
            RequestLog.outcome(e.code().code());
        } catch (RuntimeException e) {
            LOG.error("token_rescue_crashed", "error", e);
            RequestLog.outcome(ErrorCode.INTERNAL_ERROR.code());
        }
        return false;
    }

    private JobProcessor processor() {
        return new JobProcessor(services.jobStore(), services.jobQueue(), services.tokenStore(), services.tokenRefresher(),
                new BackfillRunner(services.http(), services.recordStore(), services.jobStore()),
                specs, services::providerConfig, services.clock(), services.connectionSlots());
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
