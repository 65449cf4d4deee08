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
import dev.connectors.metrics.Metrics;
import dev.connectors.oauth.ConnectFlow;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;
import dev.connectors.state.BrowserBinding;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * GET /oauth/{provider}/authorize and /callback for the one provider this function is deployed for
 * (env PROVIDER). API Gateway HTTP API payload 2.0. Nothing escapes as a 5xx or a stack trace.
 */
public final class OAuthHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Log LOG = Log.of(OAuthHandler.class);
    private static final RequestLog REQUESTS = RequestLog.of(OAuthHandler.class);

    private final Services services;
    private final ProviderSpec spec;
    private final ConnectFlow flow;

    public OAuthHandler() {
        this(Priming.register(Services.fromEnvironment()));
    }

    public OAuthHandler(Services services) {
        this(services, loadSpec(services));
    }

    /** For tests and the local runner: a provider entry other than the registry's (e.g. rebased onto a stub). */
    public OAuthHandler(Services services, ProviderSpec loaded) {
        this.services = services;
        this.spec = loaded;
        this.flow = loaded == null ? null : new ConnectFlow(services, loaded);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        return REQUESTS.run(Handlers.requestId(event, context), () -> serve(event), APIGatewayV2HTTPResponse::getStatusCode);
    }

    private APIGatewayV2HTTPResponse serve(APIGatewayV2HTTPEvent event) {
        String providerId = spec == null ? services.settings().get(Settings.PROVIDER, "unknown") : spec.id();
        Log.put("provider", providerId);
        String path = event == null || event.getRawPath() == null ? "" : event.getRawPath();
        Log.put("path", path);
        try {
            if (spec == null) {
                throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "provider registry entry not loaded");
            }
            if (path.equals("/oauth/" + spec.id() + "/authorize")) {
                return authorize(event);
            }
            if (path.equals("/oauth/" + spec.id() + "/callback")) {
                return callback(event);
            }
            return Responses.json(404, Map.of("error", ErrorFormatter.format(ErrorCode.UNKNOWN_PROVIDER, providerId, null)));
        } catch (ConnectorException e) {
            LOG.warn("request_failed", "error_code", e.code().code(), "detail", e.detail());
            Handlers.connectFailed(providerId, e.code().code());
            return failure(event, path, ErrorFormatter.format(e.code(), providerId, displayName()));
        } catch (RuntimeException e) {
            LOG.error("request_crashed", "error", e);
            Handlers.connectFailed(providerId, ErrorCode.INTERNAL_ERROR.code());
            return failure(event, path, ErrorFormatter.format(ErrorCode.INTERNAL_ERROR, providerId, displayName()));
        }
    }

    private APIGatewayV2HTTPResponse authorize(APIGatewayV2HTTPEvent event) {
        Handlers.Caller caller = Handlers.caller(services, event);
        Map<String, List<String>> query = Requests.query(event);
        List<String> returnTo = query.get("return_to");
        if (returnTo != null && returnTo.size() > 1) {
            throw new ConnectorException(ErrorCode.INVALID_RETURN_TO, "more than one return_to");
        }
        Optional<BrowserBinding> binding = flow.browserBinding();
        String browserId = binding.map(b -> b.idFor(Requests.cookies(event))).orElse(null);
        URI url = flow.authorize(caller.tenant(), caller.user(), returnTo == null ? null : returnTo.get(0), query, browserId);
        Metrics.connectionStarted(spec.id());
        APIGatewayV2HTTPResponse response = Requests.wantsJson(event)
                ? Responses.json(200, Map.of("authorizationUrl", url.toString())) : Responses.redirect(url);
        return binding.map(b -> Responses.withCookie(response, b.setCookie(browserId))).orElse(response);
    }

    private APIGatewayV2HTTPResponse callback(APIGatewayV2HTTPEvent event) {
        Map<String, List<String>> query;
        try {
            query = Requests.query(event);
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ErrorCode.INVALID_REQUEST, "unparseable callback query");
        }
        ConnectFlow.Outcome outcome = flow.callback(query, Requests.cookies(event));
        if (outcome.connected()) Metrics.connectionCompleted(spec.id());
        else Handlers.connectFailed(spec.id(), outcome.error().code());
        return Responses.callbackResult(outcome, spec.displayName(), flow.returnToPolicy().allowedOrigins());
    }

    /** Errors before the flow knows a return URL: JSON for API callers, the result page for browsers. */
    private APIGatewayV2HTTPResponse failure(APIGatewayV2HTTPEvent event, String path, FriendlyError error) {
        if (path.endsWith("/callback")) {
            List<String> origins = flow == null ? List.of() : flow.returnToPolicy().allowedOrigins();
            return Responses.callbackResult(new ConnectFlow.Outcome(false, error.provider(), null, error, null),
                    displayName(), origins);
        }
        return Responses.json(Responses.status(error), Map.of("error", error));
    }

    private static ProviderSpec loadSpec(Services services) {
        try {
            return ProviderRegistry.load(services.settings().require(Settings.PROVIDER));
        } catch (RuntimeException e) {
            LOG.error("provider_not_loaded", "error", e); // every request answers not_configured
            return null;
        }
    }

    private String displayName() {
        return spec == null ? null : spec.displayName();
    }
}
