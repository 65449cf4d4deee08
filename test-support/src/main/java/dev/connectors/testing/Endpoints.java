package dev.connectors.testing;

import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * Endpoints configured outside the tests (LocalStack, real AWS), read the way the AWS SDKs do:
 * {@code AWS_ENDPOINT_URL_<SERVICE>} wins over {@code AWS_ENDPOINT_URL}.
 */
final class Endpoints {
    static final String GLOBAL = "AWS_ENDPOINT_URL";

    private final Map<String, String> env;

    Endpoints(Map<String, String> env) {
        this.env = env;
    }

    static Endpoints fromEnvironment() {
        return new Endpoints(System.getenv());
    }

    /** @param service the SDK's environment suffix, e.g. {@code DYNAMODB}, {@code SQS} */
    Optional<URI> external(String service) {
        return value(GLOBAL + "_" + service).or(() -> value(GLOBAL)).map(URI::create);
    }

    /** True when any endpoint variable is set: then real credentials are needed. */
    boolean anyExternal() {
        return env.entrySet().stream().anyMatch(e ->
                (e.getKey().equals(GLOBAL) || e.getKey().startsWith(GLOBAL + "_")) && !e.getValue().isBlank());
    }

    private Optional<String> value(String name) {
        return Optional.ofNullable(env.get(name)).map(String::strip).filter(v -> !v.isEmpty());
    }
}
