package dev.connectors.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes the per-provider parts of template.yaml (secret parameters, one function per provider with
 * its routes and its own secret, the worker's secret list, callback URL outputs) and the provider
 * functions' events/ samples, from the registry files. Everything else in the template is written
 * by hand. The template test fails when the generated parts are stale.
 * Run: {@code mvn -q -pl test-support compile exec:java}
 */
public final class ProviderScaffold {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String BEGIN = "# >>> generated from the provider registry by ProviderScaffold: ";
    static final String END = "# <<< end of generated ";

    /** A registry entry as far as the template cares. */
    public record Provider(String id, String displayName, String authType, String secretName, Map<String, String> authorizeExamples) {
        public String function() {
            return camel(id) + "Function";
        }

        String secretParam() {
            return camel(secretName) + "SecretName";
        }

        /** API-key functions read no provider secret: the tenant brings the key. */
        public boolean hasSecret() {
            return !API_KEY.equals(authType);
        }

        /** Authorize + callback as a browser redirect flow (oauth2, oauth1), with a callback URL to register. */
        public boolean redirectFlow() {
            return !API_KEY.equals(authType) && !LINK_TOKEN.equals(authType);
        }
    }

    static final String API_KEY = "api_key";
    static final String LINK_TOKEN = "link_token";

    public static void main(String[] args) throws IOException {
        Path root = RepoRoot.path();
        List<Provider> providers = providers(root);
        Path template = root.resolve("template.yaml");
        Files.writeString(template, render(Files.readString(template), providers));
        for (Provider p : providers) {
            writeEvents(root.resolve("events").resolve(p.function()), p);
        }
    }

    public static List<Provider> providers(Path root) throws IOException {
        Path dir = root.resolve("shared/src/main/resources/providers");
        List<Provider> out = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("index.txt"))) {
            String id = line.strip();
            if (id.isEmpty() || id.startsWith("#")) continue;
            JsonNode spec = JSON.readTree(dir.resolve(id + ".json").toFile());
            Map<String, String> examples = new LinkedHashMap<>();
            for (JsonNode input : spec.path("inputs")) {
                if ("authorize".equals(input.path("from").asText())) {
                    examples.put(input.path("param").asText(), input.path("example").asText());
                }
            }
            out.add(new Provider(id, spec.path("displayName").asText(id), spec.path("authType").asText("oauth2"),
                    spec.path("secretName").asText(id), examples));
        }
        return out;
    }

    /** The template with every generated region replaced; fails when a region's markers are missing. */
    public static String render(String template, List<Provider> providers) {
        String out = template;
        out = replace(out, "secret parameters", secretParameters(providers));
        out = replace(out, "provider functions", functions(providers));
        out = replace(out, "worker secret ids", workerSecretIds(providers));
        out = replace(out, "worker secret arns", workerSecretArns(providers));
        out = replace(out, "callback urls", callbackUrls(providers));
        return out;
    }

    /**
     * Replaces the body of every copy of the region: a region may appear in several functions (the worker's
     * secret ids and ARNs are also the scheduled refresher's). At least one copy must exist.
     */
    private static String replace(String template, String region, String body) {
        String out = template;
        int from = 0;
        int copies = 0;
        while (true) {
            int begin = out.indexOf(BEGIN + region, from);
            if (begin < 0) break;
            int end = out.indexOf(END + region, begin);
            if (end < 0) throw new IllegalStateException("template.yaml: region '" + region + "' is not closed");
            int bodyStart = out.indexOf('\n', begin) + 1;
            int lineStart = out.lastIndexOf('\n', end) + 1;
            out = out.substring(0, bodyStart) + body + out.substring(lineStart);
            from = bodyStart + body.length() + (END + region).length();
            copies++;
        }
        if (copies == 0) throw new IllegalStateException("template.yaml lacks the markers of region '" + region + "'");
        return out;
    }

    private static Set<String> secretNames(List<Provider> providers) {
        Set<String> names = new LinkedHashSet<>();
        providers.stream().filter(Provider::hasSecret).forEach(p -> names.add(p.secretName()));
        return names;
    }

    private static String secretParameters(List<Provider> providers) {
        StringBuilder b = new StringBuilder();
        for (String name : secretNames(providers)) {
            b.append("  ").append(camel(name)).append("SecretName:\n")
                    .append("    Type: String\n")
                    .append("    Default: connectors/").append(name).append('\n');
        }
        return b.toString();
    }

    private static String functions(List<Provider> providers) {
        StringBuilder b = new StringBuilder();
        for (Provider p : providers) {
            b.append(function(p));
        }
        return b.toString();
    }

    /** An HttpApi route of a generated function; public routes opt out of the JWT authorizer. */
    private record Route(String name, String method, String path, boolean open) {
    }

    /**
     * One provider's function. Redirect flows (OAuth) get authorize + a public callback, Plaid's Link flow the
     * same two routes behind the JWT, API keys one PUT; each role reads only its own secret and the app secret.
     */
    private static String function(Provider p) {
        String handler;
        String label;
        List<Route> routes;
        if (API_KEY.equals(p.authType())) {
            handler = "ApiKeyHandler";
            label = " (API key)";
            routes = List.of(new Route("PutKey", "PUT", "/connections/" + p.id(), false));
        } else if (LINK_TOKEN.equals(p.authType())) {
            handler = "LinkTokenHandler";
            label = " (link token)";
            routes = List.of(new Route("Authorize", "GET", "/oauth/" + p.id() + "/authorize", false),
                    new Route("Callback", "POST", "/oauth/" + p.id() + "/callback", false));
        } else {
            handler = "OAuthHandler";
            label = "";
            routes = List.of(new Route("Authorize", "GET", "/oauth/" + p.id() + "/authorize", false),
                    new Route("Callback", "GET", "/oauth/" + p.id() + "/callback", true));
        }
        String arn = "                - !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${%s}-??????\n";
        StringBuilder b = new StringBuilder();
        b.append("  ").append(p.function()).append(": # ").append(p.displayName()).append(label).append('\n')
                .append("    Type: AWS::Serverless::Function\n")
                .append("    Properties:\n")
                .append("      CodeUri: functions/oauth\n")
                .append("      Handler: dev.connectors.functions.oauth.").append(handler).append("::handleRequest\n")
                .append("      Environment:\n")
                .append("        Variables:\n")
                .append("          PROVIDER: ").append(p.id()).append('\n');
        if (p.hasSecret()) b.append("          PROVIDER_SECRET_ID: !Ref ").append(p.secretParam()).append('\n');
        b.append("      Policies:\n")
                .append("        - DynamoDBCrudPolicy: { TableName: !Ref ConnectionsTable }\n");
        if (p.hasSecret()) b.append("        - DynamoDBCrudPolicy: { TableName: !Ref OAuthSessionsTable }\n");
        b.append("        - DynamoDBCrudPolicy: { TableName: !Ref SyncJobsTable }\n")
                .append("        - SQSSendMessagePolicy: { QueueName: !GetAtt SyncQueue.QueueName }\n")
                .append("        - SQSSendMessagePolicy: { QueueName: !GetAtt WebhookQueue.QueueName } # connection.active events\n")
                .append("        - Statement:\n")
                .append("            - Effect: Allow\n")
                .append("              Action: secretsmanager:GetSecretValue\n")
                .append("              Resource:\n");
        if (p.hasSecret()) b.append(arn.formatted(p.secretParam()));
        b.append(arn.formatted("AppSecretName"))
                .append("      Events:\n");
        for (Route r : routes) {
            b.append("        ").append(r.name()).append(":\n")
                    .append("          Type: HttpApi\n")
                    .append("          Properties:\n")
                    .append("            ApiId: !Ref HttpApi\n")
                    .append("            Method: ").append(r.method()).append('\n')
                    .append("            Path: ").append(r.path()).append('\n');
            if (r.open()) b.append("            Auth:\n              Authorizer: NONE\n");
        }
        return b.append('\n').toString();
    }

    private static String workerSecretIds(List<Provider> providers) {
        List<String> pairs = providers.stream().filter(Provider::hasSecret).map(p -> p.id() + "=${" + p.secretParam() + "}").toList();
        return "          PROVIDER_SECRET_IDS: !Sub " + String.join(",", pairs) + "\n";
    }

    private static String workerSecretArns(List<Provider> providers) {
        StringBuilder b = new StringBuilder();
        for (String name : secretNames(providers)) {
            b.append("                - !Sub arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${")
                    .append(camel(name)).append("SecretName}-??????\n");
        }
        return b.toString();
    }

    private static String callbackUrls(List<Provider> providers) {
        StringBuilder b = new StringBuilder();
        for (Provider p : providers) {
            if (!p.redirectFlow()) continue; // nothing to register: no browser redirect comes back to us
            b.append("  ").append(camel(p.id())).append("CallbackUrl:\n")
                    .append("    Description: Redirect URI to register with ").append(p.displayName()).append('\n')
                    .append("    Value: !Sub ${PublicBaseUrl}/oauth/").append(p.id()).append("/callback\n");
        }
        return b.toString();
    }

    /** authorize, authorize-json, callback and callback-denied samples, as API Gateway sends them. */
    public static Map<String, String> events(Provider p) {
        if (API_KEY.equals(p.authType())) return apiKeyEvents(p);
        if (LINK_TOKEN.equals(p.authType())) return linkTokenEvents(p);
        String inputs = p.authorizeExamples().entrySet().stream()
                .map(e -> "&" + e.getKey() + "=" + e.getValue()).reduce("", String::concat);
        Map<String, String> out = new LinkedHashMap<>();
        out.put("authorize.json", httpEvent(p.id(), "authorize", "return_to=https%3A%2F%2Fapp.example.com%2Fsettings%2Fintegrations" + inputs,
                "text/html,application/xhtml+xml", true));
        out.put("authorize-json.json", httpEvent(p.id(), "authorize", "return_to=https%3A%2F%2Fapp.example.com%2Fsettings%2Fintegrations" + inputs,
                "application/json", true));
        out.put("callback.json", httpEvent(p.id(), "callback", "code=EXAMPLE_AUTHORIZATION_CODE&state=EXAMPLE_STATE_FROM_AUTHORIZE",
                "text/html,application/xhtml+xml", false));
        out.put("callback-denied.json", httpEvent(p.id(), "callback",
                "error=access_denied&error_description=The+user+denied+access&state=EXAMPLE_STATE_FROM_AUTHORIZE",
                "text/html,application/xhtml+xml", false));
        return out;
    }

    /** put-key (a fake key), put-key-malformed (not a key: refused before any provider call), no-claims. */
    static Map<String, String> apiKeyEvents(Provider p) {
        String path = "/connections/" + p.id();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("put-key.json", httpEvent("PUT", path, "", "application/json", true, "{\"apiKey\":\"EXAMPLE-" + p.id() + "-KEY-NOT-REAL-0123456789\"}"));
        out.put("put-key-malformed.json", httpEvent("PUT", path, "", "application/json", true, "{\"apiKey\":\"has spaces and is not a key\"}"));
        out.put("no-claims.json", httpEvent("PUT", path, "", "application/json", false, "{\"apiKey\":\"EXAMPLE-" + p.id() + "-KEY-NOT-REAL-0123456789\"}"));
        return out;
    }

    /** authorize (link token + state), callback (public token + a placeholder state, refused politely), no-claims. */
    static Map<String, String> linkTokenEvents(Provider p) {
        String base = "/oauth/" + p.id();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("authorize.json", httpEvent("GET", base + "/authorize", "", "application/json", true, null));
        out.put("callback.json", httpEvent("POST", base + "/callback", "", "application/json", true,
                "{\"public_token\":\"EXAMPLE-PUBLIC-TOKEN-FROM-THE-WIDGET\",\"state\":\"EXAMPLE_STATE_FROM_AUTHORIZE\"}"));
        out.put("no-claims-authorize.json", httpEvent("GET", base + "/authorize", "", "application/json", false, null));
        return out;
    }

    private static void writeEvents(Path dir, Provider p) throws IOException {
        Files.createDirectories(dir);
        for (Map.Entry<String, String> e : events(p).entrySet()) {
            Files.writeString(dir.resolve(e.getKey()), e.getValue(), StandardCharsets.UTF_8);
        }
    }

    private static String httpEvent(String id, String route, String rawQuery, String accept, boolean withClaims) {
        return httpEvent("GET", "/oauth/" + id + "/" + route, rawQuery, accept, withClaims, null);
    }

    private static String httpEvent(String method, String path, String rawQuery, String accept, boolean withClaims, String body) {
        Map<String, Object> query = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            query.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        Map<String, Object> http = new LinkedHashMap<>();
        http.put("method", method);
        http.put("path", path);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "203.0.113.7");
        http.put("userAgent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36");
        Map<String, Object> context = new LinkedHashMap<>();
        context.put("accountId", "123456789012");
        context.put("apiId", "a1b2c3d4e5");
        if (withClaims) {
            context.put("authorizer", Map.of("jwt", Map.of("claims", Map.of("aud", "connectors-app", "iss", "https://auth.example.com/",
                    "sub", "user-example-123", "tenant_id", "tenant-example-123", "exp", "1764140100", "iat", "1764136500"))));
        }
        context.put("domainName", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com");
        context.put("domainPrefix", "a1b2c3d4e5");
        context.put("http", http);
        context.put("requestId", "cQz1ZhEXAMPLE=");
        context.put("routeKey", method + " " + path);
        context.put("stage", "$default");
        context.put("time", "26/Nov/2025:06:55:00 +0000");
        context.put("timeEpoch", 1764136500000L);
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("version", "2.0");
        event.put("routeKey", method + " " + path);
        event.put("rawPath", path);
        event.put("rawQueryString", rawQuery);
        Map<String, Object> headers = new java.util.TreeMap<>(Map.of("accept", accept, "host", "a1b2c3d4e5.execute-api.us-east-1.amazonaws.com",
                "user-agent", http.get("userAgent"), "x-forwarded-for", "203.0.113.7", "x-forwarded-proto", "https"));
        if (body != null) {
            headers.put("content-type", "application/json");
            headers.put("content-length", String.valueOf(body.getBytes(StandardCharsets.UTF_8).length));
        }
        event.put("headers", headers);
        if (!query.isEmpty()) event.put("queryStringParameters", query);
        event.put("requestContext", context);
        if (body != null) event.put("body", body);
        event.put("isBase64Encoded", false);
        try {
            return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(sorted(event)) + "\n";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stable key order in nested maps so regenerating changes nothing. */
    @SuppressWarnings("unchecked")
    private static Object sorted(Object value) {
        if (value instanceof Map<?, ?> m) {
            Map<String, Object> out = m instanceof LinkedHashMap ? new LinkedHashMap<>() : new java.util.TreeMap<>();
            ((Map<String, Object>) m).forEach((k, v) -> out.put(k, sorted(v)));
            return out;
        }
        return value;
    }

    static String camel(String id) {
        StringBuilder out = new StringBuilder();
        for (String part : id.split("[_-]")) {
            if (!part.isEmpty()) out.append(Character.toUpperCase(part.charAt(0))).append(part.substring(1));
        }
        return out.toString();
    }
}
