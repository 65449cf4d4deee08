package dev.connectors.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.stream.Stream;

import static dev.connectors.http.HtmlErrorPageTest.resource;
import static dev.connectors.http.HtmlErrorPageTest.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BodyClassifierTest {
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("dev.connectors.http.HtmlErrorPageTest#corpus")
    void corpusPagesAreHtmlWithTheirTitle(String file, String contentType, String title) {
        for (boolean capped : new boolean[] {false, true}) {
            ClassifiedBody body = BodyClassifier.classify(contentType, resource(file), capped);

            assertThat(body.kind()).isEqualTo(BodyKind.HTML);
            assertThat(body.htmlTitle()).isEqualTo(title);
            assertThat(body.snippet()).isEqualTo(title);
            assertThat(body.json()).isNull();
        }
    }

    static Stream<Arguments> bodies() {
        byte[] invalidUtf8 = {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, 0x28, (byte) 0xA0, (byte) 0xA1, '"', '}'};
        byte[] garbage = new byte[512];
        new Random(7).nextBytes(garbage);
        garbage[0] = (byte) 0x80; // not a BOM, not markup
        return Stream.of(
                Arguments.of("empty", "application/json", new byte[0], BodyKind.EMPTY),
                Arguments.of("whitespace only", "application/json", utf8(" \r\n\t "), BodyKind.EMPTY),
                Arguments.of("whitespace as text/html", "text/html", utf8("\n\n"), BodyKind.EMPTY),
                Arguments.of("BOM only", "application/json", BOM, BodyKind.EMPTY),
                Arguments.of("JSON object", "application/json", utf8("{\"access_token\":\"t\",\"expires_in\":3600}"), BodyKind.JSON),
                Arguments.of("JSON array", "application/json", utf8(" [1, {\"a\": []}] \n"), BodyKind.JSON),
                Arguments.of("JSON with BOM", "application/json", concat(BOM, utf8("{\"ok\":true}")), BodyKind.JSON),
                Arguments.of("JSON in UTF-16 with BOM", "application/json",
                        concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, "{\"ok\":true}".getBytes(StandardCharsets.UTF_16LE)), BodyKind.JSON),
                Arguments.of("JSON labelled text/html", "text/html", utf8("{\"error\":\"invalid_grant\"}"), BodyKind.JSON),
                Arguments.of("JSON labelled text/plain", "text/plain", utf8("{\"error\":\"x\"}"), BodyKind.JSON),
                Arguments.of("bare string", null, utf8("\"just a string\""), BodyKind.JSON),
                Arguments.of("bare number", null, utf8("42"), BodyKind.JSON),
                Arguments.of("bare true", null, utf8("true"), BodyKind.JSON),
                Arguments.of("truncated token response", "application/json", utf8("{\"access_token\": \"ab"), BodyKind.TRUNCATED),
                Arguments.of("truncated in a literal", "application/json", utf8("{\"active\": tr"), BodyKind.TRUNCATED),
                Arguments.of("truncated in a number", "application/json", utf8("{\"expires_in\": 36"), BodyKind.TRUNCATED),
                Arguments.of("truncated in an exponent", null, utf8("[1.5e"), BodyKind.TRUNCATED),
                Arguments.of("truncated after a comma", "application/json", utf8("{\"a\": 1,"), BodyKind.TRUNCATED),
                Arguments.of("truncated array", "application/json", utf8("[1, 2"), BodyKind.TRUNCATED),
                Arguments.of("truncated string", null, utf8("\"abc"), BodyKind.TRUNCATED),
                Arguments.of("malformed JSON", "application/json", utf8("{\"a\" 1}"), BodyKind.TEXT),
                Arguments.of("two JSON values", "application/json", utf8("{} {}"), BodyKind.TEXT),
                Arguments.of("JSON then garbage", "application/json", utf8("{\"a\":1}x"), BodyKind.TEXT),
                Arguments.of("XML error doc", "application/xml",
                        utf8("<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"), BodyKind.XML),
                Arguments.of("XML error doc as JSON", "application/json",
                        utf8("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>InternalError</Code></Error>"), BodyKind.XML),
                Arguments.of("XML without prolog", null, utf8("<Error><Code>SlowDown</Code></Error>"), BodyKind.XML),
                Arguments.of("plain Bad Gateway", "text/plain", utf8("Bad Gateway"), BodyKind.TEXT),
                Arguments.of("plain Bad Gateway, no type", null, utf8("Bad Gateway"), BodyKind.TEXT),
                Arguments.of("plain text labelled JSON", "application/json", utf8("upstream connect error or disconnect/reset before headers"), BodyKind.TEXT),
                Arguments.of("status line text", "text/plain", utf8("404 Not Found"), BodyKind.TEXT),
                Arguments.of("form encoded", "application/x-www-form-urlencoded", utf8("access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&scope=repo&token_type=bearer"), BodyKind.TEXT),
                Arguments.of("text labelled html", "text/html", utf8("Bad Gateway"), BodyKind.HTML),
                Arguments.of("invalid UTF-8", "application/json", invalidUtf8, BodyKind.NOT_UTF8),
                Arguments.of("binary garbage", "application/octet-stream", garbage, BodyKind.NOT_UTF8),
                Arguments.of("binary garbage, no type", null, garbage, BodyKind.NOT_UTF8),
                Arguments.of("Latin-1 html sniffed", null, concat(utf8("<html><title>Fehler</title>"), new byte[] {(byte) 0xFC}), BodyKind.HTML),
                Arguments.of("deeply nested JSON", "application/json", utf8("[".repeat(5000) + "]".repeat(5000)), BodyKind.TEXT));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bodies")
    void classifies(String name, String contentType, byte[] body, BodyKind expected) {
        ClassifiedBody classified = BodyClassifier.classify(contentType, body, false);

        assertThat(classified.kind()).isEqualTo(expected);
        assertThat(classified.json() != null).isEqualTo(expected == BodyKind.JSON);
        assertThat(classified.snippet()).hasSizeLessThanOrEqualTo(ClassifiedBody.MAX_SNIPPET);
    }

    @Test
    void nullBodyAndNullContentTypeAreEmpty() {
        assertThat(BodyClassifier.classify(null, null, false).kind()).isEqualTo(BodyKind.EMPTY);
    }

    @Test
    void parsesJsonValues() {
        ClassifiedBody body = BodyClassifier.classify("application/json", utf8("{\"access_token\":\"secret-token\",\"expires_in\":3600}"), false);

        assertThat(body.json().get("expires_in").asInt()).isEqualTo(3600);
        assertThat(body.snippet()).isEqualTo("JSON object with fields access_token, expires_in").doesNotContain("secret-token");
        assertThat(body.toString()).doesNotContain("secret-token");
        assertThat(BodyClassifier.classify(null, utf8("[1,2,3]"), false).snippet()).isEqualTo("JSON array of 3 items");
        assertThat(BodyClassifier.classify(null, utf8("\"tok\""), false).snippet()).isEqualTo("JSON string");
    }

    @Test
    void cappedBodiesAreTruncatedUnlessHtml() {
        ClassifiedBody json = BodyClassifier.classify("application/json", utf8("{\"access_token\": \"abcdef"), true);
        ClassifiedBody text = BodyClassifier.classify("text/plain", utf8("log line one\nlog line two"), true);
        // a cut in the middle of a multi-byte character is the cap's doing, not bad encoding
        ClassifiedBody cutChar = BodyClassifier.classify("text/plain", new byte[] {'a', (byte) 0xC3}, true);

        assertThat(json.kind()).isEqualTo(BodyKind.TRUNCATED);
        assertThat(json.snippet()).isEqualTo("body over the 24-byte cap");
        assertThat(text.kind()).isEqualTo(BodyKind.TRUNCATED);
        assertThat(text.snippet()).isEqualTo("body over the 25-byte cap: log line one log line two");
        assertThat(cutChar.kind()).isEqualTo(BodyKind.TRUNCATED);
    }

    @Test
    void truncatedJsonSnippetHoldsNoContent() {
        ClassifiedBody body = BodyClassifier.classify("application/json", utf8("{\"access_token\": \"ab"), false);

        assertThat(body.snippet()).isEqualTo("JSON ended early after 20 chars");
    }

    @Test
    void snippetsAreLogSafe() {
        ClassifiedBody control = BodyClassifier.classify("text/plain", utf8("Bad\u0000 Gate\u001b[2Jway\r\nFAKE LOG LINE\u2028\u202Eevil"), false);
        ClassifiedBody form = BodyClassifier.classify(null, utf8("access_token=gho_16C7e42F292c6912E7710c838347Ae178B4a&refresh_token=r1&scope=repo"), false);
        ClassifiedBody jsonish = BodyClassifier.classify(null, utf8("error: {\"refresh_token\": \"rt-1\", \"note\": \"eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln\"}"), false);
        ClassifiedBody longText = BodyClassifier.classify(null, utf8("word ".repeat(1000)), false);
        ClassifiedBody htmlNoTitle = BodyClassifier.classify(null,
                utf8("<center><h1>502 Bad Gateway</h1></center><script>var code='x'</script><!-- c -->\n<hr><center>nginx</center>"), false);

        assertThat(control.snippet()).isEqualTo("Bad Gate[2Jway FAKE LOG LINE evil");
        assertThat(form.snippet()).isEqualTo("access_token=[redacted]&refresh_token=[redacted]&scope=repo");
        assertThat(jsonish.snippet()).doesNotContain("rt-1").doesNotContain("eyJ");
        assertThat(longText.snippet()).hasSize(ClassifiedBody.MAX_SNIPPET).endsWith("…");
        assertThat(htmlNoTitle.kind()).isEqualTo(BodyKind.HTML);
        assertThat(htmlNoTitle.htmlTitle()).isNull();
        assertThat(htmlNoTitle.snippet()).isEqualTo("502 Bad Gateway nginx");
    }

    @Test
    void xmlSnippetShowsTheDocument() {
        ClassifiedBody body = BodyClassifier.classify("application/xml",
                utf8("<?xml version=\"1.0\"?>\n<Error>\n  <Code>AccessDenied</Code>\n</Error>"), false);

        assertThat(body.snippet()).isEqualTo("<?xml version=\"1.0\"?> <Error> <Code>AccessDenied</Code> </Error>");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 1, 2, 3, 17, 1000, 70_000})
    void neverThrowsOnRandomBytes(int length) {
        Random random = new Random(length);
        for (int i = 0; i < 200; i++) {
            byte[] body = new byte[length];
            random.nextBytes(body);
            boolean capped = random.nextBoolean();
            assertThatCode(() -> {
                ClassifiedBody classified = BodyClassifier.classify(null, body, capped);
                assertThat(classified.kind()).isNotNull();
                assertThat(classified.snippet()).hasSizeLessThanOrEqualTo(ClassifiedBody.MAX_SNIPPET);
            }).doesNotThrowAnyException();
        }
    }

    @Test
    void classifiedBodyKeepsJsonAndKindConsistent() {
        assertThatThrownBy(() -> new ClassifiedBody(BodyKind.JSON, null, null, "")).isInstanceOf(IllegalArgumentException.class);
        assertThat(new ClassifiedBody(BodyKind.TEXT, null, null, null).snippet()).isEmpty();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
