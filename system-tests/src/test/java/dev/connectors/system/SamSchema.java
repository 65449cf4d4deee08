package dev.connectors.system;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import com.networknt.schema.path.NodePath;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AWS's own JSON schema for SAM templates (draft-04, {@code sam/sam.schema.json}, Apache-2.0: see
 * {@code sam/sam.schema.NOTICE}). It checks the {@code AWS::Serverless::*} resources and Globals;
 * other CloudFormation types pass through it, which is why TemplateTest checks those itself.
 *
 * <p>The validator (networknt 3.x) is built on Jackson 3 ({@code tools.jackson}); the rest of the
 * project uses Jackson 2, so the template only meets Jackson 3 here, as plain maps.
 */
final class SamSchema {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Schema schema;
    private static Set<String> knownTypes;

    private SamSchema() {
    }

    /** One problem, with the logical id of the resource it is in (or the top-level section). */
    record Problem(String resource, String location, String message) {
        @Override
        public String toString() {
            return resource + ": " + message + " (at " + location + ")";
        }
    }

    /**
     * Validates a template as {@link dev.connectors.testing.CfnYaml} loaded it (intrinsics in long form).
     *
     * <p>The schema picks a resource's (and an event's) definition with {@code anyOf} over every
     * type, and the validator reports why each alternative failed: hundreds of lines for one typo.
     * Only the alternatives whose {@code Type} matched are kept; when no alternative's {@code Type}
     * matched, the unknown type itself is the problem.
     */
    static List<Problem> validate(Map<String, Object> template) {
        JsonNode tree = JSON.valueToTree(template);
        List<Error> errors = schema().validate(tree);
        Set<String> wrongTypeBranches = new HashSet<>();
        for (Error e : errors) {
            if (isTypeMismatch(e)) {
                wrongTypeBranches.add(lastAnyOf(e));
            }
        }
        Set<Problem> problems = new LinkedHashSet<>();
        Map<String, List<Error>> typeMismatches = new LinkedHashMap<>();
        for (Error e : errors) {
            if (isTypeMismatch(e)) {
                typeMismatches.computeIfAbsent(e.getInstanceLocation().toString(), k -> new ArrayList<>()).add(e);
            }
            if (!inBranch(e, wrongTypeBranches)) {
                problems.add(problem(e.getInstanceLocation(), message(e)));
            }
        }
        // a Type that matched no alternative: its errors were all dropped above, so report the type itself
        typeMismatches.forEach((location, mismatches) -> {
            Error first = mismatches.get(0);
            String type = first.getInstanceNode().asString();
            if (!knownTypes().contains(type)) {
                problems.add(problem(first.getInstanceLocation(), "unknown Type '" + type + "'"));
            }
        });
        return List.copyOf(problems);
    }

    private static final Pattern LAST_ANY_OF = Pattern.compile("^(.*/anyOf/\\d+)/(?!.*/anyOf/)");

    /** An {@code enum} (or {@code pattern}) failure on a {@code Type}: the alternative was for another type. */
    private static boolean isTypeMismatch(Error e) {
        return ("enum".equals(e.getKeyword()) || "pattern".equals(e.getKeyword()))
                && e.getInstanceLocation().toString().endsWith("/Type");
    }

    /** The evaluation path up to the innermost anyOf alternative the error is in. */
    private static String lastAnyOf(Error e) {
        Matcher m = LAST_ANY_OF.matcher(e.getEvaluationPath().toString());
        return m.find() ? m.group(1) : "";
    }

    private static boolean inBranch(Error e, Set<String> branches) {
        String path = e.getEvaluationPath().toString();
        return branches.stream().anyMatch(b -> path.startsWith(b + "/"));
    }

    /** The validator's messages are templates with positional arguments; spell out the common ones. */
    private static String message(Error e) {
        Object[] args = e.getArguments() == null ? new Object[0] : e.getArguments();
        String arg = args.length > 0 ? String.valueOf(args[0]) : "";
        return switch (String.valueOf(e.getKeyword())) {
            case "additionalProperties" -> "unknown property '" + arg + "'";
            case "required" -> "missing required property '" + arg + "'";
            case "enum" -> e.getInstanceNode() + " is not one of " + e.getSchemaNode();
            default -> {
                String text = e.getMessage();
                for (int i = 0; i < args.length; i++) text = text.replace("{" + (i + 1) + "}", String.valueOf(args[i]));
                yield e.getKeyword() + ": " + text;
            }
        };
    }

    private static Problem problem(NodePath at, String message) {
        String location = at.toString();
        String[] parts = location.split("/");
        // "/Resources/SlackFunction/..." → SlackFunction; "/Globals/..." → Globals
        String resource = parts.length > 2 && parts[1].equals("Resources") ? parts[2] : parts.length > 1 ? parts[1] : "(template)";
        return new Problem(resource, location, message);
    }

    /** Every value any {@code Type} property of the schema allows (resource types, event types, ...). */
    private static synchronized Set<String> knownTypes() {
        if (knownTypes == null) {
            Set<String> types = new TreeSet<>();
            collectTypes(schema().getSchemaNode(), types);
            knownTypes = Set.copyOf(types);
        }
        return knownTypes;
    }

    private static void collectTypes(JsonNode node, Set<String> into) {
        JsonNode typeEnum = node.path("properties").path("Type").path("enum");
        typeEnum.forEach(v -> into.add(v.asString()));
        node.forEach(child -> {
            if (child.isContainer()) collectTypes(child, into);
        });
    }

    private static synchronized Schema schema() {
        if (schema == null) {
            SchemaRegistry registry = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4);
            try (InputStream in = SamSchema.class.getResourceAsStream("/sam/sam.schema.json")) {
                if (in == null) {
                    throw new IllegalStateException("sam/sam.schema.json missing from the test classpath");
                }
                schema = registry.getSchema(in);
                schema.initializeValidators(); // resolve every $ref now: a broken schema fails here, not mid-test
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return schema;
    }
}
