package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The local HTTP API: what API Gateway does in front of the functions. Routes from template.yaml,
 * the dev JWT authorizer, payload 2.0 events, API Gateway's own 401/404/500 bodies. Plus routes of its
 * own: {@code GET /local/dev-token}, {@code GET /local/providers} and the connect page.
 */
final class ApiServer implements AutoCloseable {
    static final String DEV_TOKEN_PATH = "/local/dev-token";
    private static final int MAX_BODY = 10 * 1024 * 1024; // API Gateway's payload limit
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final PrintStream OUT = System.out;

    private final HttpServer server;
    private final ExecutorService executor = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "local-api");
        t.setDaemon(true);
        return t;
    });
    private RouteTable routes;
    private LocalFunctions functions;
    private DevJwt jwt;
    private String tenantClaim;
    private String userClaim;
    private LocalProviders providers;
    private LiveStatus status;
    private final Clock clock = Clock.systemUTC();

    private ApiServer(HttpServer server) {
        this.server = server;
    }

    /** Binds first (before anything slow starts), so a taken port fails fast with a clear message. */
    static ApiServer bind(int port) {
        try {
            return new ApiServer(HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64));
        } catch (BindException e) {
            throw new StartupException("Port " + port + " is already in use (another runner or program listens on it). "
                    + "Pick another one: ./run-local.sh --port " + (port + 1) + "  (or LOCAL_PORT=" + (port + 1) + " ./run-local.sh)");
        } catch (IOException e) {
            throw new StartupException("Cannot listen on 127.0.0.1:" + port + ": " + e.getMessage(), e);
        }
    }

    int port() {
        return server.getAddress().getPort();
    }

    void start(RouteTable routes, LocalFunctions functions, DevJwt jwt, String tenantClaim, String userClaim,
               LocalProviders providers, LiveStatus status) {
        this.routes = routes;
        this.providers = providers;
        this.status = status;
        this.functions = functions;
        this.jwt = jwt;
        this.tenantClaim = tenantClaim;
        this.userClaim = userClaim;
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    String devToken(String tenant, String user) {
        return jwt.issue(tenantClaim, tenant, userClaim, user);
    }

    private void handle(HttpExchange exchange) throws IOException {
        String requestId = ApiGatewayEvents.newRequestId();
        long started = System.nanoTime();
        String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
        String path = exchange.getRequestURI().getRawPath();
        String outcome = "";
        try {
            if (method.equals("GET") && path.equals(DEV_TOKEN_PATH)) {
                devTokenRoute(exchange, requestId);
                outcome = "dev token";
                return;
            }
            if (method.equals("GET") && path.equals(LocalProviders.PATH)) {
                sendJson(exchange, providers.asJson(), requestId);
                outcome = "provider list";
                return;
            }
            if (method.equals("GET") && ConnectPage.serve(exchange, path, requestId)) {
                outcome = "connect page";
                return;
            }
            Optional<RouteTable.Match> match = routes.match(method, path);
            if (match.isEmpty()) {
                ApiGatewayEvents.gatewayMessage(exchange, 404, "Not Found", requestId);
                outcome = "no route";
                return;
            }
            RouteTable.Route route = match.get().route();
            outcome = route.functionId();
            Map<String, String> claims = null;
            List<String> scopes = null;
            if (route.needsJwt()) {
                Optional<JsonNode> verified = jwt.verify(bearer(exchange));
                if (verified.isEmpty()) {
                    exchange.getResponseHeaders().set("www-authenticate", "Bearer");
                    ApiGatewayEvents.gatewayMessage(exchange, 401, "Unauthorized", requestId);
                    outcome = "no valid token";
                    return;
                }
                claims = DevJwt.asEventClaims(verified.get());
                scopes = scopes(verified.get());
            }
            byte[] body = readBody(exchange);
            if (body == null) {
                ApiGatewayEvents.gatewayMessage(exchange, 413, "Request Entity Too Large", requestId);
                return;
            }
            APIGatewayV2HTTPEvent event = ApiGatewayEvents.request(exchange, body, match.get(), claims, scopes, requestId, Instant.now(clock));
            Object response;
            try {
                response = functions.invoke(route.functionId(), event);
            } catch (RuntimeException e) {
                // what API Gateway answers when the function fails; the stack trace is for the developer's console
                OUT.println("  " + route.functionId() + " failed: " + e);
                e.printStackTrace(OUT);
                ApiGatewayEvents.gatewayMessage(exchange, 500, "Internal Server Error", requestId);
                return;
            }
            ApiGatewayEvents.respond(exchange, asResponse(response), requestId);
        } finally {
            status.served(exchange.getResponseCode());
            OUT.printf("%s %s → %d  (%s, %d ms)%n", method, path, exchange.getResponseCode(), outcome,
                    (System.nanoTime() - started) / 1_000_000);
        }
    }

    private void devTokenRoute(HttpExchange exchange, String requestId) throws IOException {
        Map<String, String> q = ApiGatewayEvents.queryParameters(exchange.getRequestURI().getRawQuery());
        String tenant = q == null ? null : q.get("tenant");
        String user = q == null ? null : q.get("user");
        String token = devToken(tenant == null || tenant.isBlank() ? LocalRunner.DEV_TENANT : tenant,
                user == null || user.isBlank() ? LocalRunner.DEV_USER : user);
        sendJson(exchange, Map.of("token", token), requestId);
    }

    private static void sendJson(HttpExchange exchange, Object body, String requestId) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        ApiGatewayEvents.send(exchange, 200, JSON.writeValueAsBytes(body), requestId);
    }

    /** API Gateway accepts the token with or without the "Bearer " prefix. */
    private static String bearer(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.isBlank()) return null;
        String h = header.strip();
        return h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : h;
    }

    /** The HTTP API passes {@code scope} (space separated) or {@code scp} as the event's scopes. */
    private static List<String> scopes(JsonNode claims) {
        List<String> out = new ArrayList<>();
        JsonNode scope = claims.has("scope") ? claims.get("scope") : claims.get("scp");
        if (scope == null) return null;
        if (scope.isArray()) scope.forEach(s -> out.add(s.asText()));
        else for (String s : scope.asText().split(" ")) if (!s.isBlank()) out.add(s);
        return out.isEmpty() ? null : out;
    }

    private static byte[] readBody(HttpExchange exchange) throws IOException {
        try (InputStream in = exchange.getRequestBody()) {
            byte[] body = in.readNBytes(MAX_BODY + 1);
            return body.length > MAX_BODY ? null : body;
        }
    }

    /** A function may return any object: like API Gateway, anything but a 2.0 response becomes a 200 JSON body. */
    private static APIGatewayV2HTTPResponse asResponse(Object response) {
        if (response instanceof APIGatewayV2HTTPResponse r) return r;
        try {
            String body = response instanceof String s ? s : JSON.writeValueAsString(response);
            return APIGatewayV2HTTPResponse.builder().withStatusCode(200)
                    .withHeaders(Map.of("Content-Type", "application/json")).withBody(body).build();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(1);
        executor.shutdown();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

}
