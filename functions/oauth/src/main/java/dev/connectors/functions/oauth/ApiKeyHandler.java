package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.connectors.apikey.ApiKeyFlow;
import dev.connectors.errors.ErrorCode;
import dev.connectors.metrics.Metrics;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * PUT /connections/{provider} {"apiKey": "…"} for the one API-key provider this function is deployed for
 * (env PROVIDER; registry authType {@code api_key}). JWT route: tenant and user come from the claims.
 * The key is checked with one read call at the provider, then stored encrypted; it never appears in a
 * response, a log line or an error. Reads no provider secret: only the app secret, for encryption.
 */
// RequestHandler repeated: the Lambda runtime (and EventsTest) read the event type from the class itself
public final class ApiKeyHandler extends JsonConnectHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    public ApiKeyHandler() {
        this(Priming.register(Services.fromEnvironment()));
    }

    public ApiKeyHandler(Services services) {
        this(services, Handlers.loadSpec(services, ProviderSpec.API_KEY));
    }

    /** For tests and the local runner: a provider entry other than the registry's (e.g. rebased onto a stub). */
    public ApiKeyHandler(Services services, ProviderSpec loaded) {
        super(services, loaded);
    }

    @Override
    APIGatewayV2HTTPResponse route(String method, String path, APIGatewayV2HTTPEvent request) {
        if (!path.equals("/connections/" + spec.id()) || !method.equals("PUT")) return null;
        Handlers.Caller caller = Handlers.caller(services, request);
        Metrics.connectionStarted(spec.id()); // the key's check is the whole connect: it completes or fails right here
        String key = JsonBody.read(request, Set.of("apiKey"), ErrorCode.INVALID_API_KEY).get("apiKey");
        ApiKeyFlow.Result result = new ApiKeyFlow(services, spec).connect(caller.tenant(), caller.user(), key);
        Metrics.connectionCompleted(spec.id());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("connected", true);
        body.put("provider", spec.id());
        body.put("status", result.connection().status().name());
        body.put("syncJobId", result.jobId());
        return Responses.json(200, body);
    }
}
