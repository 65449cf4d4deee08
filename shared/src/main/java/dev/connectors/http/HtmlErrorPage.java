package dev.connectors.http;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Recognises HTML error pages (proxy 502s, Cloudflare, maintenance pages, login walls) whatever
 * the Content-Type says. Only looks at a bounded prefix of the body, so it is cheap on huge bodies,
 * and never throws: any input, including null and binary, gives an answer.
 */
public final class HtmlErrorPage {
    /** How much of the body is sniffed: real pages start markup within the first few hundred bytes. */
    static final int SNIFF_BYTES = 4096;
    /** Titles live in the head; a later one is probably not the page's. */
    static final int TITLE_SCAN_BYTES = 64 * 1024;
    static final int MAX_TITLE = 120;

    /** First tags seen on real error pages, including fragments without {@code <html>} (nginx, Go redirects, PHP). */
    private static final Set<String> HTML_START_TAGS = Set.of(
            "html", "head", "body", "title", "meta", "link", "style", "script", "noscript", "base",
            "div", "p", "span", "a", "b", "i", "em", "strong", "font", "br", "hr", "pre", "center",
            "h1", "h2", "h3", "h4", "h5", "h6", "table", "form", "iframe", "img", "ul", "ol",
            "main", "header", "section", "nav");

    private static final Map<String, String> NAMED_ENTITIES = Map.ofEntries(
            Map.entry("amp", "&"), Map.entry("lt", "<"), Map.entry("gt", ">"), Map.entry("quot", "\""),
            Map.entry("apos", "'"), Map.entry("nbsp", " "), Map.entry("middot", "·"), Map.entry("ndash", "–"),
            Map.entry("mdash", "—"), Map.entry("hellip", "…"), Map.entry("rsquo", "’"), Map.entry("lsquo", "‘"),
            Map.entry("rdquo", "”"), Map.entry("ldquo", "“"), Map.entry("copy", "©"), Map.entry("raquo", "»"),
            Map.entry("laquo", "«"));
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z]{2,8});");
    private static final Pattern SCRIPT_OR_STYLE = Pattern.compile("(?is)<(script|style)\\b.*?</\\1\\s*>");
    private static final Pattern COMMENT = Pattern.compile("(?s)<!--.*?-->");
    private static final Pattern TAG = Pattern.compile("<[^>]*>?");

    private HtmlErrorPage() {
    }

    /**
     * True when the content type says HTML (and the body is not obviously JSON mislabelled as
     * HTML), or when the body itself starts like HTML, whatever the content type.
     */
    public static boolean looksLikeHtml(String contentType, byte[] body) {
        if (body == null || body.length == 0) {
            return false;
        }
        String head = decode(body, SNIFF_BYTES);
        int start = skipWhitespace(head, 0);
        if (start >= head.length()) {
            return false;
        }
        if (isHtmlContentType(contentType)) {
            char first = head.charAt(start);
            // some providers label JSON as text/html; the JSON parser gets to decide those
            return first != '{' && first != '[';
        }
        return sniff(head, start);
    }

    /** The page's {@code <title>}, whitespace-collapsed, common entities decoded, at most ~120 chars. */
    public static Optional<String> title(byte[] body) {
        if (body == null || body.length == 0) {
            return Optional.empty();
        }
        String text = decode(body, TITLE_SCAN_BYTES);
        int open = indexOfTag(text, "title", 0);
        if (open < 0) {
            return Optional.empty();
        }
        int contentStart = text.indexOf('>', open);
        if (contentStart < 0) {
            return Optional.empty();
        }
        contentStart++;
        int end = indexOfIgnoreCase(text, "</title", contentStart);
        if (end < 0) {
            // unclosed title (e.g. a cut body): take text up to the next tag
            end = text.indexOf('<', contentStart);
            if (end < 0) {
                end = text.length();
            }
        }
        end = Math.min(end, contentStart + MAX_TITLE * 8);
        String title = LogText.clean(decodeEntities(text.substring(contentStart, end)), MAX_TITLE);
        return title.isEmpty() ? Optional.empty() : Optional.of(title);
    }

    /** Visible text of the page's start (scripts, styles, comments and tags removed); for log snippets. */
    static String visibleText(byte[] body, int maxChars) {
        if (body == null || body.length == 0) {
            return "";
        }
        String text = decode(body, SNIFF_BYTES);
        text = SCRIPT_OR_STYLE.matcher(text).replaceAll(" ");
        text = COMMENT.matcher(text).replaceAll(" ");
        text = TAG.matcher(text).replaceAll(" ");
        return LogText.clean(decodeEntities(text), maxChars);
    }

    static boolean isHtmlContentType(String contentType) {
        String type = mediaType(contentType);
        return type.equals("text/html") || type.equals("application/xhtml+xml");
    }

    /** "Application/JSON; charset=utf-8" → "application/json"; null → "". */
    static String mediaType(String contentType) {
        if (contentType == null) {
            return "";
        }
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    /**
     * Walks past an XML prolog and comments, then judges the first markup. After an XML prolog only
     * an html root or doctype counts, so XML error documents stay XML.
     */
    private static boolean sniff(String s, int i) {
        boolean afterXmlProlog = false;
        for (int steps = 0; steps < 32 && i < s.length(); steps++) {
            if (s.startsWith("<!--", i)) {
                int end = s.indexOf("-->", i + 4);
                if (end < 0) {
                    // comment runs past the window: decide on whether html markup appears inside it
                    return indexOfTag(s, "html", i) >= 0 || indexOfIgnoreCase(s, "<!doctype html", i) >= 0;
                }
                i = skipWhitespace(s, end + 3);
            } else if (s.startsWith("<?", i)) {
                if (!s.regionMatches(true, i, "<?xml", 0, 5)) {
                    return false;
                }
                int end = s.indexOf("?>", i);
                if (end < 0) {
                    return false;
                }
                afterXmlProlog = true;
                i = skipWhitespace(s, end + 2);
            } else if (s.regionMatches(true, i, "<!doctype", 0, 9)) {
                int name = skipWhitespace(s, i + 9);
                return s.regionMatches(true, name, "html", 0, 4) && isNameEnd(s, name + 4);
            } else if (s.startsWith("<", i)) {
                String tag = tagName(s, i + 1);
                return afterXmlProlog ? tag.equals("html") : HTML_START_TAGS.contains(tag);
            } else {
                return false;
            }
        }
        return false;
    }

    /** The lowercase tag name at {@code from}, or "" when the name is not followed by a tag boundary. */
    private static String tagName(String s, int from) {
        int end = from;
        while (end < s.length() && end - from < 16 && isAsciiAlnum(s.charAt(end))) {
            end++;
        }
        if (end == from || !isNameEnd(s, end)) {
            return "";
        }
        return s.substring(from, end).toLowerCase(Locale.ROOT);
    }

    private static boolean isNameEnd(String s, int i) {
        if (i >= s.length()) {
            return true;
        }
        char c = s.charAt(i);
        return c == '>' || c == '/' || Character.isWhitespace(c);
    }

    private static int indexOfTag(String s, String name, int from) {
        int i = from;
        while ((i = indexOfIgnoreCase(s, "<" + name, i)) >= 0) {
            if (isNameEnd(s, i + 1 + name.length())) {
                return i;
            }
            i++;
        }
        return -1;
    }

    private static int indexOfIgnoreCase(String s, String needle, int from) {
        int last = s.length() - needle.length();
        char first = needle.charAt(0);
        for (int i = Math.max(from, 0); i <= last; i++) {
            char c = s.charAt(i);
            if ((c == first || Character.toLowerCase(c) == first) && s.regionMatches(true, i, needle, 0, needle.length())) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isAsciiAlnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    }

    private static int skipWhitespace(String s, int i) {
        while (i < s.length() && (Character.isWhitespace(s.charAt(i)) || s.charAt(i) == '\u00A0' || s.charAt(i) == '\uFEFF')) {
            i++;
        }
        return i;
    }

    /** Decodes a prefix leniently (bad bytes become U+FFFD), honouring UTF-8 and UTF-16 BOMs. */
    static String decode(byte[] body, int maxBytes) {
        int offset = bomLength(body);
        return new String(body, offset, Math.min(body.length - offset, maxBytes), charset(body));
    }

    /** Length of a UTF-8 or UTF-16 byte order mark at the start of the body, or 0. */
    static int bomLength(byte[] body) {
        if (body.length >= 3 && (body[0] & 0xFF) == 0xEF && (body[1] & 0xFF) == 0xBB && (body[2] & 0xFF) == 0xBF) {
            return 3;
        }
        return charset(body) == StandardCharsets.UTF_8 ? 0 : 2;
    }

    /** UTF-16 when the body starts with a UTF-16 BOM, else UTF-8 (what JSON and our providers use). */
    static Charset charset(byte[] body) {
        if (body.length >= 2 && (body[0] & 0xFF) == 0xFF && (body[1] & 0xFF) == 0xFE) {
            return StandardCharsets.UTF_16LE;
        }
        if (body.length >= 2 && (body[0] & 0xFF) == 0xFE && (body[1] & 0xFF) == 0xFF) {
            return StandardCharsets.UTF_16BE;
        }
        return StandardCharsets.UTF_8;
    }

    static String decodeEntities(String s) {
        if (s.indexOf('&') < 0) {
            return s;
        }
        Matcher m = ENTITY.matcher(s);
        StringBuilder out = new StringBuilder(s.length());
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(entity(m.group(1), m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String entity(String ref, String original) {
        if (ref.charAt(0) != '#') {
            return NAMED_ENTITIES.getOrDefault(ref.toLowerCase(Locale.ROOT), original);
        }
        boolean hex = ref.length() > 1 && (ref.charAt(1) == 'x' || ref.charAt(1) == 'X');
        int cp = Integer.parseInt(ref.substring(hex ? 2 : 1), hex ? 16 : 10);
        return Character.isValidCodePoint(cp) && !Character.isISOControl(cp) && (cp < 0xD800 || cp > 0xDFFF)
                ? new String(Character.toChars(cp)) : " ";
    }
}
