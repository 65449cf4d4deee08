package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.connectors.log.Log;
import dev.connectors.log.RequestLog;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;

import java.time.Duration;
import java.util.Map;

/** Scheduled: re-sends sync jobs whose queue message was never confirmed (SQS was down, or a crash). */
public final class JobReconcilerHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Log LOG = Log.of(JobReconcilerHandler.class);
    private static final RequestLog REQUESTS = RequestLog.of(JobReconcilerHandler.class);
    /** Younger jobs may still be mid-way through their own send. */
    static final Duration MIN_AGE = Duration.ofMinutes(2);

    private final Services services;

    public JobReconcilerHandler() {
        this(Priming.register(Services.fromEnvironment()));
    }

    public JobReconcilerHandler(Services services) {
        this.services = services;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return REQUESTS.run(context == null ? null : context.getAwsRequestId(), () -> {
            int sent = services.syncJobs().resendPending(MIN_AGE, 100);
            LOG.info("reconciler_ran", "resent", sent);
            return Map.of("resent", sent);
        });
    }
}
