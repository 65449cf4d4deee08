package dev.connectors.functions.connections;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.FriendlyError;

import java.util.Map;

/** JSON responses, never cached (they are one tenant's data). */
final class ApiResponses {
    static final ObjectMapper JSON = new ObjectMapper();

    private ApiResponses() {
    }

    static APIGatewayV2HTTPResponse ok(Object body) {
        return json(200, body);
    }

    static APIGatewayV2HTTPResponse error(FriendlyError error) {
        return json(status(error.code()), Map.of("error", error));
    }

    static int status(String code) {
        return switch (code) {
            case "unauthorized" -> 401;
            case "not_found" -> 404;
            case "not_configured", "internal_error" -> 500;
            case "storage_unavailable" -> 503;
            default -> 400;
        };
    }

    static APIGatewayV2HTTPResponse json(int status, Object body) {
        try {
            return APIGatewayV2HTTPResponse.builder().withStatusCode(status)
                    .withHeaders(Map.of("Content-Type", "application/json", "Cache-Control", "no-store"))
                    .withBody(JSON.writeValueAsString(body)).withIsBase64Encoded(false).build();
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
