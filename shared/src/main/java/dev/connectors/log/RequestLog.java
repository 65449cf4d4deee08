package dev.connectors.log;

import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * The one summary line each unit of work ends with (an API request, one SQS message, a scheduled run):
 * {@code "event":"request"} with its outcome, the HTTP status where there is one, and the duration, beside
 * the {@link Log} context the work filled in (request id, tenant, provider, job id). Outcome is {@code ok}
 * unless the work said otherwise ({@link #outcome}: an error code, or what became of a message); an
 * exception that escapes is {@code internal_error}.
 */
public final class RequestLog {
    private static final ThreadLocal<String> OUTCOME = new ThreadLocal<>();
    static final String OK = "ok";
    static final String CRASHED = "internal_error";

    private final Log log;

    private RequestLog(Log log) {
        this.log = log;
    }

    /** Lines are written under the handler's name, so one runtime serving several functions stays readable. */
    public static RequestLog of(Class<?> handler) {
        return new RequestLog(Log.of(handler));
    }

    /** Runs work without an HTTP status (an SQS message, a scheduled run). Starts a fresh Log context. */
    public <T> T run(String requestId, Supplier<T> work) {
        return run(requestId, work, null);
    }

    /** Runs an HTTP request; {@code status} reads the answer's status code for the line. */
    public <T> T run(String requestId, Supplier<T> work, ToIntFunction<? super T> status) {
        long start = System.nanoTime();
        Log.begin(requestId);
        OUTCOME.remove();
        Integer code = null;
        try {
            T result = work.get();
            if (status != null && result != null) code = status.applyAsInt(result);
            return result;
        } catch (RuntimeException | Error e) {
            OUTCOME.set(CRASHED);
            throw e;
        } finally {
            String outcome = OUTCOME.get();
            OUTCOME.remove();
            if (outcome == null) outcome = code != null && code >= 400 ? "http_" + code : OK;
            Object[] fields = {"outcome", outcome, "status", code, "duration_ms", (System.nanoTime() - start) / 1_000_000};
            if (outcome.equals(OK)) log.info("request", fields);
            else if (outcome.equals(CRASHED)) log.error("request", fields);
            else log.warn("request", fields);
        }
    }

    /** How the current request ended, when not ok: a stable error code, or e.g. "retry" for a message. */
    public static void outcome(String outcome) {
        if (outcome != null && !outcome.isBlank()) OUTCOME.set(outcome);
    }
}
