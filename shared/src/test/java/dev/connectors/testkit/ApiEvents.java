package dev.connectors.testkit;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** API Gateway HTTP API (payload 2.0) events as API Gateway builds them, for handler tests. */
public final class ApiEvents {
    private ApiEvents() {
    }

    public static APIGatewayV2HTTPEvent get(String path, String rawQuery, Map<String, String> claims, Map<String, String> headers) {
        return request(path, Map.of(), rawQuery, claims, headers);
    }

    /**
     * A GET of a route with path parameters, as API Gateway sends it: {@code route("/sync-jobs/{id}",
     * Map.of("id", "job_1"), …)} has routeKey {@code GET /sync-jobs/{id}}, rawPath {@code /sync-jobs/job_1}
     * and pathParameters {@code {id=job_1}}.
     */
    public static APIGatewayV2HTTPEvent route(String route, Map<String, String> pathParameters, String rawQuery,
                                              Map<String, String> claims) {
        return request(route, pathParameters, rawQuery, claims, null);
    }

    private static APIGatewayV2HTTPEvent request(String route, Map<String, String> pathParameters, String rawQuery,
                                                 Map<String, String> claims, Map<String, String> headers) {
        String path = route;
        for (Map.Entry<String, String> p : pathParameters.entrySet()) {
            path = path.replace("{" + p.getKey() + "}",
                    java.net.URLEncoder.encode(p.getValue(), java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20"));
        }
        APIGatewayV2HTTPEvent.RequestContext.Http http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod("GET").withPath(path).withProtocol("HTTP/1.1").withSourceIp("203.0.113.7").build();
        APIGatewayV2HTTPEvent.RequestContext.RequestContextBuilder ctx = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(http).withRequestId(UUID.randomUUID().toString()).withRouteKey("GET " + route)
                .withDomainName("connect.example.com").withStage("$default");
        if (claims != null) {
            ctx.withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                    .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                            .withClaims(new HashMap<>(claims)).build()).build());
        }
        Map<String, String> query = new HashMap<>();
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                int eq = pair.indexOf('=');
                String k = eq < 0 ? pair : pair.substring(0, eq);
                String v = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                query.merge(k, v, (a, b) -> a + "," + b); // API Gateway joins duplicates with commas
            }
        }
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey("GET " + route).withRawPath(path)
                .withRawQueryString(rawQuery == null ? "" : rawQuery).withQueryStringParameters(query.isEmpty() ? null : query)
                .withPathParameters(pathParameters.isEmpty() ? null : new HashMap<>(pathParameters))
                .withHeaders(headers == null ? Map.of("host", "connect.example.com") : headers)
                .withRequestContext(ctx.build()).build();
    }
}
