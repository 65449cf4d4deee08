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

    static String render(ConnectFlow.Outcome outcome, String displayName, List<String> appOrigins) {
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
        return "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + html(title) + "</title>"
                + "<meta name=\"referrer\" content=\"no-referrer\">"
                + "<style>body{font:16px system-ui,sans-serif;margin:3rem auto;max-width:32rem;color:#222}</style></head>"
                + "<body><h1>" + html(title) + "</h1><p id=\"message\">" + html(message) + "</p>"
                + "<script>(function(){var r=" + payload + ",o=" + origins + ";"
                + "history.replaceState(null,'',location.pathname);"   // drop ?code=&state= from the address bar
                + "if(window.opener){o.forEach(function(t){try{window.opener.postMessage(r,t)}catch(e){}});}"
                + "})();</script></body></html>";
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
