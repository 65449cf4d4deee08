package dev.connectors.functions.oauth;

import dev.connectors.oauth.ConnectFlow;

import java.util.List;

/**
 * The page shown when the app gave no return URL: the outcome in one sentence, and a message to
 * the opener window for popup flows, addressed to each allowed app origin (never "*").
 * No third-party resources; everything inline and escaped.
 */
final class ResultPage {
    private ResultPage() {
    }

    /** The page and the Content-Security-Policy that allows exactly its one inline script and style, nothing else. */
    record Page(String html, String contentSecurityPolicy) {
    }

    private static final String STYLE = "body{font:16px system-ui,sans-serif;margin:3rem auto;max-width:32rem;color:#222}";

    static Page render(ConnectFlow.Outcome outcome, String displayName, List<String> appOrigins) {
        String name = displayName == null ? "the provider" : displayName;
        String title = outcome.connected() ? name + " connected" : "Could not connect " + name;
        String message = outcome.connected()
                ? "Your " + name + " account is connected. Your history is being imported; you can close this window."
                : outcome.error().message();
        String payload = "{\"type\":\"connectors:result\",\"provider\":\"" + js(outcome.provider()) + "\",\"connected\":"
                + outcome.connected() + (outcome.connected() ? "" : ",\"error\":\"" + js(outcome.error().code())
                + "\",\"message\":\"" + js(outcome.error().message()) + "\"") + "}";
        StringBuilder origins = new StringBuilder("[");
        for (String o : appOrigins) {
            if (origins.length() > 1) origins.append(',');
            origins.append('"').append(js(o)).append('"');
        }
        origins.append(']');
        String script = "(function(){var r=" + payload + ",o=" + origins + ";"
                + "history.replaceState(null,'',location.pathname);"   // drop ?code=&state= from the address bar
                + "if(window.opener){o.forEach(function(t){try{window.opener.postMessage(r,t)}catch(e){}});}"
                + "})();";
        String html = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html(title) + "</title>"
                + "<meta name=\"referrer\" content=\"no-referrer\">"
                + "<style>" + STYLE + "</style></head>"
                + "<body><h1>" + html(title) + "</h1><p id=\"message\">" + html(message) + "</p>"
                + "<script>" + script + "</script></body></html>";
        // hashes instead of 'unsafe-inline': an injected script or style (were escaping ever to fail) would not run
        String csp = "default-src 'none'; script-src '" + sha256(script) + "'; style-src '" + sha256(STYLE)
                + "'; img-src 'none'; connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        return new Page(html, csp);
    }

    /** CSP source expression for an inline element's exact text (CSP Level 2 hash-source). */
    static String sha256(String text) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return "sha256-" + java.util.Base64.getEncoder().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e); // every JRE has it
        }
    }

    static String html(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    /** A JSON string body safe inside a script element. */
    static String js(String s) {
        StringBuilder out = new StringBuilder(s.length() + 16);
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') out.append('\\').append(c);
            else if (c < 0x20 || c == '<' || c == '>' || c == '&' || c == '\u2028' || c == '\u2029') out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        return out.toString();
    }
}
