package dev.connectors.system;

import dev.connectors.config.Settings;
import dev.connectors.metrics.Metrics;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the logs and metrics rely on in template.yaml: the Text log format for every function (with Lambda's
 * JSON format the Java runtime would wrap each line in its own JSON, and CloudWatch would no longer find the
 * embedded metrics), and the metrics namespace as a parameter every function receives.
 */
class LoggingTemplateTest {
    private static final Template TEMPLATE = Template.load();

    @Test
    void everyFunctionLogsInTheTextFormat() {
        assertThat(TEMPLATE.functions()).isNotEmpty();
        TEMPLATE.functions().keySet().forEach(function -> {
            Object config = TEMPLATE.functionProperty(function, "LoggingConfig").orElse(Map.of());
            assertThat(Template.map(config).getOrDefault("LogFormat", "Text")).as("%s LogFormat", function).isEqualTo("Text");
        });
    }

    @Test
    void everyFunctionGetsTheMetricsNamespaceParameter() {
        assertThat(Template.map(TEMPLATE.parameters().get("MetricsNamespace")).get("Default")).isEqualTo(Metrics.DEFAULT_NAMESPACE);
        TEMPLATE.functions().keySet().forEach(function -> assertThat(TEMPLATE.environment(function).get(Settings.METRICS_NAMESPACE))
                .as("%s %s", function, Settings.METRICS_NAMESPACE).isEqualTo(Map.of("Ref", "MetricsNamespace")));
    }
}
