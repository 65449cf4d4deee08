package dev.connectors.log;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.Telemetry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One summary line per unit of work, whatever way it ends. */
class RequestLogTest {
    private static final RequestLog REQUESTS = RequestLog.of(RequestLogTest.class);

    @BeforeEach
    void capture() {
        LogCapture.install();
        LogCapture.clear();
    }

    @Test
    void aServedRequestIsOneOkLineWithStatusDurationAndTheContextTheWorkAdded() {
        int status = REQUESTS.run("req-1", () -> {
            Log.put("tenant", "t1");
            Log.put("provider", "slack");
            Log.of(RequestLogTest.class).info("working");
            return 302;
        }, s -> s);

        assertThat(status).isEqualTo(302);
        JsonNode line = only("req-1");
        assertThat(line.get("level").asText()).isEqualTo("INFO");
        assertThat(line.get("logger").asText()).isEqualTo("RequestLogTest");
        assertThat(line.get("outcome").asText()).isEqualTo("ok");
        assertThat(line.get("status").asInt()).isEqualTo(302);
        assertThat(line.get("duration_ms").isIntegralNumber()).isTrue();
        assertThat(line.get("tenant").asText()).isEqualTo("t1");
        assertThat(line.get("provider").asText()).isEqualTo("slack");
    }

    @Test
    void theOutcomeTheWorkNotedWins() {
        REQUESTS.run("req-2", () -> {
            RequestLog.outcome("access_denied");
            return 400;
        }, s -> s);

        JsonNode line = only("req-2");
        assertThat(line.get("outcome").asText()).isEqualTo("access_denied");
        assertThat(line.get("level").asText()).isEqualTo("WARN");
    }

    @Test
    void anErrorStatusWithoutANotedCodeStillSaysSo() {
        REQUESTS.run("req-3", () -> 404, s -> s);
        assertThat(only("req-3").get("outcome").asText()).isEqualTo("http_404");
    }

    @Test
    void anEscapingExceptionIsLoggedAsInternalErrorAndRethrown() {
        assertThatThrownBy(() -> REQUESTS.run("req-4", () -> {
            throw new IllegalStateException("boom");
        })).hasMessage("boom");

        JsonNode line = only("req-4");
        assertThat(line.get("outcome").asText()).isEqualTo("internal_error");
        assertThat(line.get("level").asText()).isEqualTo("ERROR");
        assertThat(line.has("status")).isFalse();
    }

    @Test
    void oneRequestsOutcomeNeverLeaksIntoTheNext() {
        REQUESTS.run("req-5", () -> {
            RequestLog.outcome("retry");
            return true;
        });
        REQUESTS.run("req-6", () -> true);

        assertThat(only("req-5").get("outcome").asText()).isEqualTo("retry");
        assertThat(only("req-6").get("outcome").asText()).isEqualTo("ok");
        assertThat(only("req-6").has("tenant")).isFalse();
    }

    @Test
    void aFieldGivenOnALineReplacesTheContextsValueInsteadOfRepeatingIt() {
        Log.begin("req-7");
        Log.put("provider", "slack");
        Log.of(RequestLogTest.class).info("explicit", "provider", "gitlab");

        String line = LogCapture.lines().get(LogCapture.lines().size() - 1);
        assertThat(line).containsOnlyOnce("\"provider\"").contains("\"provider\":\"gitlab\"");
    }

    private static JsonNode only(String requestId) {
        List<JsonNode> lines = Telemetry.requests(requestId);
        assertThat(lines).as("request lines of %s", requestId).hasSize(1);
        return lines.get(0);
    }
}
