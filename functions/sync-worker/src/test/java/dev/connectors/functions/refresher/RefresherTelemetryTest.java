package dev.connectors.functions.refresher;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.Telemetry;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/** The scheduled refresher's request line and refresh metrics (its refreshes run on a pool of its own threads). */
class RefresherTelemetryTest {
    static {
        LogCapture.install();
    }

    private final String requestId = UUID.randomUUID().toString();
    private final String prefix = "/refresher-telemetry-" + UUID.randomUUID();
    private Harness h;

    @BeforeEach
    void harness() {
        h = Harness.forFunction("TokenRefresherFunction");
        String base = h.wiremock.baseUrl() + prefix;
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        LogCapture.clear();
    }

    @Test
    void aRefreshedTokenIsCountedAndTheRunIsOneLine() {
        tokenEndpoint(okJson("{\"access_token\":\"at-tel-new\",\"refresh_token\":\"rt-tel-new\",\"token_type\":\"Bearer\",\"expires_in\":3600}"));
        dueConnection();

        Map<String, Object> run = new TokenRefresherHandler(h.services(), id -> h.rebased(id)).handleRequest(Map.of(), context());

        assertThat(run).containsEntry("refreshed", 1);
        JsonNode line = only();
        assertThat(line.get("logger").asText()).isEqualTo("TokenRefresherHandler");
        assertThat(line.get("outcome").asText()).isEqualTo("ok");
        assertThat(Telemetry.sum("TokenRefreshes", Map.of("Provider", "generic"))).isEqualTo(1);
        assertThat(Telemetry.sum("TokenRefreshFailures", Map.of())).isZero();
        assertThat(LogCapture.all()).doesNotContain("at-tel-new").doesNotContain("rt-tel-new").doesNotContain("rt-tel-old")
                .doesNotContain(Harness.clientSecret("generic"));
    }

    @Test
    void aRevokedGrantIsAFailureByCode() {
        tokenEndpoint(aResponse().withStatus(400).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}"));
        dueConnection();

        new TokenRefresherHandler(h.services(), id -> h.rebased(id)).handleRequest(Map.of(), context());

        assertThat(Telemetry.sum("TokenRefreshFailures", Map.of("Provider", "generic", "ErrorCode", "invalid_grant"))).isEqualTo(1);
        assertThat(only().get("outcome").asText()).isEqualTo("ok"); // the run itself did its job
    }

    @Test
    void a429FromTheTokenEndpointCountsAgainstTheProviderEvenOnThePoolsThreads() {
        tokenEndpoint(aResponse().withStatus(429).withHeader("Retry-After", "30"));
        dueConnection();

        new TokenRefresherHandler(h.services(), id -> h.rebased(id)).handleRequest(Map.of(), context());

        assertThat(Telemetry.sum("ProviderRateLimited", Map.of("Provider", "generic"))).isEqualTo(1);
        assertThat(Telemetry.sum("TokenRefreshFailures", Map.of("Provider", "generic", "ErrorCode", "rate_limited"))).isEqualTo(1);
    }

    @Test
    void theReencryptionRunIsOneLine() {
        Map<String, Object> out = new ReencryptTokensHandler(h.services()).handleRequest(Map.of(), context());

        assertThat(out).containsEntry("complete", true);
        JsonNode line = only();
        assertThat(line.get("logger").asText()).isEqualTo("ReencryptTokensHandler");
        assertThat(line.get("outcome").asText()).isEqualTo("ok");
    }

    private void tokenEndpoint(ResponseDefinitionBuilder answer) {
        h.wiremock.stubFor(post(urlEqualTo(prefix + "/token")).willReturn(answer));
    }

    private void dueConnection() {
        h.services().tokenStore().upsert(new Connection("tenant-" + UUID.randomUUID(), "generic", ConnectionStatus.active,
                "at-tel-old", "rt-tel-old", "Bearer", List.of(), h.clock.instant().plus(Duration.ofMinutes(2)), Map.of(),
                "user-1", null, null, 0));
        LogCapture.clear();
    }

    private JsonNode only() {
        List<JsonNode> lines = Telemetry.requests(requestId);
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0).get("duration_ms").isIntegralNumber()).isTrue();
        return lines.get(0);
    }

    /** A Lambda context with this test's request id and plenty of time. */
    private Context context() {
        return new Context() {
            @Override public String getAwsRequestId() { return requestId; }
            @Override public String getLogGroupName() { return "test"; }
            @Override public String getLogStreamName() { return "test"; }
            @Override public String getFunctionName() { return "TokenRefresherFunction"; }
            @Override public String getFunctionVersion() { return "$LATEST"; }
            @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:test"; }
            @Override public CognitoIdentity getIdentity() { return null; }
            @Override public ClientContext getClientContext() { return null; }
            @Override public int getRemainingTimeInMillis() { return 100_000; }
            @Override public int getMemoryLimitInMB() { return 1024; }
            @Override public LambdaLogger getLogger() { return null; }
        };
    }
}
