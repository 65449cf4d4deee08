package dev.connectors.http;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a provider answered: status, headers and the classified body. It does not judge the status;
 * the OAuth client maps statuses and bodies to error codes.
 *
 * @param headers case-insensitive and unmodifiable
 */
public record ProviderResponse(int status, Map<String, List<String>> headers, ClassifiedBody body) {
    /** A provider asking us to wait longer than this is treated as down, not as a schedule. */
    public static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    public ProviderResponse {
        Objects.requireNonNull(body, "body");
        TreeMap<String, List<String>> copy = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        if (headers != null) {
            headers.forEach((name, values) -> {
                if (name != null && values != null) {
                    copy.merge(name, List.copyOf(values), (a, b) -> concat(a, b));
                }
            });
        }
        headers = Collections.unmodifiableMap(copy);
    }

    /** The first value of a header, case-insensitively. */
    public Optional<String> header(String name) {
        List<String> values = headers.get(name);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(0));
    }

    public boolean isJson() {
        return body.kind() == BodyKind.JSON;
    }

    /** The parsed body; callers check {@link #isJson()} first or handle the exception as a bug. */
    public JsonNode json() {
        if (!isJson()) {
            throw new IllegalStateException("provider body is " + body.kind() + ", not JSON");
        }
        return body.json();
    }

    /** Retry-After as delta-seconds or HTTP-date, capped at one hour; empty when absent or garbage. */
    public Optional<Duration> retryAfter() {
        return retryAfter(Instant.now());
    }

    Optional<Duration> retryAfter(Instant now) {
        String value = header("Retry-After").map(String::trim).orElse("");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        Duration wait;
        if (value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            // more than 5 digits is already beyond the cap; avoids overflow on absurd values
            wait = value.length() > 5 ? MAX_RETRY_AFTER : Duration.ofSeconds(Long.parseLong(value));
        } else {
            try {
                Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
                wait = at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
            } catch (DateTimeException garbage) {
                return Optional.empty();
            }
        }
        return Optional.of(wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
    }

    /** Status and body kind only: headers may carry cookies, the body tokens. */
    @Override
    public String toString() {
        return "ProviderResponse[status=" + status + ", body=" + body + "]";
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return List.copyOf(all);
    }
}
