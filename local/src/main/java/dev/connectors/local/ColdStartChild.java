package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.connectors.functions.oauth.OAuthHandler;
import dev.connectors.runtime.Priming;

import java.util.Map;

/**
 * Runs in a fresh JVM on the OAuth function's deployable jar (plus this class): what Lambda's init and
 * first invoke do, with the settings from the environment. Prints {@code FIRST init_ms first_request_ms status}
 * on stderr; with a count argument it then serves that many warm requests and prints {@code WARM <µs>...};
 * with {@code primed} after the count, the SnapStart priming hook runs between init and the first request.
 */
public final class ColdStartChild {
    public static void main(String[] args) {
        int warm = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        long t0 = System.nanoTime();
        OAuthHandler handler = new OAuthHandler();
        if (args.length > 1 && args[1].equals("primed")) {
            Priming.simulateCheckpoint(); // what SnapStart runs before its snapshot; not part of the timed init
        }
        long t1 = System.nanoTime();
        APIGatewayV2HTTPResponse res = handler.handleRequest(authorize(), null);
        long t2 = System.nanoTime();
        System.err.println("FIRST " + (t1 - t0) / 1_000_000 + " " + (t2 - t1) / 1_000_000 + " " + res.getStatusCode());
        if (warm > 0) {
            StringBuilder micros = new StringBuilder("WARM");
            for (int i = 0; i < warm; i++) {
                long s = System.nanoTime();
                handler.handleRequest(authorize(), null);
                micros.append(' ').append((System.nanoTime() - s) / 1000);
            }
            System.err.println(micros);
        }
    }

    static APIGatewayV2HTTPEvent authorize() {
        return APIGatewayV2HTTPEvent.builder().withRawPath("/oauth/generic/authorize")
                .withRawQueryString("").withHeaders(Map.of("accept", "application/json"))
                .withRequestContext(APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId("cold-start")
                        .withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                                .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                                        .withClaims(Map.of("tenant_id", "bench", "sub", "bench")).build()).build()).build())
                .build();
    }
}
