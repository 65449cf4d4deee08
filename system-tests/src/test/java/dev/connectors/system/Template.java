package dev.connectors.system;

import dev.connectors.testing.CfnYaml;
import dev.connectors.testing.RepoRoot;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * template.yaml as {@link CfnYaml} loads it (intrinsics in long form: {@code {"Ref": X}},
 * {@code {"Fn::GetAtt": [A, B]}}, {@code {"Fn::Sub": s}}), with the few lookups the system tests need.
 * SAM's Globals are applied the way SAM applies them: a function's own value wins.
 */
final class Template {
    static final String FUNCTION = "AWS::Serverless::Function";

    final Map<String, Object> root;

    private Template(Map<String, Object> root) {
        this.root = root;
    }

    static Template load() {
        return new Template(CfnYaml.load(RepoRoot.template()));
    }

    Map<String, Object> resources() {
        return map(root.get("Resources"));
    }

    Map<String, Object> parameters() {
        return map(root.get("Parameters"));
    }

    Map<String, Object> outputs() {
        return map(root.get("Outputs"));
    }

    String typeOf(String logicalId) {
        return (String) map(resources().get(logicalId)).get("Type");
    }

    /** Logical id → Properties of every resource of a type, in template order. */
    Map<String, Map<String, Object>> ofType(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        resources().forEach((id, body) -> {
            if (type.equals(map(body).get("Type"))) {
                found.put(id, map(map(body).get("Properties")));
            }
        });
        return found;
    }

    Map<String, Map<String, Object>> functions() {
        return ofType(FUNCTION);
    }

    Map<String, Object> properties(String logicalId) {
        return map(map(resources().get(logicalId)).get("Properties"));
    }

    Map<String, Object> globalFunction() {
        return map(map(root.get("Globals")).get("Function"));
    }

    /** A function property with SAM's Globals applied (the function's own value wins). */
    Optional<Object> functionProperty(String functionId, String name) {
        Object own = properties(functionId).get(name);
        return Optional.ofNullable(own != null ? own : globalFunction().get(name));
    }

    Map<String, Object> globalVariables() {
        return map(map(globalFunction().get("Environment")).get("Variables"));
    }

    Map<String, Object> ownVariables(String functionId) {
        return map(map(properties(functionId).get("Environment")).get("Variables"));
    }

    /** Environment as deployed: Globals merged with the function's own variables. */
    Map<String, Object> environment(String functionId) {
        Map<String, Object> merged = new LinkedHashMap<>(globalVariables());
        merged.putAll(ownVariables(functionId));
        return merged;
    }

    Map<String, Map<String, Object>> events(String functionId) {
        Map<String, Map<String, Object>> events = new LinkedHashMap<>();
        map(properties(functionId).get("Events")).forEach((name, event) -> events.put(name, map(event)));
        return events;
    }

    /** The handler class of {@code Handler: com.example.Cls::method}. */
    String handlerClass(String functionId) {
        return handler(functionId).split("::", 2)[0];
    }

    String handlerMethod(String functionId) {
        String[] parts = handler(functionId).split("::", 2);
        return parts.length == 2 ? parts[1] : "handleRequest"; // the runtime's default
    }

    private String handler(String functionId) {
        return String.valueOf(functionProperty(functionId, "Handler").orElseThrow(
                () -> new AssertionError(functionId + " has no Handler")));
    }

    /** The function's policy statements written inline ({@code - Statement: [...]}). */
    List<Map<String, Object>> statements(String functionId) {
        List<Map<String, Object>> statements = new ArrayList<>();
        for (Object policy : list(properties(functionId).get("Policies"))) {
            for (Object statement : list(map(policy).get("Statement"))) {
                statements.add(map(statement));
            }
        }
        return statements;
    }

    /** The function's SAM policy templates, e.g. {@code DynamoDBCrudPolicy → {TableName: {Ref: X}}}, as (name, args) pairs. */
    List<Map.Entry<String, Map<String, Object>>> policyTemplates(String functionId) {
        List<Map.Entry<String, Map<String, Object>>> found = new ArrayList<>();
        for (Object policy : list(properties(functionId).get("Policies"))) {
            map(policy).forEach((name, args) -> {
                if (!name.equals("Statement") && !name.equals("Version")) {
                    found.add(Map.entry(name, map(args)));
                }
            });
        }
        return found;
    }

    /** Managed policies named by ARN or name (plain strings in Policies). */
    List<String> managedPolicies(String functionId) {
        return list(properties(functionId).get("Policies")).stream()
                .filter(p -> p instanceof String).map(String::valueOf).toList();
    }

    // --------------------------------------------------------------- intrinsics

    static Map<String, Object> ref(String logicalId) {
        return Map.of("Ref", logicalId);
    }

    static Map<String, Object> getAtt(String logicalId, String attribute) {
        return Map.of("Fn::GetAtt", List.of(logicalId, attribute));
    }

    /** The target of {@code {"Ref": X}}, or null. */
    static String refTarget(Object value) {
        return map(value).get("Ref") instanceof String id ? id : null;
    }

    /** The string of {@code {"Fn::Sub": s}}, or null (the list form with variables is not used here). */
    static String sub(Object value) {
        return map(value).get("Fn::Sub") instanceof String s ? s : null;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }

    /** A list, or a single value as a one-element list (IAM accepts both for Action and Resource). */
    static List<Object> list(Object value) {
        if (value == null) return List.of();
        if (value instanceof List<?> l) return new ArrayList<>(l);
        return List.of(value);
    }

    static int integer(Object value) {
        return Integer.parseInt(String.valueOf(value));
    }
}
