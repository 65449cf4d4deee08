package dev.connectors.functions.connections;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.testkit.ApiEvents;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.Telemetry;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The connections API writes one request line per request: outcome, status, duration, method, path, tenant. */
class ApiRequestLineTest {
    private static ConnectionsApiHandler handler;

    static {
        LogCapture.install();
    }

    private final String tenant = "tenant-" + UUID.randomUUID();

    @BeforeAll
    static void harness() {
        handler = new ConnectionsApiHandler(Harness.forFunction("ConnectionsApiFunction").services());
    }

    @BeforeEach
    void clear() {
        LogCapture.clear();
    }

    @Test
    void aServedRequestIsOneOkLine() {
        APIGatewayV2HTTPEvent event = ApiEvents.get("/connections", "", Map.of("tenant_id", tenant, "sub", "u"), null);

        assertThat(handler.handleRequest(event, null).getStatusCode()).isEqualTo(200);

        JsonNode line = only(event);
        assertThat(line.get("outcome").asText()).isEqualTo("ok");
        assertThat(line.get("status").asInt()).isEqualTo(200);
        assertThat(line.get("method").asText()).isEqualTo("GET");
        assertThat(line.get("path").asText()).isEqualTo("/connections");
        assertThat(line.get("tenant").asText()).isEqualTo(tenant);
        assertThat(line.get("duration_ms").isIntegralNumber()).isTrue();
    }

    @Test
    void aRefusedRequestCarriesItsErrorCode() {
        APIGatewayV2HTTPEvent noTenant = ApiEvents.get("/connections", "", null, null);
        APIGatewayV2HTTPEvent unknownJob = ApiEvents.route("/sync-jobs/{id}", Map.of("id", "job_nope"), "",
                Map.of("tenant_id", tenant, "sub", "u"));

        assertThat(handler.handleRequest(noTenant, null).getStatusCode()).isEqualTo(401);
        assertThat(handler.handleRequest(unknownJob, null).getStatusCode()).isEqualTo(404);

        assertThat(only(noTenant).get("outcome").asText()).isEqualTo("unauthorized");
        assertThat(only(noTenant).has("tenant")).isFalse();
        JsonNode notFound = only(unknownJob);
        assertThat(notFound.get("outcome").asText()).isEqualTo("not_found");
        assertThat(notFound.get("status").asInt()).isEqualTo(404);
        assertThat(notFound.get("level").asText()).isEqualTo("WARN");
    }

    private static JsonNode only(APIGatewayV2HTTPEvent event) {
        List<JsonNode> lines = Telemetry.requests(event.getRequestContext().getRequestId());
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("logger").asText()).isEqualTo("ConnectionsApiHandler");
        return lines.get(0);
    }
}
