package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.testkit.Harness;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/** Payload 2.0 events with a method and a JSON body (PUT /connections/x, POST …/callback), and entries moved onto WireMock. */
final class ConnectEvents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConnectEvents() {
    }

    static APIGatewayV2HTTPEvent request(String method, String path, String body, Map<String, String> claims) {
        APIGatewayV2HTTPEvent.RequestContext.Http http = APIGatewayV2HTTPEvent.RequestContext.Http.builder()
                .withMethod(method).withPath(path).withProtocol("HTTP/1.1").withSourceIp("203.0.113.7").build();
        APIGatewayV2HTTPEvent.RequestContext.RequestContextBuilder ctx = APIGatewayV2HTTPEvent.RequestContext.builder()
                .withHttp(http).withRequestId(UUID.randomUUID().toString()).withRouteKey(method + " " + path)
                .withDomainName("connect.example.com").withStage("$default");
        if (claims != null) {
            ctx.withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                    .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                            .withClaims(new HashMap<>(claims)).build()).build());
        }
        Map<String, String> headers = new HashMap<>(Map.of("host", "connect.example.com", "accept", "application/json"));
        if (body != null) headers.put("content-type", "application/json");
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey(method + " " + path).withRawPath(path)
                .withRawQueryString("").withHeaders(headers).withBody(body).withIsBase64Encoded(false)
                .withRequestContext(ctx.build()).build();
    }

    static Map<String, String> claims(String tenant, String user) {
        return Map.of("tenant_id", tenant, "sub", user);
    }

    /** The registry entry with every https host moved onto WireMock under /{prefix}: each test gets its own stubs. */
    static ProviderSpec movedTo(Harness h, String provider, String prefix) {
        try {
            String json = JSON.writeValueAsString(ProviderRegistry.load(provider));
            return JSON.readValue(json.replaceAll("https://[a-z0-9.{}_-]+", h.wiremock.baseUrl() + "/" + prefix), ProviderSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
