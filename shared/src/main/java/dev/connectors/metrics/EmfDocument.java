package dev.connectors.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import java.io.IOException;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One document in CloudWatch's embedded metric format, written as a single JSON line:
 * <pre>{"_aws":{"Timestamp":…,"CloudWatchMetrics":[{"Namespace":…,"Dimensions":[[…]],"Metrics":[{"Name":…,"Unit":…}]}]},
 *  "Provider":"slack","ConnectionsStarted":1}</pre>
 * CloudWatch Logs extracts the metrics only when the document is a log event of its own: no prefix, not
 * nested in another object. Hand-written (a few lines of jackson-core, already loaded for logging) because a
 * metrics library cost ~100 ms of cold start.
 */
final class EmfDocument {
    private static final JsonFactory JSON = new JsonFactory();
    /** Spec limits: 30 dimensions per set, 100 metrics per directive. */
    static final int MAX_DIMENSIONS = 30;
    static final int MAX_METRICS = 100;
    static final String UNKNOWN = "unknown";

    /** The units this service uses (the spec has more). */
    enum Unit { Count }

    private record Metric(Number value, Unit unit) {
    }

    private final String namespace;
    private final long timestampMillis;
    private final List<List<String>> dimensionSets;
    private final Map<String, String> dimensions = new LinkedHashMap<>();
    private final Map<String, Metric> metrics = new LinkedHashMap<>();
    private final Map<String, String> properties = new LinkedHashMap<>();

    EmfDocument(String namespace, long timestampMillis, List<List<String>> dimensionSets) {
        if (namespace == null || namespace.isBlank() || namespace.length() > 255) {
            throw new IllegalArgumentException("namespace must be 1-255 characters");
        }
        for (List<String> set : dimensionSets) {
            if (set.size() > MAX_DIMENSIONS) throw new IllegalArgumentException("more than " + MAX_DIMENSIONS + " dimensions in a set");
        }
        this.namespace = namespace;
        this.timestampMillis = timestampMillis;
        this.dimensionSets = List.copyOf(dimensionSets);
    }

    /** A dimension's value; CloudWatch refuses empty ones, so a missing value is "unknown". */
    EmfDocument dimension(String name, String value) {
        dimensions.put(name, value == null || value.isBlank() ? UNKNOWN : value);
        return this;
    }

    EmfDocument metric(String name, Number value, Unit unit) {
        if (!Double.isFinite(value.doubleValue())) throw new IllegalArgumentException("metric " + name + " is not a finite number");
        if (metrics.size() >= MAX_METRICS && !metrics.containsKey(name)) {
            throw new IllegalArgumentException("more than " + MAX_METRICS + " metrics in a document");
        }
        metrics.put(name, new Metric(value, unit));
        return this;
    }

    /** A plain field beside the metrics (searchable in the logs, never a dimension). Null values are left out. */
    EmfDocument property(String name, String value) {
        if (value != null) properties.put(name, value);
        return this;
    }

    String toJson() {
        for (List<String> set : dimensionSets) {
            for (String name : set) {
                if (!dimensions.containsKey(name)) dimension(name, null); // every dimension named must have a value
            }
        }
        StringWriter out = new StringWriter(256);
        try (JsonGenerator json = JSON.createGenerator(out)) {
            json.writeStartObject();
            json.writeObjectFieldStart("_aws");
            json.writeNumberField("Timestamp", timestampMillis);
            json.writeArrayFieldStart("CloudWatchMetrics");
            json.writeStartObject();
            json.writeStringField("Namespace", namespace);
            json.writeArrayFieldStart("Dimensions");
            for (List<String> set : dimensionSets) {
                json.writeStartArray();
                for (String name : set) json.writeString(name);
                json.writeEndArray();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("Metrics");
            for (Map.Entry<String, Metric> m : metrics.entrySet()) {
                json.writeStartObject();
                json.writeStringField("Name", m.getKey());
                json.writeStringField("Unit", m.getValue().unit().name());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
            json.writeEndArray();
            json.writeEndObject();
            for (Map.Entry<String, String> d : dimensions.entrySet()) json.writeStringField(d.getKey(), d.getValue());
            for (Map.Entry<String, Metric> m : metrics.entrySet()) {
                Number v = m.getValue().value();
                json.writeFieldName(m.getKey());
                if (v instanceof Double || v instanceof Float) json.writeNumber(v.doubleValue());
                else json.writeNumber(v.longValue());
            }
            for (Map.Entry<String, String> p : properties.entrySet()) json.writeStringField(p.getKey(), p.getValue());
            json.writeEndObject();
        } catch (IOException impossible) {
            throw new IllegalStateException(impossible);
        }
        return out.toString();
    }
}
