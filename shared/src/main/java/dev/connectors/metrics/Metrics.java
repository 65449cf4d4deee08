package dev.connectors.metrics;

import dev.connectors.config.Settings;
import dev.connectors.log.Log;

import java.util.List;

/**
 * The service's CloudWatch metrics, one embedded-metric-format line per event, written through {@link Log}'s
 * sink (so they reach the function's log group like every log line). Dimensions are bounded: the provider id
 * (a registry entry) and a stable error code; never a tenant, user or job. The line also carries the
 * request id (a plain field, not a dimension) so a metric can be traced back to its request.
 */
public final class Metrics {
    public static final String DEFAULT_NAMESPACE = "Connectors";
    static final String PROVIDER = "Provider";
    static final String ERROR_CODE = "ErrorCode";
    private static final List<List<String>> BY_PROVIDER = List.of(List.of(PROVIDER));
    /** Per code for diagnosis, and per provider alone so an alarm needs no metric math. */
    private static final List<List<String>> BY_PROVIDER_AND_CODE = List.of(List.of(PROVIDER, ERROR_CODE), List.of(PROVIDER));
    private static final String NAMESPACE = namespace(Settings.fromEnvironment());

    private Metrics() {
    }

    static String namespace(Settings settings) {
        return settings.get(Settings.METRICS_NAMESPACE, DEFAULT_NAMESPACE);
    }

    /** A user was sent to the provider (authorize, link token) or submitted an API key. */
    public static void connectionStarted(String provider) {
        emit(document(BY_PROVIDER, provider).metric("ConnectionsStarted", 1, EmfDocument.Unit.Count));
    }

    /** A connection was stored. */
    public static void connectionCompleted(String provider) {
        emit(document(BY_PROVIDER, provider).metric("ConnectionsCompleted", 1, EmfDocument.Unit.Count));
    }

    /** A connect step (authorize, callback, API-key check, link exchange) ended with this error code. */
    public static void connectionFailed(String provider, String errorCode) {
        emit(document(BY_PROVIDER_AND_CODE, provider).dimension(ERROR_CODE, errorCode)
                .metric("ConnectionsFailed", 1, EmfDocument.Unit.Count));
    }

    /** New tokens from the provider were stored. */
    public static void tokenRefreshed(String provider) {
        emit(document(BY_PROVIDER, provider).metric("TokenRefreshes", 1, EmfDocument.Unit.Count));
    }

    public static void tokenRefreshFailed(String provider, String errorCode) {
        emit(document(BY_PROVIDER_AND_CODE, provider).dimension(ERROR_CODE, errorCode)
                .metric("TokenRefreshFailures", 1, EmfDocument.Unit.Count));
    }

    /** Rotated tokens DynamoDB would not take were handed to the sync queue as a token rescue. */
    public static void tokenRescueSent(String provider) {
        emit(document(BY_PROVIDER, provider).metric("TokenRescuesSent", 1, EmfDocument.Unit.Count));
    }

    /** A token rescue was written to its connection (the worker, once DynamoDB answered). */
    public static void tokenRescueApplied(String provider) {
        emit(document(BY_PROVIDER, provider).metric("TokenRescuesApplied", 1, EmfDocument.Unit.Count));
    }

    /** Rotated tokens could be neither stored nor rescued: the user must reconnect. Alarm on any. */
    public static void tokenRefreshLost(String provider) {
        emit(document(BY_PROVIDER, provider).metric("TokenRefreshesLost", 1, EmfDocument.Unit.Count));
    }

    /** Backfill pages stored (each with its checkpoint) and the records in them. */
    public static void backfillPages(String provider, int pages, int records) {
        emit(document(BY_PROVIDER, provider).metric("BackfillPages", pages, EmfDocument.Unit.Count)
                .metric("BackfillRecords", records, EmfDocument.Unit.Count));
    }

    /** A provider answered HTTP 429. */
    public static void providerRateLimited(String provider) {
        emit(document(BY_PROVIDER, provider).metric("ProviderRateLimited", 1, EmfDocument.Unit.Count));
    }

    private static EmfDocument document(List<List<String>> dimensionSets, String provider) {
        return new EmfDocument(NAMESPACE, System.currentTimeMillis(), dimensionSets).dimension(PROVIDER, provider)
                .property("request_id", Log.context("request_id"));
    }

    private static void emit(EmfDocument document) {
        try {
            Log.emit(document.toJson());
        } catch (RuntimeException ignored) {
            // a metric is never worth failing the work it counts (a refreshed token must still be returned)
        }
    }
}
