package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.errors.ErrorFormatter;
import dev.connectors.errors.FriendlyError;
import dev.connectors.log.Log;
import dev.connectors.log.RequestLog;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Services;

import java.util.Map;

/**
 * The shape the JSON-only connect handlers share (API keys, link tokens): one provider per function,
 * a log context per request, and every failure as {@code {"error": {code, message, provider, retryable}}}
 * with no detail, stack trace or credential in it. Subclasses answer their routes.
 */
abstract class JsonConnectHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Log LOG = Log.of(JsonConnectHandler.class);

    protected final Services services;
    protected final ProviderSpec spec;
    private final RequestLog requests = RequestLog.of(getClass()); // lines name the concrete handler

    JsonConnectHandler(Services services, ProviderSpec spec) {
        this.services = services;
        this.spec = spec;
    }

    /** The answer for a route of this provider, or null when the request names none of them (404). */
    abstract APIGatewayV2HTTPResponse route(String method, String path, APIGatewayV2HTTPEvent request);

    @Override
    public final APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return requests.run(Handlers.requestId(event, context), () -> serve(event), APIGatewayV2HTTPResponse::getStatusCode);
    }

    private APIGatewayV2HTTPResponse serve(APIGatewayV2HTTPEvent event) {
        String providerId = spec == null ? services.settings().get(Settings.PROVIDER, "unknown") : spec.id();
        Log.put("provider", providerId);
        try {
            if (spec == null) throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "provider registry entry not loaded");
            APIGatewayV2HTTPEvent request = event == null ? new APIGatewayV2HTTPEvent() : event;
            String path = request.getRawPath() == null ? "" : request.getRawPath();
            Log.put("path", path);
            APIGatewayV2HTTPResponse answer = route(JsonBody.method(request), path, request);
            return answer != null ? answer : failure(ErrorCode.NOT_FOUND, providerId, 404);
        } catch (ConnectorException e) {
            LOG.warn("request_failed", "error_code", e.code().code(), "detail", e.detail());
            Handlers.connectFailed(providerId, e.code().code());
            return failure(e.code(), providerId, 0);
        } catch (RuntimeException e) {
            LOG.error("request_crashed", "error", e);
            Handlers.connectFailed(providerId, ErrorCode.INTERNAL_ERROR.code());
            return failure(ErrorCode.INTERNAL_ERROR, providerId, 0);
        }
    }

    private APIGatewayV2HTTPResponse failure(ErrorCode code, String providerId, int status) {
        FriendlyError error = ErrorFormatter.format(code, providerId, spec == null ? null : spec.displayName());
        return Responses.json(status == 0 ? Responses.status(error) : status, Map.of("error", error));
    }
}
