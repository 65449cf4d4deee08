package dev.connectors.functions.refresher;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import dev.connectors.log.Log;
import dev.connectors.log.RequestLog;
import dev.connectors.oauth.ScheduledRefresher;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;
import dev.connectors.runtime.TimeBudget;

import java.util.Map;
import java.util.function.Function;

/**
 * Scheduled (every 5 minutes): refreshes the tokens due (expiring within 15 minutes, idle, or past a back-off), found
 * through the connections table's sparse refresh index, four at a time. It lives in the sync worker's
 * jar: it needs exactly what the worker has (every provider secret, the token keys, the refresh path).
 */
public final class TokenRefresherHandler implements RequestHandler<Map<String, Object>, Map<String, Object>> {
    private static final Log LOG = Log.of(TokenRefresherHandler.class);
    private static final RequestLog REQUESTS = RequestLog.of(TokenRefresherHandler.class);
    /** Stop starting refreshes this long before the Lambda timeout: one refresh (≤ 20 s) must still fit. */
    static final long SAFETY_MARGIN_MILLIS = 25_000;

    private final Services services;
    private final Function<String, ProviderSpec> specs;

    public TokenRefresherHandler() {
        this(Priming.register(Services.fromEnvironment()));
    }

    public TokenRefresherHandler(Services services) {
        this(services, ProviderRegistry.cachedLoader());
    }

    /** For tests and the local runner: provider entries from elsewhere (e.g. rebased onto a stub). */
    public TokenRefresherHandler(Services services, Function<String, ProviderSpec> specs) {
        this.services = services;
        this.specs = specs;
    }

    @Override
    public Map<String, Object> handleRequest(Map<String, Object> event, Context context) {
        return REQUESTS.run(context == null ? null : context.getAwsRequestId(), () -> refresh(context));
    }

    private Map<String, Object> refresh(Context context) {
        var store = services.tokenStore();
        ScheduledRefresher refresher = new ScheduledRefresher(store, services.tokenRefresher(), specs, services::providerConfig,
                services.clock(), ScheduledRefresher.CONCURRENCY);
        ScheduledRefresher.Result result = refresher.run(TimeBudget.beforeTimeout(context, SAFETY_MARGIN_MILLIS));
        if (!result.complete()) {
            LOG.warn("refresher_incomplete", "due", result.due()); // the next run continues
            RequestLog.outcome("incomplete");
        }
        return result.asMap();
    }
}
