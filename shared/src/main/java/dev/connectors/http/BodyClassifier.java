package dev.connectors.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Decides what a provider's body really is. Order matters: HTML sniffing wins over everything
 * (a cut HTML page is still an error page), then the size cap, then encoding, XML, and JSON.
 * Never throws on any input.
 */
public final class BodyClassifier {
    /**
     * Shared and thread-safe once configured. Jackson's default stream constraints (nesting depth,
     * string and number lengths) stay on; our body cap bounds the rest. Trailing tokens are
     * rejected so that "404 Not Found" is not read as the number 404.
     */
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private BodyClassifier() {
    }

    public static ClassifiedBody classify(String contentType, byte[] body, boolean cappedAtLimit) {
        if (body == null || body.length == 0) {
            return new ClassifiedBody(BodyKind.EMPTY, null, null, "");
        }
        if (HtmlErrorPage.looksLikeHtml(contentType, body)) {
            String title = HtmlErrorPage.title(body).orElse(null);
            String snippet = title != null ? title : HtmlErrorPage.visibleText(body, ClassifiedBody.MAX_SNIPPET);
            return new ClassifiedBody(BodyKind.HTML, null, title, snippet);
        }
        if (cappedAtLimit) {
            String text = HtmlErrorPage.decode(body, HtmlErrorPage.SNIFF_BYTES);
            return new ClassifiedBody(BodyKind.TRUNCATED, null, null,
                    describeCut("body over the " + body.length + "-byte cap", text));
        }
        String text = decodeStrict(body);
        if (text == null) {
            return new ClassifiedBody(BodyKind.NOT_UTF8, null, null, body.length + " bytes, not valid UTF-8");
        }
        String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return new ClassifiedBody(BodyKind.EMPTY, null, null, "");
        }
        if (looksLikeXml(trimmed)) {
            return new ClassifiedBody(BodyKind.XML, null, null, trimmed);
        }
        return parseJson(trimmed);
    }

    private static ClassifiedBody parseJson(String text) {
        try {
            JsonNode json = MAPPER.readTree(text);
            return new ClassifiedBody(BodyKind.JSON, json, null, describe(json));
        } catch (JsonProcessingException e) {
            if (startsLikeJson(text) && endedEarly(e, text)) {
                return new ClassifiedBody(BodyKind.TRUNCATED, null, null, "JSON ended early after " + text.length() + " chars");
            }
            return new ClassifiedBody(BodyKind.TEXT, null, null, text, text);
        }
    }

    /** The parser ran out of input, or stopped at a partial literal or number that runs to the end. */
    private static boolean endedEarly(JsonProcessingException e, String text) {
        if (e instanceof JsonEOFException) {
            return true;
        }
        long offset = e.getLocation() == null ? -1 : e.getLocation().getCharOffset();
        if (offset < 0 || offset >= text.length()) {
            return offset >= text.length(); // failed exactly at the end: e.g. after a trailing comma
        }
        String tail = text.substring((int) offset);
        return "true".startsWith(tail) || "false".startsWith(tail) || "null".startsWith(tail)
                || tail.matches("-?[0-9]+(\\.[0-9]*)?([eE][+-]?[0-9]*)?");
    }

    private static boolean startsLikeJson(String text) {
        char c = text.charAt(0);
        return c == '{' || c == '[' || c == '"';
    }

    /** Markup that is not HTML: an XML prolog, an element, a doctype or a comment. */
    private static boolean looksLikeXml(String text) {
        if (text.length() < 2 || text.charAt(0) != '<') {
            return false;
        }
        char c = text.charAt(1);
        return c == '?' || c == '!' || Character.isLetter(c);
    }

    /** Structure only: JSON values may be tokens. */
    private static String describe(JsonNode json) {
        if (json.isObject()) {
            StringJoiner names = new StringJoiner(", ", "JSON object with fields ", "");
            json.properties().forEach(p -> names.add(p.getKey()));
            return names.toString();
        }
        if (json.isArray()) {
            return "JSON array of " + json.size() + " items";
        }
        return "JSON " + json.getNodeType().name().toLowerCase(Locale.ROOT);
    }

    /** JSON-looking text is not quoted (it may hold a token); other text is, cleaned. */
    private static String describeCut(String what, String text) {
        String trimmed = text.strip();
        return trimmed.isEmpty() || startsLikeJson(trimmed) ? what : what + ": " + trimmed;
    }

    /** Null when the bytes are not valid in their encoding (UTF-8, or UTF-16 after a UTF-16 BOM). */
    private static String decodeStrict(byte[] body) {
        int offset = HtmlErrorPage.bomLength(body);
        try {
            CharBuffer chars = HtmlErrorPage.charset(body).newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body, offset, body.length - offset));
            return chars.toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }
}
