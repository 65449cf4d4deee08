package dev.connectors.local;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpExchange;
import no.nav.security.mock.oauth2.MockOAuth2Server;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The sandbox provider, served as the generic provider: a real OAuth 2.0 authorization server
 * (mock-oauth2-server, issuer {@value #ISSUER}; it approves without a login page) and a small
 * history API ({@link SandboxHistory}) on its own loopback port, like a real provider's API host.
 * The token endpoint is reached through that host too ({@code /oauth/token}, forwarded to the OAuth
 * server): mock-oauth2-server 6 cannot queue canned answers, and a failure drill needs to replace one.
 */
final class SandboxProvider implements AutoCloseable {
    static final String ISSUER = "sandbox";

    private record Canned(int status, String contentType, String body) { }

    private final MockOAuth2Server oauth;
    private final HttpServer api;
    private final SandboxHistory history;
    private final HttpClient forwarder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final AtomicReference<Canned> nextTokenAnswer = new AtomicReference<>();

    private SandboxProvider(MockOAuth2Server oauth, HttpServer api, SandboxHistory history) {
        this.oauth = oauth;
        this.api = api;
        this.history = history;
    }

    static SandboxProvider start(Instant now) {
        MockOAuth2Server oauth = new MockOAuth2Server();
        oauth.start(InetAddress.getLoopbackAddress(), 0);
        try {
            HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
            SandboxHistory history = new SandboxHistory(now);
            SandboxProvider provider = new SandboxProvider(oauth, api, history);
            api.createContext("/", history::handle);
            api.createContext("/oauth/token", provider::token);
            api.start();
            return provider;
        } catch (IOException e) {
            oauth.shutdown();
            throw new UncheckedIOException(e);
        }
    }

    String authorizeUrl() {
        return oauth.authorizationEndpointUrl(ISSUER).toString();
    }

    String tokenUrl() {
        return host() + "/oauth/token";
    }

    String apiBaseUrl() {
        return host() + "/api";
    }

    private String host() {
        return "http://127.0.0.1:" + api.getAddress().getPort();
    }

    SandboxHistory history() {
        return history;
    }

    /** The generic provider's secret entry (see the README's Secrets Manager layout). */
    Map<String, String> secret(String clientId, String clientSecret) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put("client_id", clientId);
        s.put("client_secret", clientSecret);
        s.put("authorize_url", authorizeUrl());
        s.put("token_url", tokenUrl());
        s.put("api_base_url", apiBaseUrl());
        s.put("scopes", "openid offline_access");
        return s;
    }

    /** The token endpoint answers its next request with this instead (failure drills and tests). */
    void answerNextTokenRequestWith(int status, String contentType, String body) {
        nextTokenAnswer.set(new Canned(status, contentType, body));
    }

    private void token(HttpExchange exchange) throws IOException {
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        Canned canned = nextTokenAnswer.getAndSet(null);
        int status;
        String contentType;
        byte[] body;
        if (canned != null) {
            status = canned.status();
            contentType = canned.contentType();
            body = canned.body().getBytes(StandardCharsets.UTF_8);
        } else {
            HttpRequest.Builder forward = HttpRequest.newBuilder(URI.create(oauth.tokenEndpointUrl(ISSUER).toString()))
                    .timeout(Duration.ofSeconds(10)).method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(requestBody));
            for (String h : new String[]{"Content-Type", "Authorization", "Accept"}) {
                String v = exchange.getRequestHeaders().getFirst(h);
                if (v != null) forward.header(h, v);
            }
            try {
                HttpResponse<byte[]> res = forwarder.send(forward.build(), HttpResponse.BodyHandlers.ofByteArray());
                status = res.statusCode();
                contentType = res.headers().firstValue("Content-Type").orElse("application/json");
                body = res.body();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(body);
            }
        }
        exchange.close();
    }

    @Override
    public void close() {
        api.stop(0);
        oauth.shutdown();
    }
}
