package dev.connectors.http;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Makes provider text safe for one log line: no control characters, no token-looking values, bounded length. */
final class LogText {
    // credentials in OAuth payloads, as form/query pairs and as JSON members
    private static final String SECRET_KEYS =
            "(access_token|refresh_token|id_token|code|client_secret|password|token|assertion|code_verifier)";
    private static final Pattern SECRET_FORM = Pattern.compile("(?i)\\b" + SECRET_KEYS + "=[^\\s&\"'<>]+");
    private static final Pattern SECRET_JSON = Pattern.compile("(?i)\"" + SECRET_KEYS + "\"\\s*:\\s*\"[^\"]*\"?");
    // long opaque runs with a digit (JWTs, bearer tokens, auth codes); ordinary words have no digits
    private static final Pattern OPAQUE_RUN = Pattern.compile("[A-Za-z0-9_\\-.~+/]{20,}={0,2}");

    private LogText() {
    }

    static String clean(String text, int max) {
        if (text == null || text.isEmpty()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(text.length(), max * 2));
        boolean space = false;
        // scan a bounded prefix only: enough to fill max chars after collapsing whitespace
        int limit = Math.min(text.length(), max * 8);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (Character.isWhitespace(c) || c == '\u00A0') {
                space = sb.length() > 0;
            } else if (!isUnsafe(c)) {
                if (space) {
                    sb.append(' ');
                    space = false;
                }
                sb.append(c);
            }
        }
        String s = redact(sb.toString());
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }

    private static String redact(String s) {
        String out = SECRET_FORM.matcher(s).replaceAll("$1=[redacted]");
        out = SECRET_JSON.matcher(out).replaceAll("\"$1\":\"[redacted]\"");
        return OPAQUE_RUN.matcher(out).replaceAll(m -> m.group().chars().anyMatch(Character::isDigit)
                ? "[redacted]" : Matcher.quoteReplacement(m.group()));
    }

    /** Controls, bidi overrides and line separators can forge or hide log content. */
    private static boolean isUnsafe(char c) {
        return Character.isISOControl(c)
                || (c >= '\u202A' && c <= '\u202E') || (c >= '\u2066' && c <= '\u2069')
                || c == '\u2028' || c == '\u2029' || c == '\u200E' || c == '\u200F' || c == '\uFEFF';
    }
}
