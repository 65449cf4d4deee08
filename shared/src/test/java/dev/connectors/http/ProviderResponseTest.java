package dev.connectors.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderResponseTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final ClassifiedBody EMPTY = BodyClassifier.classify(null, new byte[0], false);

    private static ProviderResponse withRetryAfter(String value) {
        return new ProviderResponse(429, Map.of("retry-after", List.of(value)), EMPTY);
    }

    @ParameterizedTest
    @CsvSource({
            "7, PT7S",
            "' 120 ', PT2M",
            "0, PT0S",
            "3600, PT1H",
            "3601, PT1H",
            "99999999999999999999999, PT1H",
            "'Sun, 01 Jun 2025 12:00:30 GMT', PT30S",
            "'Sun, 01 Jun 2025 18:00:00 GMT', PT1H",
            "'Sat, 31 May 2025 12:00:00 GMT', PT0S",
    })
    void parsesRetryAfter(String header, Duration expected) {
        assertThat(withRetryAfter(header).retryAfter(NOW)).contains(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "  ", "-5", "7.5", "soon", "1e3", "Sunday, 01-Jun-25 12:00:30 GMT", "2025-06-01T12:00:30Z", "Sun, 99 Jun 2025 12:00:30 GMT"})
    void ignoresGarbageRetryAfter(String header) {
        assertThat(withRetryAfter(header).retryAfter(NOW)).isEmpty();
    }

    @Test
    void noRetryAfterHeader() {
        assertThat(new ProviderResponse(503, Map.of(), EMPTY).retryAfter()).isEmpty();
    }

    @Test
    void headersAreCaseInsensitiveAndReadOnly() {
        ProviderResponse response = new ProviderResponse(200,
                Map.of("Content-Type", List.of("application/json"), "set-cookie", List.of("a=1", "b=2")), EMPTY);

        assertThat(response.header("content-type")).contains("application/json");
        assertThat(response.header("CONTENT-TYPE")).contains("application/json");
        assertThat(response.headers().get("Set-Cookie")).containsExactly("a=1", "b=2");
        assertThat(response.header("missing")).isEmpty();
        assertThatThrownBy(() -> response.headers().put("x", List.of())).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void jsonOnlyForJsonBodies() {
        ProviderResponse json = new ProviderResponse(200, Map.of(),
                BodyClassifier.classify("application/json", "{\"a\":1}".getBytes(StandardCharsets.UTF_8), false));
        ProviderResponse html = new ProviderResponse(502, Map.of(),
                BodyClassifier.classify("text/html", "<title>502</title>".getBytes(StandardCharsets.UTF_8), false));

        assertThat(json.isJson()).isTrue();
        assertThat(json.json().get("a").asInt()).isEqualTo(1);
        assertThat(html.isJson()).isFalse();
        assertThatThrownBy(html::json).isInstanceOf(IllegalStateException.class).hasMessageContaining("HTML");
    }

    @Test
    void toStringHidesHeadersAndJson() {
        ProviderResponse response = new ProviderResponse(200, Map.of("Set-Cookie", List.of("session=SECRET")),
                BodyClassifier.classify(null, "{\"access_token\":\"SECRET\"}".getBytes(StandardCharsets.UTF_8), false));

        assertThat(response.toString()).doesNotContain("SECRET").contains("200").contains("JSON");
    }
}
