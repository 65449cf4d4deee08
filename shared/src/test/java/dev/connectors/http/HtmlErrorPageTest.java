package dev.connectors.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class HtmlErrorPageTest {

    /** Every page in test resources html-corpus/ with the title it must yield. */
    static final Map<String, String> CORPUS = new LinkedHashMap<>();

    static {
        CORPUS.put("nginx-502.html", "502 Bad Gateway");
        CORPUS.put("cloudflare-attention-required.html", "Attention Required! | Cloudflare");
        CORPUS.put("cloudflare-522.html", "auth.example.com | 522: Connection timed out");
        CORPUS.put("aws-alb-503.html", "503 Service Temporarily Unavailable");
        CORPUS.put("heroku-application-error.html", "Application Error");
        CORPUS.put("maintenance.html", "Down for maintenance — Example Identity");
        CORPUS.put("login-wall.html", "Redirecting to sign in…");
        CORPUS.put("iis-500.html", "500 - Internal server error.");
        CORPUS.put("apache-500.html", "500 Internal Server Error");
        CORPUS.put("google-404.html", "Error 404 (Not Found)!!1");
        CORPUS.put("bom-uppercase-doctype.html", "Service Unavailable - Please retry");
        CORPUS.put("comment-first.html", "503 Backend fetch failed");
        CORPUS.put("xhtml-xml-prolog.html", "Error 502 - Proxy Error");
        CORPUS.put("akamai-access-denied.html", "Access Denied");
        CORPUS.put("cloudfront-403.html", "ERROR: The request could not be satisfied");
        CORPUS.put("tomcat-404.html", "HTTP Status 404 – Not Found");
        CORPUS.put("utf16le-bom-iis.html", "HTTP Error 503. The service is unavailable.");
    }

    /** Each page under each content type a provider might (wrongly) send with it. */
    static Stream<Arguments> corpus() {
        String[] contentTypes = {"text/html; charset=utf-8", "application/json", "application/json;charset=UTF-8",
                "text/plain", "application/octet-stream", null};
        return CORPUS.entrySet().stream().flatMap(page -> Arrays.stream(contentTypes)
                .map(ct -> Arguments.of(page.getKey(), ct, page.getValue())));
    }

    static byte[] resource(String name) {
        try (InputStream in = HtmlErrorPageTest.class.getResourceAsStream("/html-corpus/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("corpus")
    void corpusPagesAreHtmlWhateverTheContentType(String file, String contentType, String title) {
        byte[] body = resource(file);

        assertThat(HtmlErrorPage.looksLikeHtml(contentType, body)).isTrue();
        assertThat(HtmlErrorPage.title(body)).contains(title);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "<center><h1>502 Bad Gateway</h1></center>",
            "<p>Service unavailable</p>",
            "<div class=\"error\">Something broke</div>",
            "<h1>Forbidden</h1>",
            "<script>window.location = '/login';</script>",
            "<body>oops</body>",
            "<head><meta charset=utf-8></head>",
            "<a href=\"/login\">Found</a>.",
            "<br />\n<b>Fatal error</b>:  Uncaught Error in /var/www/index.php",
            "  \r\n\t<HTML>",
            "<!DOCTYPE html>",
            "<!doctype HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\">",
            "<!-- a --><!-- b --> <TITLE>x</TITLE>",
            "<?xml version=\"1.0\"?>\n<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Strict//EN\" \"x\">\n<html>",
            "<!--[if lt IE 9]><html class=\"ie\"><![endif]-- never closed",
    })
    void sniffsHtmlFragmentsWithoutContentType(String body) {
        assertThat(HtmlErrorPage.looksLikeHtml(null, utf8(body))).isTrue();
        assertThat(HtmlErrorPage.looksLikeHtml("application/json", utf8(body))).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"error\":\"invalid_grant\"}",
            "[1,2]",
            "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
            "<Error><Code>AccessDenied</Code></Error>",
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>x</title></feed>",
            "<!DOCTYPE note SYSTEM \"note.dtd\"><note/>",
            "<!-- generated --><Error/>",
            "<paragraph>text</paragraph>",
            "<pre-x>",
            "<?php echo 1; ?>",
            "Bad Gateway",
            "404 page not found",
            "<",
            "<!doctype",
            "<?xml",
            "   \n\t ",
    })
    void doesNotCallOtherBodiesHtml(String body) {
        assertThat(HtmlErrorPage.looksLikeHtml(null, utf8(body))).isFalse();
        assertThat(HtmlErrorPage.looksLikeHtml("application/xml", utf8(body))).isFalse();
    }

    @Test
    void htmlContentTypeCountsUnlessTheBodyIsJsonOrBlank() {
        assertThat(HtmlErrorPage.looksLikeHtml("text/html", utf8("Bad Gateway"))).isTrue();
        assertThat(HtmlErrorPage.looksLikeHtml("TEXT/HTML; charset=ISO-8859-1", utf8("Fehler"))).isTrue();
        assertThat(HtmlErrorPage.looksLikeHtml("application/xhtml+xml", utf8("<?xml version=\"1.0\"?><x/>"))).isTrue();
        assertThat(HtmlErrorPage.looksLikeHtml("text/html", utf8(" {\"access_token\":\"x\"}"))).isFalse();
        assertThat(HtmlErrorPage.looksLikeHtml("text/html", utf8("[]"))).isFalse();
        assertThat(HtmlErrorPage.looksLikeHtml("text/html", utf8("  \n"))).isFalse();
    }

    @ParameterizedTest
    @NullAndEmptySource
    void nothingIsNotHtml(byte[] body) {
        assertThat(HtmlErrorPage.looksLikeHtml("text/html", body)).isFalse();
        assertThat(HtmlErrorPage.title(body)).isEmpty();
    }

    @ParameterizedTest
    @MethodSource("titles")
    void extractsTitlesForLogs(String page, String expected) {
        assertThat(HtmlErrorPage.title(utf8(page)).orElse(null)).isEqualTo(expected);
    }

    static Stream<Arguments> titles() {
        String longTitle = "Maintenance ".repeat(30);
        return Stream.of(
                Arguments.of("<html><head><title>  a\n\t  b  </title>", "a b"),
                Arguments.of("<title id=\"t\" lang=en>Attr</title>", "Attr"),
                Arguments.of("<title>Tom &amp; Jerry &lt;3 &#39;x&#x27; &#65;&#X42; &bogus; &</title>", "Tom & Jerry <3 'x' AB &bogus; &"),
                Arguments.of("<title>bad &#0; &#xD800; &#99999999; ref</title>", "bad &#99999999; ref"),
                Arguments.of("<title>Oops, cut", "Oops, cut"),
                Arguments.of("<title>Oops<b>bold</b></title>", "Oops<b>bold</b>"),
                Arguments.of("<title>ctrl\u0000\u001b[31m\u202Ered\u0007</title>", "ctrl[31mred"),
                Arguments.of("<title></title>", null),
                Arguments.of("<title>   </title>", null),
                Arguments.of("<titles>no</titles>", null),
                Arguments.of("<html><body>no title</body></html>", null),
                Arguments.of("<title", null),
                Arguments.of("<title>" + longTitle + "</title>", longTitle.substring(0, 119) + "…"));
    }

    @Test
    void neverThrowsOnBinaryOrOddInput() {
        Random random = new Random(42);
        for (int i = 0; i < 2000; i++) {
            byte[] body = new byte[random.nextInt(300)];
            random.nextBytes(body);
            String contentType = i % 2 == 0 ? "text/html" : null;
            assertThatCode(() -> {
                HtmlErrorPage.looksLikeHtml(contentType, body);
                HtmlErrorPage.title(body);
            }).doesNotThrowAnyException();
        }
        byte[][] odd = {
                {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, {(byte) 0xFF, (byte) 0xFE}, {(byte) 0xFE, (byte) 0xFF, 0x00},
                {(byte) 0xFF, (byte) 0xFE, '<', 0, 't'}, utf8("<title>&#xFFFFFF;&#9999999;</title>"), {0, 0, 0, 0}};
        for (byte[] body : odd) {
            assertThatCode(() -> {
                HtmlErrorPage.looksLikeHtml(null, body);
                HtmlErrorPage.title(body);
            }).doesNotThrowAnyException();
        }
    }

    @Test
    void staysFastOnHugeBodies() {
        byte[] unclosedComment = utf8("<!--" + "x".repeat(4 * 1024 * 1024));
        byte[] manyTitleLookalikes = utf8("<html>" + "<titlex>".repeat(500_000));
        byte[] whitespaceThenHtml = utf8(" ".repeat(4 * 1024 * 1024) + "<html>");
        assertTimeoutPreemptively(Duration.ofSeconds(2), () -> {
            for (int i = 0; i < 20; i++) {
                assertThat(HtmlErrorPage.looksLikeHtml(null, unclosedComment)).isFalse();
                assertThat(HtmlErrorPage.title(manyTitleLookalikes)).isEmpty();
                // only the first few KiB are sniffed: markup this late does not count
                assertThat(HtmlErrorPage.looksLikeHtml(null, whitespaceThenHtml)).isFalse();
            }
        });
    }
}
