package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.log.Log;
import dev.connectors.log.RequestLog;
import dev.connectors.metrics.Metrics;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Services;

import java.util.Map;

/** What the connect handlers share: their registry entry, the request id, the caller from the JWT claims, failure accounting. */
final class Handlers {
    private static final Log LOG = Log.of(Handlers.class);

    /** The tenant and user of an authenticated request. */
    record Caller(String tenant, String user) {
    }

    private Handlers() {
    }

    /** The PROVIDER's entry when it uses {@code authType}; otherwise null and every request answers not_configured. */
    static ProviderSpec loadSpec(Services services, String authType) {
        try {
            ProviderSpec spec = ProviderRegistry.load(services.settings().require(Settings.PROVIDER));
            if (!authType.equals(spec.authTypeOrDefault())) {
                throw new IllegalStateException("provider " + spec.id() + " has authType " + spec.authTypeOrDefault()
                        + ", this handler serves " + authType);
            }
            return spec;
        } catch (RuntimeException e) {
            LOG.error("provider_not_loaded", "error", e);
            return null;
        }
    }

    static Caller caller(Services services, APIGatewayV2HTTPEvent event) {
        Map<String, String> claims = Requests.claims(event);
        String tenant = claims.get(services.settings().get(Settings.TENANT_CLAIM, "tenant_id"));
        String user = claims.get(services.settings().get(Settings.USER_CLAIM, "sub"));
        if (tenant == null || tenant.isBlank()) {
            throw new ConnectorException(ErrorCode.UNAUTHORIZED, "no tenant claim in the request context");
        }
        Log.put("tenant", tenant);
        return new Caller(tenant, user);
    }

    /** A connect step failed: it is the request's outcome and counts in ConnectionsFailed. */
    static void connectFailed(String provider, String errorCode) {
        RequestLog.outcome(errorCode);
        Metrics.connectionFailed(provider, errorCode);
    }

    static String requestId(APIGatewayV2HTTPEvent event, Context context) {
        if (event != null && event.getRequestContext() != null && event.getRequestContext().getRequestId() != null) {
            return event.getRequestContext().getRequestId();
        }
        return context == null ? null : context.getAwsRequestId();
    }
}
