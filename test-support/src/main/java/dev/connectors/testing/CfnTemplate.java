package dev.connectors.testing;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/** Read-only view of a parsed template (see {@link CfnYaml} for how intrinsics are represented). */
public final class CfnTemplate {
    private final Map<String, Object> root;

    private CfnTemplate(Map<String, Object> root) {
        this.root = root;
    }

    public static CfnTemplate load(Path file) {
        return new CfnTemplate(CfnYaml.load(file));
    }

    /** The project's template.yaml. */
    public static CfnTemplate ofRepo() {
        return load(RepoRoot.template());
    }

    public Map<String, Object> root() {
        return root;
    }

    /** Logical id → {@code Properties} of every resource of the given type, in template order. */
    public Map<String, Map<String, Object>> resourcesOfType(String type) {
        Map<String, Map<String, Object>> found = new LinkedHashMap<>();
        map(root.get("Resources")).forEach((id, resource) -> {
            Map<String, Object> body = map(resource);
            if (type.equals(body.get("Type"))) {
                found.put(id, map(body.get("Properties")));
            }
        });
        return found;
    }

    public Optional<String> parameterDefault(String name) {
        return Optional.ofNullable(map(map(root.get("Parameters")).get(name)).get("Default")).map(String::valueOf);
    }

    /** A function's environment variables as written: Globals first, then the function's own (SAM merges them). */
    public Map<String, Object> environmentOf(String functionId) {
        Map<String, Object> function = resourcesOfType("AWS::Serverless::Function").get(functionId);
        if (function == null) {
            throw new IllegalArgumentException("No AWS::Serverless::Function " + functionId + " in the template");
        }
        Map<String, Object> variables = new LinkedHashMap<>(variables(map(map(root.get("Globals")).get("Function"))));
        variables.putAll(variables(function));
        return variables;
    }

    private static Map<String, Object> variables(Map<String, Object> functionProperties) {
        return map(map(functionProperties.get("Environment")).get("Variables"));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value) {
        return value instanceof Map ? (Map<String, Object>) value : Map.of();
    }
}
