package dev.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Objects;

/**
 * A response body after classification.
 *
 * @param kind      what the body is
 * @param json      the parsed value, non-null exactly when {@code kind == JSON}
 * @param htmlTitle the page's {@code <title>} when {@code kind == HTML} and it has one, else null
 * @param snippet   a short (at most 200 chars) log-safe excerpt: no control characters, token-like
 *                  values redacted, never any JSON value. For logs only, never for users.
 */
public record ClassifiedBody(BodyKind kind, JsonNode json, String htmlTitle, String snippet) {
    public static final int MAX_SNIPPET = 200;

    public ClassifiedBody {
        Objects.requireNonNull(kind, "kind");
        if ((kind == BodyKind.JSON) != (json != null)) {
            throw new IllegalArgumentException("json must be set exactly when kind is JSON");
        }
        snippet = snippet == null ? "" : LogText.clean(snippet, MAX_SNIPPET);
    }

    /** Leaves the JSON out: it may hold tokens. */
    @Override
    public String toString() {
        return "ClassifiedBody[kind=" + kind + ", htmlTitle=" + htmlTitle + ", snippet=" + snippet + "]";
    }
}
