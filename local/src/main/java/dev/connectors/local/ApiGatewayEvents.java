package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.sun.net.httpserver.HttpExchange;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP request ⇄ API Gateway HTTP API payload format 2.0, built the way API Gateway builds it, so the
 * handlers run locally on exactly the event shape they get in AWS.
 */
final class ApiGatewayEvents {
    static final String ACCOUNT_ID = "000000000000";
    static final String API_ID = "local";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.US).withZone(ZoneOffset.UTC);
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiGatewayEvents() {
    }

    /** API Gateway's request ids look like {@code JKJaXmPLvHcESHA=}. */
    static String newRequestId() {
        byte[] b = new byte[10];
        RANDOM.nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }

    static APIGatewayV2HTTPEvent request(HttpExchange exchange, byte[] body, RouteTable.Match match,
                                         Map<String, String> claims, List<String> scopes, String requestId, Instant now) {
        String method = exchange.getRequestMethod();
        String rawPath = exchange.getRequestURI().getRawPath();
        String rawQuery = exchange.getRequestURI().getRawQuery();
        Map<String, String> headers = headers(exchange);
        List<String> cookies = cookies(headers.remove("cookie")); // 2.0 moves cookies out of the headers
        String userAgent = headers.get("user-agent");

        var http = APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod(method).withPath(rawPath)
                .withProtocol(exchange.getProtocol()).withSourceIp(exchange.getRemoteAddress().getAddress().getHostAddress())
                .withUserAgent(userAgent == null ? "" : userAgent).build();
        String domain = headers.getOrDefault("host", "localhost");
        var context = APIGatewayV2HTTPEvent.RequestContext.builder().withAccountId(ACCOUNT_ID).withApiId(API_ID)
                .withDomainName(domain).withDomainPrefix(domain.split("[.:]", 2)[0]).withHttp(http).withRequestId(requestId)
                .withRouteKey(match.route().routeKey()).withStage("$default")
                .withTime(TIME.format(now)).withTimeEpoch(now.toEpochMilli());
        if (claims != null) {
            context.withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                    .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder()
                            .withClaims(claims).withScopes(scopes).build()).build());
        }
        boolean binary = body.length > 0 && !isText(headers.get("content-type"));
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRouteKey(match.route().routeKey())
                .withRawPath(rawPath).withRawQueryString(rawQuery == null ? "" : rawQuery)
                .withCookies(cookies).withHeaders(headers)
                .withQueryStringParameters(queryParameters(rawQuery))
                .withPathParameters(match.pathParameters().isEmpty() ? null : match.pathParameters())
                .withRequestContext(context.build())
                .withBody(body.length == 0 ? null : binary ? Base64.getEncoder().encodeToString(body) : new String(body, StandardCharsets.UTF_8))
                .withIsBase64Encoded(binary)
                .build();
    }

    /** Lower-cased names; a repeated header's values joined with commas, as API Gateway does. */
    static Map<String, String> headers(HttpExchange exchange) {
        Map<String, String> out = new LinkedHashMap<>();
        exchange.getRequestHeaders().forEach((name, values) -> {
            String key = name.toLowerCase(Locale.ROOT);
            String joined = String.join(key.equals("cookie") ? "; " : ",", values);
            out.merge(key, joined, (a, b) -> a + (key.equals("cookie") ? "; " : ",") + b);
        });
        return out;
    }

    private static List<String> cookies(String header) {
        if (header == null || header.isBlank()) return null;
        List<String> out = new ArrayList<>();
        for (String c : header.split(";")) if (!c.isBlank()) out.add(c.strip());
        return out;
    }

    /** Decoded; duplicates joined with commas (handlers that care read rawQueryString). Null when there is no query. */
    static Map<String, String> queryParameters(String rawQuery) {
        if (rawQuery == null || rawQuery.isEmpty()) return null;
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            out.merge(name, value, (a, b) -> a + "," + b);
        }
        return out.isEmpty() ? null : out;
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s; // API Gateway passes a broken escape through; rawQueryString has it anyway
        }
    }

    private static boolean isText(String contentType) {
        if (contentType == null) return true;
        String ct = contentType.toLowerCase(Locale.ROOT);
        return ct.startsWith("text/") || ct.contains("json") || ct.contains("xml") || ct.contains("x-www-form-urlencoded")
                || ct.contains("javascript");
    }

    /** Writes a function's 2.0 response: status, headers, multi-value headers, cookies as Set-Cookie, body. */
    static void respond(HttpExchange exchange, APIGatewayV2HTTPResponse response, String requestId) throws IOException {
        var out = exchange.getResponseHeaders();
        if (response.getHeaders() != null) response.getHeaders().forEach((k, v) -> { if (v != null) out.set(k, v); });
        if (response.getMultiValueHeaders() != null) {
            response.getMultiValueHeaders().forEach((k, vs) -> { if (vs != null) vs.forEach(v -> out.add(k, v)); });
        }
        if (response.getCookies() != null) response.getCookies().forEach(c -> out.add("Set-Cookie", c));
        String body = response.getBody();
        byte[] bytes = body == null ? new byte[0]
                : response.getIsBase64Encoded() ? Base64.getDecoder().decode(body) : body.getBytes(StandardCharsets.UTF_8);
        send(exchange, response.getStatusCode() == 0 ? 200 : response.getStatusCode(), bytes, requestId);
    }

    /** API Gateway's own answers (404, 401, 500) are small JSON bodies like {"message":"Not Found"}. */
    static void gatewayMessage(HttpExchange exchange, int status, String message, String requestId) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        send(exchange, status, ("{\"message\":\"" + message + "\"}").getBytes(StandardCharsets.UTF_8), requestId);
    }

    static void send(HttpExchange exchange, int status, byte[] bytes, String requestId) throws IOException {
        exchange.getResponseHeaders().set("apigw-requestid", requestId);
        boolean noBody = bytes.length == 0 || status == 204 || status == 304 || "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, noBody ? -1 : bytes.length);
        if (!noBody) {
            try (OutputStream os = exchange.getResponseBody()) {
                os.write(bytes);
            }
        }
        exchange.close();
    }
}
