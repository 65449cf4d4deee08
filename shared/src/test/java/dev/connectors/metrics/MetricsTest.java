package dev.connectors.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.config.Settings;
import dev.connectors.log.Log;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.Telemetry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The embedded-metric-format writer and the service's metric names, read back as CloudWatch would parse them. */
class MetricsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @BeforeEach
    void capture() {
        LogCapture.install();
        LogCapture.clear();
        Log.begin("req-metrics-1");
    }

    @Test
    void aDocumentIsOneLineWithTheSpecsRequiredStructure() throws Exception {
        String line = new EmfDocument("Connectors", 1_764_147_600_000L, List.of(List.of("Provider", "ErrorCode"), List.of("Provider")))
                .dimension("Provider", "slack").dimension("ErrorCode", "access_denied")
                .metric("ConnectionsFailed", 1, EmfDocument.Unit.Count).property("request_id", "r-1").toJson();

        assertThat(line).doesNotContain("\n");
        JsonNode doc = Telemetry.checkEmf(JSON.readTree(line));
        JsonNode directive = doc.get("_aws").get("CloudWatchMetrics").get(0);
        assertThat(doc.get("_aws").get("Timestamp").asLong()).isEqualTo(1_764_147_600_000L);
        assertThat(directive.get("Namespace").asText()).isEqualTo("Connectors");
        assertThat(directive.get("Dimensions").toString()).isEqualTo("[[\"Provider\",\"ErrorCode\"],[\"Provider\"]]");
        assertThat(directive.get("Metrics").toString()).isEqualTo("[{\"Name\":\"ConnectionsFailed\",\"Unit\":\"Count\"}]");
        assertThat(doc.get("ConnectionsFailed").isIntegralNumber()).isTrue();
        assertThat(doc.get("ErrorCode").asText()).isEqualTo("access_denied");
        assertThat(doc.get("request_id").asText()).isEqualTo("r-1");
    }

    @Test
    void aMissingDimensionValueIsUnknownNeverEmpty() throws Exception {
        String line = new EmfDocument("Connectors", System.currentTimeMillis(), List.of(List.of("Provider", "ErrorCode")))
                .dimension("Provider", " ").metric("X", 2, EmfDocument.Unit.Count).toJson();

        JsonNode doc = Telemetry.checkEmf(JSON.readTree(line));
        assertThat(doc.get("Provider").asText()).isEqualTo("unknown");
        assertThat(doc.get("ErrorCode").asText()).isEqualTo("unknown");
    }

    @Test
    void whatTheSpecForbidsIsRefusedWhenBuilt() {
        assertThatThrownBy(() -> new EmfDocument("", 1, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EmfDocument("x".repeat(256), 1, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EmfDocument("N", 1, List.of(java.util.Collections.nCopies(31, "D"))))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EmfDocument("N", 1, List.of()).metric("M", Double.NaN, EmfDocument.Unit.Count))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theCheckerRejectsWhatCloudWatchWouldNotExtract() throws Exception {
        // a number as a dimension value, a metric without a value, a unit outside the spec, a prefix before the JSON
        for (String bad : List.of(
                "{\"_aws\":{\"Timestamp\":1764147600000,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"P\"]],\"Metrics\":[{\"Name\":\"M\",\"Unit\":\"Count\"}]}]},\"P\":3,\"M\":1}",
                "{\"_aws\":{\"Timestamp\":1764147600000,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[[\"P\"]],\"Metrics\":[{\"Name\":\"M\",\"Unit\":\"Count\"}]}]},\"P\":\"p\"}",
                "{\"_aws\":{\"Timestamp\":1764147600000,\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[],\"Metrics\":[{\"Name\":\"M\",\"Unit\":\"Pages\"}]}]},\"M\":1}",
                "{\"_aws\":{\"CloudWatchMetrics\":[{\"Namespace\":\"N\",\"Dimensions\":[],\"Metrics\":[{\"Name\":\"M\"}]}]},\"M\":1}")) {
            assertThatThrownBy(() -> Telemetry.checkEmf(JSON.readTree(bad))).isInstanceOf(AssertionError.class);
        }
        LogCapture.clear();
        Log.emit("INFO {\"_aws\":{}}");
        assertThatThrownBy(Telemetry::metricDocuments).isInstanceOf(AssertionError.class);
        LogCapture.clear();
    }

    @Test
    void theNamespaceComesFromSettingsWithADefault() {
        assertThat(Metrics.namespace(new Settings(Map.of()))).isEqualTo("Connectors");
        assertThat(Metrics.namespace(new Settings(Map.of(Settings.METRICS_NAMESPACE, "Connectors/staging")))).isEqualTo("Connectors/staging");
        assertThat(Settings.FUNCTION_KEYS).contains(Settings.METRICS_NAMESPACE);
    }

    @Test
    void eachServiceMetricIsAValidDocumentWithBoundedDimensions() {
        Log.put("tenant", "tenant-secret-ish-42");
        Metrics.connectionStarted("slack");
        Metrics.connectionCompleted("slack");
        Metrics.connectionFailed("slack", "access_denied");
        Metrics.tokenRefreshed("gitlab");
        Metrics.tokenRefreshFailed("gitlab", "invalid_grant");
        Metrics.backfillPages("notion", 1, 25);
        Metrics.providerRateLimited("notion");

        List<JsonNode> docs = Telemetry.metricDocuments();
        assertThat(docs).hasSize(7);
        for (JsonNode doc : docs) {
            JsonNode directive = doc.get("_aws").get("CloudWatchMetrics").get(0);
            assertThat(directive.get("Namespace").asText()).isEqualTo(Metrics.DEFAULT_NAMESPACE);
            assertThat(directive.get("Dimensions").toString()).doesNotContainIgnoringCase("tenant");
            assertThat(doc.toString()).doesNotContain("tenant-secret-ish-42");
            assertThat(doc.get("request_id").asText()).isEqualTo("req-metrics-1");
        }
        assertThat(Telemetry.sum("ConnectionsFailed", Map.of("Provider", "slack", "ErrorCode", "access_denied"))).isEqualTo(1);
        assertThat(Telemetry.sum("TokenRefreshFailures", Map.of("Provider", "gitlab", "ErrorCode", "invalid_grant"))).isEqualTo(1);
        assertThat(Telemetry.sum("BackfillRecords", Map.of("Provider", "notion"))).isEqualTo(25);
        assertThat(Telemetry.sum("BackfillPages", Map.of("Provider", "notion"))).isEqualTo(1);
        assertThat(Telemetry.sum("ProviderRateLimited", Map.of("Provider", "notion"))).isEqualTo(1);
        assertThat(Telemetry.sum("ConnectionsStarted", Map.of("Provider", "slack"))).isEqualTo(1);
        assertThat(Telemetry.sum("ConnectionsCompleted", Map.of("Provider", "slack"))).isEqualTo(1);
        assertThat(Telemetry.sum("TokenRefreshes", Map.of("Provider", "gitlab"))).isEqualTo(1);
    }

    @Test
    void aSinkThatFailsNeverFailsTheWorkBeingCounted() {
        Log.sink(line -> {
            throw new IllegalStateException("stdout closed");
        });
        try {
            Metrics.tokenRefreshed("gitlab"); // must not throw: a refreshed token is still returned
        } finally {
            LogCapture.install();
        }
    }
}
