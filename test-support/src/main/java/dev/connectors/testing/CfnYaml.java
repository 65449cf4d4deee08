package dev.connectors.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.ConstructNode;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.constructor.StandardConstructor;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Loads CloudFormation / SAM YAML into plain maps, lists and scalars.
 *
 * <p>Short-form intrinsics become their long (JSON) form, exactly what CloudFormation itself sees:
 * {@code !Ref X} → {@code {"Ref": "X"}}, {@code !GetAtt A.B} → {@code {"Fn::GetAtt": ["A", "B"]}},
 * {@code !Sub s} → {@code {"Fn::Sub": "s"}}, {@code !If [c, a, b]} → {@code {"Fn::If": [c, a, b]}},
 * {@code !Condition C} → {@code {"Condition": "C"}}. Any other local tag {@code !Name} becomes
 * {@code {"Fn::Name": value}}, so a new intrinsic never breaks loading. The result can be
 * validated against a JSON schema as is.
 */
public final class CfnYaml {
    private CfnYaml() {}

    public static Map<String, Object> load(Path file) {
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read " + file, e);
        }
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> parse(String yaml) {
        LoadSettings settings = LoadSettings.builder().setLabel("template").build(); // duplicate keys rejected, as CloudFormation does
        Object document = new Load(settings, new IntrinsicsConstructor(settings)).loadFromString(yaml);
        if (!(document instanceof Map)) {
            throw new IllegalArgumentException("A template must be a mapping, got " + document);
        }
        return (Map<String, Object>) document;
    }

    /** Falls back to the intrinsic-function form for every local ({@code !...}) tag it does not know. */
    private static final class IntrinsicsConstructor extends StandardConstructor {
        private final ConstructNode intrinsic = this::constructIntrinsic;

        IntrinsicsConstructor(LoadSettings settings) {
            super(settings);
        }

        @Override
        protected Optional<ConstructNode> findConstructorFor(Node node) {
            Optional<ConstructNode> standard = super.findConstructorFor(node);
            if (standard.isPresent() || !node.getTag().getValue().startsWith("!")) {
                return standard;
            }
            return Optional.of(intrinsic);
        }

        private Object constructIntrinsic(Node node) {
            String name = node.getTag().getValue().substring(1);
            String key = name.equals("Ref") || name.equals("Condition") ? name : "Fn::" + name;
            Object value;
            if (node instanceof ScalarNode scalar) {
                String text = constructScalar(scalar);
                // The short GetAtt splits at the first dot only: !GetAtt Db.Endpoint.Address
                value = name.equals("GetAtt") ? Arrays.asList(text.split("\\.", 2)) : text;
            } else if (node instanceof SequenceNode sequence) {
                value = constructSequence(sequence);
            } else {
                value = constructMapping((MappingNode) node);
            }
            return Map.of(key, value);
        }
    }
}
