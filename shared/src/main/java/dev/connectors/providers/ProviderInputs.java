package dev.connectors.providers;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads and validates a provider's declared {@link ProviderSpec.Input}s from a request's query. A pattern
 * with a group named {@code value} keeps only that group (e.g. the host of a validated {@code https://} URL).
 */
public final class ProviderInputs {
    private static final int MAX_LENGTH = 255;

    private ProviderInputs() {
    }

    /** The inputs of {@code from}, each present once and matching its pattern entirely. */
    public static Map<String, String> read(ProviderSpec spec, ProviderSpec.Input.Source from, Map<String, List<String>> query) {
        Map<String, String> values = new HashMap<>();
        for (ProviderSpec.Input input : spec.inputs()) {
            if (input.from() != from) continue;
            List<String> given = query.get(input.param());
            if (given == null || given.size() != 1 || given.get(0) == null || given.get(0).isEmpty()) {
                throw new ConnectorException(ErrorCode.INVALID_REQUEST, "expected exactly one '" + input.param() + "'");
            }
            String value = given.get(0);
            java.util.regex.Matcher m = Pattern.compile(input.pattern()).matcher(value);
            if (value.length() > MAX_LENGTH || !m.matches()) {
                throw new ConnectorException(ErrorCode.INVALID_REQUEST, "'" + input.param() + "' does not match its pattern");
            }
            String kept = keep(input.pattern(), m);
            if (kept == null || kept.isEmpty()) {
                throw new ConnectorException(ErrorCode.INVALID_REQUEST, "'" + input.param() + "' has no value");
            }
            values.put(input.name(), kept);
        }
        return values;
    }

    /** The whole match, or only the group named {@code value} when the pattern has one (a host inside a URL). */
    private static String keep(String pattern, java.util.regex.Matcher m) {
        return pattern.contains("(?<value>") ? m.group("value") : m.group();
    }
}
