package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.link.LinkFlow;
import dev.connectors.metrics.Metrics;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A link-token provider (registry authType {@code link_token}), for the one provider this function is
 * deployed for (env PROVIDER). Both routes sit behind the JWT authorizer, because the browser talks to
 * the provider's widget rather than being redirected back to us:
 * <ul>
 *   <li>{@code GET /oauth/{provider}/authorize} → {@code {"linkToken": …, "state": …, "expiresAt": …}};</li>
 *   <li>{@code POST /oauth/{provider}/callback} {@code {"public_token": …, "state": …}} → the connection is
 *       stored (only for the tenant that started it) and the backfill started.</li>
 * </ul>
 * Answers are JSON; errors are {@code {"error": {code, message, provider, retryable}}}.
 */
// RequestHandler repeated: the Lambda runtime (and EventsTest) read the event type from the class itself
public final class LinkTokenHandler extends JsonConnectHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {

    public LinkTokenHandler() {
        this(Priming.register(Services.fromEnvironment()));
    }

    public LinkTokenHandler(Services services) {
        this(services, Handlers.loadSpec(services, ProviderSpec.LINK_TOKEN));
    }

    /** For tests and the local runner: a provider entry other than the registry's (e.g. rebased onto a stub). */
    public LinkTokenHandler(Services services, ProviderSpec loaded) {
        super(services, loaded);
    }

    @Override
    APIGatewayV2HTTPResponse route(String method, String path, APIGatewayV2HTTPEvent request) {
        if (path.equals("/oauth/" + spec.id() + "/authorize") && method.equals("GET")) {
            Handlers.Caller caller = Handlers.caller(services, request);
            LinkFlow.Started started = new LinkFlow(services, spec).start(caller.tenant(), caller.user());
            Metrics.connectionStarted(spec.id());
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("linkToken", started.linkToken());
            body.put("state", started.state());
            body.put("expiresAt", started.expiresAt().toString());
            return Responses.json(200, body);
        }
        if (path.equals("/oauth/" + spec.id() + "/callback") && method.equals("POST")) {
            Handlers.Caller caller = Handlers.caller(services, request);
            Map<String, String> body = JsonBody.read(request, Set.of("public_token", "state"), ErrorCode.INVALID_REQUEST);
            String state = body.get("state");
            if (state == null || state.isBlank()) throw new ConnectorException(ErrorCode.INVALID_STATE, "callback without state");
            LinkFlow.Result result = new LinkFlow(services, spec).finish(caller.tenant(), body.get("public_token"), state);
            Metrics.connectionCompleted(spec.id());
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("connected", true);
            out.put("provider", spec.id());
            out.put("status", result.connection().status().name());
            out.put("syncJobId", result.jobId());
            return Responses.json(200, out);
        }
        return null;
    }
}
