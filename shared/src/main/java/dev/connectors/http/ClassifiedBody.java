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
 * @param text      the whole decoded body when {@code kind == TEXT} (e.g. OAuth 1.0a's form-encoded token
 *                  answers), else null. It may hold secrets: never logged, never in {@link #toString()}.
 */
public record ClassifiedBody(BodyKind kind, JsonNode json, String htmlTitle, String snippet, String text) {
    public static final int MAX_SNIPPET = 200;

    public ClassifiedBody {
        Objects.requireNonNull(kind, "kind");
        if ((kind == BodyKind.JSON) != (json != null)) {
            throw new IllegalArgumentException("json must be set exactly when kind is JSON");
        }
        snippet = snippet == null ? "" : LogText.clean(snippet, MAX_SNIPPET);
        if (text != null && kind != BodyKind.TEXT) {
            throw new IllegalArgumentException("text is only kept for TEXT bodies");
        }
    }

    public ClassifiedBody(BodyKind kind, JsonNode json, String htmlTitle, String snippet) {
        this(kind, json, htmlTitle, snippet, null);
    }

    /** Leaves the JSON out: it may hold tokens. */
    @Override
    public String toString() {
        return "ClassifiedBody[kind=" + kind + ", htmlTitle=" + htmlTitle + ", snippet=" + snippet + "]";
    }
}
