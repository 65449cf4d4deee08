package dev.connectors.runtime;

import com.amazonaws.services.lambda.runtime.Context;

import java.util.function.BooleanSupplier;

/** "Is there still time to start one more unit of work?" for a Lambda invocation. */
public final class TimeBudget {
    private static final long WITHOUT_CONTEXT_MILLIS = 60_000;

    private TimeBudget() {
    }

    /** True while more than {@code marginMillis} remain; without a context (local calls), for one minute. */
    public static BooleanSupplier beforeTimeout(Context context, long marginMillis) {
        if (context == null) {
            long deadline = System.currentTimeMillis() + WITHOUT_CONTEXT_MILLIS;
            return () -> System.currentTimeMillis() < deadline;
        }
        return () -> context.getRemainingTimeInMillis() > marginMillis;
    }
}
