package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.connectors.functions.oauth.OAuthHandler;

import java.lang.management.ManagementFactory;
import java.util.Map;

/**
 * Runs in a fresh JVM with only the OAuth function's jar (plus this class): what Lambda's init and
 * first invoke do. Prints {@code init_ms first_request_ms status}; the settings come from the environment.
 */
public final class ColdStartChild {
    public static void main(String[] args) {
        long jvmStart = ManagementFactory.getRuntimeMXBean().getStartTime();
        long t0 = System.currentTimeMillis();
        OAuthHandler handler = new OAuthHandler();
        long initDone = System.currentTimeMillis();
        APIGatewayV2HTTPEvent event = APIGatewayV2HTTPEvent.builder().withRawPath("/oauth/generic/authorize")
                .withRawQueryString("").withHeaders(Map.of("accept", "application/json"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("cold-start")
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                                        .withClaims(Map.of("tenant_id", "bench", "sub", "bench")).build()).build()).build())
                .build();
        APIGatewayV2HTTPResponse res = handler.handleRequest(event, null);
        long firstDone = System.currentTimeMillis();
        System.err.println("RESULT " + (t0 - jvmStart) + " " + (initDone - t0) + " " + (firstDone - initDone) + " " + res.getStatusCode());
    }
}
