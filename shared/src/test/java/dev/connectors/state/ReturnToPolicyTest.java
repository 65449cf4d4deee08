package dev.connectors.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReturnToPolicyTest {
    private final ReturnToPolicy policy = new ReturnToPolicy(List.of("https://app.example.com"));

    static Stream<String> attacks() {
        return Stream.of(
                "//evil.example",
                "https:evil.example",
                "https:/evil.example",
                "https://evil.example",
                "https://app.example.com@evil.example/",
                "https://evil.example#@app.example.com",
                "https://evil.example\\@app.example.com",
                "https://evil.example?@app.example.com",
                "https://app.example.com.evil.example/",
                "https://app.example.com./x",
                "http://app.example.com/x",
                "https://app.example.com:444/",
                "https://app.example.com:/",
                "https://app.example.com:0443/x/../",
                "https://app.example.com:99999/",
                "javascript:alert(1)",
                "JavaScript://app.example.com/%0aalert(1)",
                "data:text/html,<script>alert(1)</script>",
                "https://app.example.com%2f@evil.example",
                "https://app.example.com%2F@evil.example",
                "https://app%2eexample%2ecom/",
                "https://user:pw@app.example.com/",
                "/relative/path",
                "relative/path",
                "https://app.example.com\t/x",
                "https://app.example.com\n/x",
                "https://app.example.com\r\n/x",
                "https://app.example.com/\u0000",
                " https://app.example.com/",
                "https://app.example.com/ ",
                "https://аpp.example.com/", // Cyrillic 'а'
                "https://app.example.com/x\"onload",
                "https://app.example.com/%zz",
                "https://[::1]/",
                "https://app_example.com/",
                "ftp://app.example.com/",
                "https://app.example.com" + "/a".repeat(2500));
    }

    @ParameterizedTest
    @MethodSource("attacks")
    void attackStringsAreRejected(String returnTo) {
        assertThatThrownBy(() -> policy.check(returnTo))
                .isInstanceOfSatisfying(ConnectorException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_RETURN_TO));
    }

    @Test
    void fiveThousandCharUrlIsRejected() {
        String longUrl = "https://app.example.com/?q=" + "a".repeat(5000 - 27);
        assertThat(longUrl).hasSize(5000);
        assertThatThrownBy(() -> policy.check(longUrl)).isInstanceOf(ConnectorException.class);
        assertThat(policy.check("https://app.example.com/?q=" + "a".repeat(2048 - 27))).isPresent();
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "https://app.example.com/settings/integrations?x=1",
        "https://app.example.com:443/a",
        "https://APP.EXAMPLE.COM/x",
        "HTTPS://app.example.com",
        "https://app.example.com",
        "https://app.example.com/",
        "https://app.example.com?x=1",
        "https://app.example.com#frag",
        "https://app.example.com//evil.example/path",
        "https://app.example.com/a%20b?c=%2F"})
    void sameOriginIsAccepted(String returnTo) {
        URI uri = policy.check(returnTo).orElseThrow();
        assertThat(uri.getScheme()).isEqualTo("https");
        assertThat(uri.getHost()).isEqualTo("app.example.com");
        assertThat(uri.getPort()).isEqualTo(-1);
        assertThat(uri.getRawUserInfo()).isNull();
    }

    @Test
    void acceptedUrlIsRebuiltOnTheNormalisedOrigin() {
        assertThat(policy.check("https://APP.EXAMPLE.COM:443/a/b?x=1#f").orElseThrow())
                .hasToString("https://app.example.com/a/b?x=1#f");
    }

    @Test
    void emptyMeansNoReturnTo() {
        assertThat(policy.check(null)).isEmpty();
        assertThat(policy.check("")).isEmpty();
    }

    @Test
    void localhostWithPortAndHttp() {
        ReturnToPolicy dev = ReturnToPolicy.parse(" http://localhost:3000 , https://app.example.com/ ,");
        assertThat(dev.allowedOrigins()).containsExactly("http://localhost:3000", "https://app.example.com");
        assertThat(dev.check("http://localhost:3000/cb")).isPresent();
        assertThatThrownBy(() -> dev.check("http://localhost:3001/cb")).isInstanceOf(ConnectorException.class);
        assertThatThrownBy(() -> dev.check("http://localhost/cb")).isInstanceOf(ConnectorException.class);
        assertThatThrownBy(() -> dev.check("https://localhost:3000/cb")).isInstanceOf(ConnectorException.class);
    }

    @Test
    void configNormalisesCaseAndDefaultPorts() {
        ReturnToPolicy p = new ReturnToPolicy(List.of("HTTPS://App.Example.COM:443", "http://x.test:80"));
        assertThat(p.allowedOrigins()).containsExactly("https://app.example.com", "http://x.test");
        assertThat(p.check("https://app.example.com/x")).isPresent();
        assertThat(p.check("http://x.test:80/")).isPresent();
    }

    @Test
    void blankConfigAllowsNothing() {
        ReturnToPolicy none = ReturnToPolicy.parse("  ");
        assertThat(none.allowedOrigins()).isEmpty();
        assertThat(none.check("")).isEmpty();
        assertThatThrownBy(() -> none.check("https://app.example.com/")).isInstanceOf(ConnectorException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"app.example.com", "https://app.example.com/path", "https://*.example.com",
        "https://app.example.com.", "ftp://app.example.com", "https://user@app.example.com",
        "https://app.example.com?x", "https://app.example.com#x", "https://", "https://app.example.com:0",
        "https://app.example.com:", "https://app example.com", "javascript:alert(1)"})
    void malformedConfigIsRejected(String origin) {
        assertThatThrownBy(() -> new ReturnToPolicy(List.of(origin)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectionDetailNamesTheCheck() {
        assertThatThrownBy(() -> policy.check("https://evil.example/"))
                .isInstanceOf(ConnectorException.class).hasMessageContaining("not allowed");
    }

    @Test
    void withParamsAppendsEncodedParamsKeepsQueryDropsFragment() {
        URI base = URI.create("https://app.example.com/settings?tab=int%20egrations&x=1#section");
        Map<String, String> params = new LinkedHashMap<>();
        params.put("error", "access_denied");
        params.put("message", "You cancelled Slack & co. 100% = sure?/#");
        assertThat(ReturnToPolicy.withParams(base, params)).hasToString(
                "https://app.example.com/settings?tab=int%20egrations&x=1&error=access_denied"
                        + "&message=You%20cancelled%20Slack%20%26%20co.%20100%25%20%3D%20sure%3F%2F%23");
    }

    @Test
    void withParamsOnBareOriginAndReplacesSameNamedParams() {
        assertThat(ReturnToPolicy.withParams(URI.create("https://app.example.com"), Map.of("connected", "slack")))
                .hasToString("https://app.example.com?connected=slack");
        assertThat(ReturnToPolicy.withParams(
                URI.create("https://app.example.com/x?connected=evil&a=b&error=x"), Map.of("connected", "slack")))
                .hasToString("https://app.example.com/x?a=b&error=x&connected=slack");
        assertThat(ReturnToPolicy.withParams(URI.create("https://app.example.com/x?#f"), Map.of()))
                .hasToString("https://app.example.com/x");
    }

    @Test
    void withParamsOutputRoundTripsThroughUri() {
        URI uri = ReturnToPolicy.withParams(URI.create("https://app.example.com/"), Map.of("message", "é ü ✓ +"));
        assertThat(uri.getQuery()).isEqualTo("message=é ü ✓ +");
    }
}
