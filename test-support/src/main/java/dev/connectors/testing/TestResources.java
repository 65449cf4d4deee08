package dev.connectors.testing;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** The tables and queues {@link TemplateResources} created for one test class, by template logical id. */
public final class TestResources {
    private final CfnTemplate template;
    private final String prefix;
    private final Map<String, String> tableNames;
    private final Map<String, String> queueUrls;

    TestResources(CfnTemplate template, String prefix, Map<String, String> tableNames, Map<String, String> queueUrls) {
        this.template = template;
        this.prefix = prefix;
        this.tableNames = Map.copyOf(tableNames);
        this.queueUrls = Map.copyOf(queueUrls);
    }

    public String prefix() {
        return prefix;
    }

    /** e.g. {@code tableName("ConnectionsTable")} */
    public String tableName(String logicalId) {
        return lookup(tableNames, logicalId, "AWS::DynamoDB::Table");
    }

    /** e.g. {@code queueUrl("SyncQueue")} */
    public String queueUrl(String logicalId) {
        return lookup(queueUrls, logicalId, "AWS::SQS::Queue");
    }

    public Map<String, String> tableNames() {
        return tableNames;
    }

    public Map<String, String> queueUrls() {
        return queueUrls;
    }

    /**
     * The environment the template gives a function, resolved against these resources:
     * {@code !Ref Table} → table name, {@code !Ref Queue} → queue URL (as CloudFormation does),
     * {@code !Ref Parameter} → its default, literals as written. Variables that cannot be resolved
     * locally (a parameter without default, {@code !Sub}, ...) are left out for the test to set.
     * Returns a fresh mutable map so a test can add or override entries.
     */
    public Map<String, String> environment(String functionLogicalId) {
        Map<String, String> resolved = new LinkedHashMap<>();
        template.environmentOf(functionLogicalId).forEach((name, value) -> resolve(value).ifPresent(v -> resolved.put(name, v)));
        return resolved;
    }

    private Optional<String> resolve(Object value) {
        if (value instanceof String || value instanceof Number || value instanceof Boolean) {
            return Optional.of(String.valueOf(value));
        }
        Object ref = CfnTemplate.map(value).get("Ref");
        if (!(ref instanceof String id)) {
            return Optional.empty();
        }
        if (tableNames.containsKey(id)) {
            return Optional.of(tableNames.get(id));
        }
        if (queueUrls.containsKey(id)) {
            return Optional.of(queueUrls.get(id));
        }
        return template.parameterDefault(id);
    }

    private static String lookup(Map<String, String> byId, String logicalId, String type) {
        String value = byId.get(logicalId);
        if (value == null) {
            throw new IllegalArgumentException("No " + type + " named " + logicalId + " in template.yaml; known: " + byId.keySet());
        }
        return value;
    }
}
