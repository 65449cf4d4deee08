package dev.connectors.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.testkit.Hostile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever a provider sends, with whatever content type: classification never throws, its snippet is
 * short and log-safe, an error page is HTML however it is labelled, and a JSON object is JSON.
 */
class BodyClassifierPropertiesTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CONTENT_TYPES = List.of("application/json", "application/json; charset=utf-8",
            "text/html", "TEXT/HTML; charset=ISO-8859-1", "text/plain", "application/xhtml+xml", "application/xml",
            "", ";;;", "application/json; charset=\"", "\u0000", "text/html\r\nX-Evil: 1");
    private static final List<String> CORPUS = List.of("akamai-access-denied", "apache-500", "aws-alb-503", "cloudflare-522",
            "cloudfront-403", "heroku-application-error", "iis-500", "login-wall", "maintenance", "nginx-502", "tomcat-404");

    @Property(tries = 2000, seed = Hostile.SEED)
    void anyBytesAnyContentTypeNeverThrowAndGiveALogSafeSnippet(@ForAll("contentTypes") String contentType,
                                                               @ForAll("bodies") byte[] body, @ForAll boolean capped) {
        ClassifiedBody c = BodyClassifier.classify(contentType, body, capped);
        assertThat(c.kind()).isNotNull();
        assertThat(c.snippet().length()).isLessThanOrEqualTo(ClassifiedBody.MAX_SNIPPET);
        assertThat(c.snippet()).doesNotContainPattern("[\\x00-\\x08\\x0a-\\x1f\\x7f]");
        HtmlErrorPage.title(body).ifPresent(t -> assertThat(t.length()).isLessThanOrEqualTo(HtmlErrorPage.MAX_TITLE));
    }

    @Property(tries = 500, seed = Hostile.SEED)
    void aRealErrorPageIsHtmlWhateverItsLabelAndWhateverFollowsIt(@ForAll("pages") String page, @ForAll("contentTypes") String contentType,
                                                                  @ForAll("tails") String tail) {
        byte[] body = (page + tail).getBytes(StandardCharsets.UTF_8);
        assertThat(BodyClassifier.classify(contentType, body, false).kind()).isEqualTo(BodyKind.HTML);
        assertThat(BodyClassifier.classify(contentType, java.util.Arrays.copyOf(body, Math.max(1, body.length / 3)), true).kind())
                .isEqualTo(BodyKind.HTML);
    }

    @Property(tries = 500, seed = Hostile.SEED)
    void aJsonObjectIsJsonUnlessCutAndItsValuesNeverReachTheSnippet(@ForAll("objects") Map<String, String> fields) throws IOException {
        byte[] body = JSON.writeValueAsBytes(fields);
        ClassifiedBody c = BodyClassifier.classify("application/json", body, false);
        assertThat(c.kind()).isEqualTo(BodyKind.JSON);
        fields.values().stream().filter(v -> v.length() >= 8).forEach(v -> assertThat(c.snippet()).doesNotContain(v));
        if (body.length > 2) {
            ClassifiedBody cut = BodyClassifier.classify("application/json", java.util.Arrays.copyOf(body, body.length - 1), false);
            assertThat(cut.kind()).isIn(BodyKind.TRUNCATED, BodyKind.NOT_UTF8);
            fields.values().stream().filter(v -> v.length() >= 8).forEach(v -> assertThat(cut.snippet()).doesNotContain(v));
        }
    }

    @Provide
    Arbitrary<String> contentTypes() {
        return Arbitraries.oneOf(Arbitraries.of(CONTENT_TYPES), Arbitraries.of(CONTENT_TYPES).injectNull(0.1), Hostile.assembled());
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        return Arbitraries.oneOf(
                Arbitraries.bytes().array(byte[].class).ofMaxSize(300),
                Hostile.strings().map(s -> s.getBytes(StandardCharsets.UTF_8)),
                Hostile.strings().map(s -> s.getBytes(StandardCharsets.UTF_16LE)),
                Hostile.strings().map(s -> ("\uFEFF" + s).getBytes(StandardCharsets.UTF_16)),
                Arbitraries.of(CORPUS).map(BodyClassifierPropertiesTest::page).flatMap(p -> Hostile.strings().map(s -> (s + p).getBytes(StandardCharsets.UTF_8))));
    }

    @Provide
    Arbitrary<String> pages() {
        return Arbitraries.of(CORPUS).map(BodyClassifierPropertiesTest::page);
    }

    @Provide
    Arbitrary<String> tails() {
        return Hostile.strings();
    }

    @Provide
    Arbitrary<Map<String, String>> objects() {
        return Arbitraries.maps(Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(12), Hostile.strings()).ofMinSize(1).ofMaxSize(5);
    }

    private static String page(String name) {
        try (InputStream in = BodyClassifierPropertiesTest.class.getResourceAsStream("/html-corpus/" + name + ".html")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
