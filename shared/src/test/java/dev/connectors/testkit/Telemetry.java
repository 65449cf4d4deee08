package dev.connectors.testkit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a test's code told operators, read back from {@link LogCapture}: the per-request summary lines and the
 * metric documents. Every metric document is checked against the required structure of CloudWatch's embedded
 * metric format specification as it is read, so any test that looks at a metric also checks its format.
 */
public final class Telemetry {
    /** A log event must be one JSON object with nothing before or after it. */
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    /** The units the specification allows. */
    static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes", "Megabytes",
            "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent", "Count",
            "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second", "Bits/Second",
            "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second", "None");

    private Telemetry() {
    }

    /** Every captured line, parsed: each must be exactly one JSON object. */
    public static List<JsonNode> lines() {
        List<JsonNode> out = new ArrayList<>();
        for (String line : LogCapture.lines()) out.add(parse(line));
        return out;
    }

    /** The summary lines ({@code "event":"request"}) written so far. */
    public static List<JsonNode> requests() {
        return lines().stream().filter(l -> "request".equals(l.path("event").asText())).toList();
    }

    /** The summary lines of one request id. */
    public static List<JsonNode> requests(String requestId) {
        return requests().stream().filter(l -> requestId.equals(l.path("request_id").asText(null))).toList();
    }

    /** Every metric document written so far, each checked against the specification. */
    public static List<JsonNode> metricDocuments() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode line : lines()) {
            if (line.has("_aws")) out.add(checkEmf(line));
        }
        return out;
    }

    /** The total of a metric over the documents whose dimension values include {@code dimensions}. */
    public static long sum(String metric, Map<String, String> dimensions) {
        long total = 0;
        for (JsonNode doc : metricDocuments()) {
            if (!declares(doc, metric)) continue;
            boolean matches = dimensions.entrySet().stream().allMatch(d -> d.getValue().equals(doc.path(d.getKey()).asText(null)));
            if (matches) total += doc.get(metric).asLong();
        }
        return total;
    }

    /**
     * The specification's required structure: {@code _aws} with a millisecond {@code Timestamp} and a non-empty
     * {@code CloudWatchMetrics} array of directives, each with a {@code Namespace}, {@code Dimensions} (arrays of at most
     * 30 names) and {@code Metrics} (at most 100, each a {@code Name} and an allowed {@code Unit}); every metric named
     * has a numeric value on the root and every dimension named a string value. No other members in those objects.
     */
    public static JsonNode checkEmf(JsonNode doc) {
        JsonNode aws = doc.get("_aws");
        require(aws != null && aws.isObject(), "_aws is an object", doc);
        onlyMembers(aws, Set.of("Timestamp", "CloudWatchMetrics"), doc);
        require(aws.path("Timestamp").isIntegralNumber() && aws.get("Timestamp").asLong() > 1_000_000_000_000L,
                "_aws.Timestamp is epoch milliseconds", doc);
        JsonNode directives = aws.get("CloudWatchMetrics");
        require(directives != null && directives.isArray() && !directives.isEmpty(), "CloudWatchMetrics is a non-empty array", doc);
        for (JsonNode directive : directives) {
            require(directive.isObject(), "a directive is an object", doc);
            onlyMembers(directive, Set.of("Namespace", "Dimensions", "Metrics"), doc);
            String namespace = directive.path("Namespace").asText("");
            require(directive.path("Namespace").isTextual() && !namespace.isBlank() && namespace.length() <= 255,
                    "Namespace is a string of 1-255 characters", doc);
            JsonNode sets = directive.get("Dimensions");
            require(sets != null && sets.isArray(), "Dimensions is an array", doc);
            for (JsonNode set : sets) {
                require(set.isArray() && set.size() <= 30, "a dimension set is an array of at most 30 names", doc);
                for (JsonNode name : set) {
                    require(name.isTextual(), "a dimension name is a string", doc);
                    JsonNode value = doc.get(name.asText());
                    require(value != null && value.isTextual() && !value.asText().isBlank() && value.asText().length() <= 1024,
                            "dimension " + name + " has a string value", doc);
                }
            }
            JsonNode metrics = directive.get("Metrics");
            require(metrics != null && metrics.isArray() && !metrics.isEmpty() && metrics.size() <= 100,
                    "Metrics is an array of 1-100 definitions", doc);
            for (JsonNode metric : metrics) {
                require(metric.isObject(), "a metric definition is an object", doc);
                onlyMembers(metric, Set.of("Name", "Unit", "StorageResolution"), doc);
                require(metric.path("Name").isTextual() && !metric.get("Name").asText().isBlank(), "a metric has a Name", doc);
                require(!metric.has("Unit") || UNITS.contains(metric.get("Unit").asText()), "Unit is one the spec allows", doc);
                JsonNode value = doc.get(metric.get("Name").asText());
                require(value != null && (value.isNumber() || value.isArray() && value.size() > 0
                        && iterable(value.elements()).stream().allMatch(JsonNode::isNumber)), "metric " + metric.get("Name") + " has a numeric value", doc);
            }
        }
        return doc;
    }

    private static boolean declares(JsonNode doc, String metric) {
        for (JsonNode directive : doc.get("_aws").get("CloudWatchMetrics")) {
            for (JsonNode m : directive.get("Metrics")) {
                if (metric.equals(m.get("Name").asText())) return true;
            }
        }
        return false;
    }

    private static void onlyMembers(JsonNode object, Set<String> allowed, JsonNode doc) {
        object.fieldNames().forEachRemaining(name -> require(allowed.contains(name), "no member " + name + " here", doc));
    }

    private static <T> List<T> iterable(Iterator<T> it) {
        List<T> out = new ArrayList<>();
        it.forEachRemaining(out::add);
        return out;
    }

    private static void require(boolean ok, String rule, JsonNode doc) {
        if (!ok) throw new AssertionError("not an embedded-metric-format document (" + rule + "): " + doc);
    }

    private static JsonNode parse(String line) {
        try {
            JsonNode node = JSON.readTree(line);
            if (node == null || !node.isObject()) throw new AssertionError("log line is not one JSON object: " + line);
            if (line.strip().contains("\n")) throw new AssertionError("log line spans lines: " + line);
            return node;
        } catch (JsonProcessingException e) {
            throw new AssertionError("log line is not JSON: " + line, e);
        }
    }
}
