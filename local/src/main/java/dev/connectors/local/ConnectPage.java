package dev.connectors.local;

import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The connect page: plain files from {@code resources/connect/} (no build step), served at {@value #PATH}
 * with {@code /} and {@code /connect} redirecting there. The same files deploy as a static site; only
 * {@code config.js} differs (API base URL, how to get the user's token).
 */
final class ConnectPage {
    static final String PATH = "/connect/";
    /** The page loads only its own files and talks only to this origin's API. */
    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; "
            + "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
    private static final Pattern FILE = Pattern.compile("[a-z-]+\\.(html|js|css)");
    private static final Map<String, String> TYPES = Map.of("html", "text/html; charset=utf-8",
            "js", "text/javascript; charset=utf-8", "css", "text/css; charset=utf-8");

    private ConnectPage() {
    }

    /** Answers a GET for the page or one of its files; false when the path is not the page's (the API routes it). */
    static boolean serve(HttpExchange exchange, String path, String requestId) throws IOException {
        if (path.equals("/") || path.equals("/connect")) {
            exchange.getResponseHeaders().set("Location", PATH);
            ApiGatewayEvents.send(exchange, 302, new byte[0], requestId);
            return true;
        }
        if (!path.startsWith(PATH)) return false;
        String name = path.length() == PATH.length() ? "index.html" : path.substring(PATH.length());
        Matcher m = FILE.matcher(name);
        if (!m.matches()) return false;
        byte[] body;
        try (InputStream in = ConnectPage.class.getResourceAsStream("/connect/" + name)) {
            if (in == null) return false;
            body = in.readAllBytes();
        }
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Type", TYPES.get(m.group(1)));
        headers.set("Content-Security-Policy", CSP);
        headers.set("Cache-Control", "no-cache");
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("Referrer-Policy", "no-referrer");
        ApiGatewayEvents.send(exchange, 200, body, requestId);
        return true;
    }
}
