package dev.connectors.functions.oauth;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/**
 * The small JSON object a connect request posts ({@code {"apiKey": …}}, {@code {"public_token": …, "state": …}}):
 * size-capped, base64 as API Gateway may send it, string fields only, unknown fields refused. The body holds
 * credentials, so no failure detail ever quotes it.
 */
final class JsonBody {
    static final int MAX_BYTES = 8 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private JsonBody() {
    }

    /** @param invalid the code a malformed body gets (what the user can fix differs per route) */
    static Map<String, String> read(APIGatewayV2HTTPEvent event, Set<String> allowed, ErrorCode invalid) {
        String raw = event.getBody();
        if (raw == null || raw.isBlank()) throw new ConnectorException(invalid, "empty request body");
        if (raw.length() > MAX_BYTES * 2) throw new ConnectorException(invalid, "request body too large");
        if (event.getIsBase64Encoded()) {
            try {
                raw = new String(Base64.getDecoder().decode(raw), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ConnectorException(invalid, "request body is not valid base64");
            }
        }
        if (raw.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) throw new ConnectorException(invalid, "request body too large");
        JsonNode json;
        try {
            json = JSON.readTree(raw);
        } catch (JsonProcessingException e) {
            throw new ConnectorException(invalid, "request body is not JSON"); // the parser's message may quote the body
        }
        if (json == null || !json.isObject()) throw new ConnectorException(invalid, "request body is not a JSON object");
        Map<String, String> out = new java.util.HashMap<>();
        var fields = json.fields();
        while (fields.hasNext()) {
            var e = fields.next();
            if (!allowed.contains(e.getKey())) {
                throw new ConnectorException(invalid, "unexpected field in request body (allowed: " + allowed + ")");
            }
            if (!e.getValue().isTextual()) throw new ConnectorException(invalid, "field " + e.getKey() + " is not a string");
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }

    static String method(APIGatewayV2HTTPEvent event) {
        var ctx = event.getRequestContext();
        return ctx == null || ctx.getHttp() == null || ctx.getHttp().getMethod() == null ? "" : ctx.getHttp().getMethod();
    }
}
