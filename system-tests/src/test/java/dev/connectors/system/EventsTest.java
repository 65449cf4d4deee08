package dev.connectors.system;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.connectors.config.Settings;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Services;
import dev.connectors.sync.JobQueue;
import dev.connectors.testing.RepoRoot;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * Every sample in {@code events/<FunctionLogicalId>/<case>.json} (the files {@code sam local invoke -e}
 * takes) runs through the handler template.yaml deploys for that function, configured as the
 * template configures it, against the shared stand-ins.
 */
class EventsTest {
    private static final Path EVENTS = RepoRoot.path().resolve("events");
    private static final Template TEMPLATE = Template.load();

    /**
     * The event classes are plain beans; the Lambda runtime matches their names case-insensitively
     * ({@code Records}, {@code eventSourceARN}). Unknown properties fail: a misspelt field in a sample
     * would otherwise be silently dropped and the sample would test less than it says.
     */
    private static final ObjectMapper EVENT_JSON = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    /** The generic provider's endpoints come from its secret. */
    private static final Map<String, String> GENERIC_SECRET = Map.of(
            "authorize_url", "https://auth.example.com/oauth2/authorize",
            "token_url", "https://auth.example.com/oauth2/token",
            "api_base_url", "https://api.example.com",
            "scopes", "openid offline_access");

    /** Token formats of real providers: none may appear in a sample, not even a plausible fake. */
    private static final Pattern REAL_LOOKING_SECRET = Pattern.compile(
            "xox[abposr]-|gh[pousr]_[A-Za-z0-9]|glpat-|ya29\\.|sk_live_|rk_live_|ntn_[A-Za-z0-9]|secret_[A-Za-z0-9]{20,}"
                    + "|eyJ[A-Za-z0-9_-]{8,}\\.|AKIA[0-9A-Z]{16}|-----BEGIN");

    /** Samples each function must have; others may be added freely. */
    private static final Map<String, List<String>> REQUIRED_SAMPLES = Map.of(
            "SyncWorkerFunction", List.of("sqs-job.json", "sqs-unreadable.json"),
            "JobReconcilerFunction", List.of("schedule.json"),
            "TokenRefresherFunction", List.of("schedule.json"),
            "ReencryptTokensFunction", List.of("start.json", "resume.json"),
            "ConnectionsApiFunction", List.of("list-connections.json", "get-sync-job.json", "get-records.json", "no-claims.json",
                    "delete-connection.json", "start-sync.json"),
            "WebhookSenderFunction", List.of("sqs-event.json"));
    /**
     * Samples named {@code no-claims*} lack the authorizer block on a JWT route. API Gateway never sends
     * that; they show the handler refuses it anyway (the local runner, or a route detached from its authorizer).
     */
    private static final String NO_CLAIMS_PREFIX = "no-claims";
    private static final Pattern PATH_PARAMETER = Pattern.compile("\\{([^}]+)}");
    private static final List<String> REQUIRED_OAUTH_SAMPLES =
            List.of("authorize.json", "authorize-json.json", "callback.json", "callback-denied.json");
    private static final List<String> REQUIRED_API_KEY_SAMPLES = List.of("put-key.json", "put-key-malformed.json", "no-claims.json");
    private static final List<String> REQUIRED_LINK_TOKEN_SAMPLES = List.of("authorize.json", "callback.json");

    /** One harness (tables, queues, secrets) per function, shared by its samples. */
    private static final Map<String, Harness> HARNESSES = new HashMap<>();

    @BeforeAll
    static void captureLogs() {
        LogCapture.install();
    }

    static Stream<Arguments> samples() throws IOException {
        try (Stream<Path> files = Files.walk(EVENTS)) {
            return files.filter(Files::isRegularFile).sorted()
                    .map(f -> Arguments.of(EVENTS.relativize(f.getParent()).toString(), f.getFileName().toString()))
                    .toList().stream();
        }
    }

    // ================================================================ the files themselves

    @Test
    void everyFunctionHasItsSamplesAndEverySampleFolderIsAFunction() throws IOException {
        Set<String> functions = TEMPLATE.functions().keySet();
        try (Stream<Path> dirs = Files.list(EVENTS)) {
            assertThat(dirs.map(d -> d.getFileName().toString()).toList())
                    .as("events/ folders are function logical ids of template.yaml").isSubsetOf(functions);
        }
        try (Stream<Path> stray = Files.walk(EVENTS)) {
            assertThat(stray.filter(Files::isRegularFile).filter(f -> EVENTS.relativize(f).getNameCount() != 2
                    || !f.toString().endsWith(".json")).toList()).as("files outside events/<function>/<case>.json").isEmpty();
        }
        for (String function : functions) {
            Object provider = TEMPLATE.environment(function).get(Settings.PROVIDER);
            List<String> required = provider == null ? REQUIRED_SAMPLES.getOrDefault(function, List.of())
                    : switch (authType(String.valueOf(provider))) {
                        case ProviderSpec.API_KEY -> REQUIRED_API_KEY_SAMPLES;
                        case ProviderSpec.LINK_TOKEN -> REQUIRED_LINK_TOKEN_SAMPLES;
                        default -> REQUIRED_OAUTH_SAMPLES;
                    };
            assertThat(required).as("%s: say which samples it needs", function).isNotEmpty();
            for (String sample : required) {
                assertThat(EVENTS.resolve(function).resolve(sample)).as("%s sample", function).isRegularFile();
            }
        }
    }

    @Test
    void noSampleHoldsARealLookingSecretOrToken() throws IOException {
        try (Stream<Path> files = Files.walk(EVENTS)) {
            Map<String, List<String>> found = files.filter(Files::isRegularFile).collect(Collectors.toMap(
                    f -> EVENTS.relativize(f).toString(),
                    f -> REAL_LOOKING_SECRET.matcher(read(f)).results().map(r -> r.group()).toList()));
            found.values().removeIf(List::isEmpty);
            assertThat(found).as("token-shaped strings in events/").isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("samples")
    void httpSamplesAreApiGatewayPayload2ForARouteOfTheirFunction(String function, String file) throws IOException {
        if (routes(function).isEmpty()) return;
        JsonNode raw = new ObjectMapper().readTree(read(EVENTS.resolve(function).resolve(file)));
        assertThat(raw.path("version").asText()).isEqualTo("2.0");
        String rawPath = raw.path("rawPath").asText();
        String routeKey = raw.path("routeKey").asText();
        assertThat(raw.path("requestContext").path("routeKey").asText()).isEqualTo(routeKey);
        String method = routeKey.substring(0, Math.max(0, routeKey.indexOf(' ')));
        assertThat(method).as("routeKey %s starts with an HTTP method", routeKey).isIn("GET", "PUT", "POST", "DELETE");
        assertThat(rawPath).as("rawPath is the route with pathParameters filled in")
                .isEqualTo(fillPathParameters(routeKey.substring(method.length() + 1), raw.path("pathParameters")));
        assertThat(raw.path("requestContext").path("http").path("method").asText()).isEqualTo(method);
        if (raw.has("body")) {
            assertThat(method).as("%s: only PUT/POST samples carry a body", file).isIn("PUT", "POST");
            assertThat(raw.path("headers").path("content-type").asText()).as("%s content-type", file).startsWith("application/json");
        }
        assertThat(raw.path("requestContext").path("http").path("path").asText()).isEqualTo(rawPath);
        assertThat(raw.path("requestContext").path("requestId").asText()).isNotBlank();
        assertThat(raw.path("headers").fieldNames()).toIterable().as("API Gateway lower-cases header names")
                .allSatisfy(h -> assertThat(h).isLowerCase());
        Map<String, String> parameters = new LinkedHashMap<>();
        raw.path("queryStringParameters").fields().forEachRemaining(e -> parameters.put(e.getKey(), e.getValue().asText()));
        assertThat(parameters).as("queryStringParameters match rawQueryString").isEqualTo(queryOf(raw.path("rawQueryString").asText()));

        // the route is one the template gives this function, and its auth decides the authorizer block
        Map<String, Object> route = routes(function).get(routeKey);
        assertThat(route).as("%s has no route %s in template.yaml", function, routeKey).isNotNull();
        boolean publicRoute = "NONE".equals(Template.map(route.get("Auth")).get("Authorizer"));
        APIGatewayV2HTTPEvent event = EVENT_JSON.readValue(read(EVENTS.resolve(function).resolve(file)), APIGatewayV2HTTPEvent.class);
        if (file.startsWith(NO_CLAIMS_PREFIX)) {
            assertThat(publicRoute).as("%s: a no-claims sample is for a JWT route", file).isFalse();
            assertThat(event.getRequestContext().getAuthorizer()).as("%s has no authorizer block", file).isNull();
        } else if (publicRoute) {
            assertThat(event.getRequestContext().getAuthorizer()).as("a route without authorizer has no claims").isNull();
        } else {
            var authorizer = event.getRequestContext().getAuthorizer();
            assertThat(authorizer == null ? null : authorizer.getJwt())
                    .as("%s is behind the JWT authorizer: the sample needs requestContext.authorizer.jwt", routeKey).isNotNull();
            Map<String, String> claims = authorizer.getJwt().getClaims();
            assertThat(claims).as("JWT claims reach the handler").containsKeys(defaultOf("TenantClaim"), defaultOf("UserClaim"));
        }
    }

    // ================================================================ every handler, every sample

    @ParameterizedTest(name = "{0}/{1}")
    @MethodSource("samples")
    void everySampleRunsThroughTheDeployedHandler(String function, String file) throws Exception {
        assertThat(TEMPLATE.functions()).as("events/%s names a function of template.yaml", function).containsKey(function);
        Class<?> handlerClass = Class.forName(TEMPLATE.handlerClass(function));
        String provider = (String) TEMPLATE.environment(function).get(Settings.PROVIDER);
        Harness harness = harness(function, provider);
        String flow = provider == null ? null : authType(provider);
        @SuppressWarnings("unchecked")
        RequestHandler<Object, Object> handler = (RequestHandler<Object, Object>) (provider != null && !flow.equals(ProviderSpec.OAUTH2)
                // these flows call the provider from the sample itself: its entry is moved onto WireMock, never the internet
                ? handlerClass.getConstructor(Services.class, ProviderSpec.class).newInstance(harness.services(), stubbed(harness, provider))
                : handlerClass.getConstructor(Services.class).newInstance(harness.services()));

        Object input = EVENT_JSON.readValue(read(EVENTS.resolve(function).resolve(file)), inputType(handlerClass));
        LambdaContext context = new LambdaContext(function,
                Template.integer(TEMPLATE.functionProperty(function, "Timeout").orElse(3)),
                Template.integer(TEMPLATE.functionProperty(function, "MemorySize").orElse(128)));
        LogCapture.clear();
        Object[] output = new Object[1];
        assertThatCode(() -> output[0] = handler.handleRequest(input, context)).as("%s/%s", function, file).doesNotThrowAnyException();
        String logs = LogCapture.all();
        System.out.println("---- " + function + "/" + file + "\n" + logs);

        assertThat(logs).as("logs").doesNotContain("_crashed").doesNotContain("Exception");
        if (provider != null) {
            assertThat(logs).doesNotContain(Harness.clientSecret(provider));
            APIGatewayV2HTTPResponse response = (APIGatewayV2HTTPResponse) output[0];
            assertThat(response.getBody() == null ? "" : response.getBody()).as("%s/%s body", function, file)
                    .doesNotContain("KEY-NOT-REAL").doesNotContain("EXAMPLE-PUBLIC-TOKEN");
            assertThat(logs).doesNotContain("KEY-NOT-REAL").doesNotContain("EXAMPLE-PUBLIC-TOKEN");
            switch (flow) {
                case ProviderSpec.API_KEY -> checkApiKeyResponse(provider, file, response);
                case ProviderSpec.LINK_TOKEN -> checkLinkTokenResponse(provider, file, response);
                default -> checkOAuthResponse(provider, file, (APIGatewayV2HTTPEvent) input, response);
            }
        } else if (output[0] instanceof APIGatewayV2HTTPResponse response) {
            checkApiResponse(function + "/" + file, file.startsWith(NO_CLAIMS_PREFIX), (APIGatewayV2HTTPEvent) input, response);
        } else if (input instanceof SQSEvent sqs && function.equals("WebhookSenderFunction")) {
            // no WebhookUrl in the stack's defaults: the app takes no webhooks, so events are dropped, never retried
            assertThat(((SQSBatchResponse) output[0]).getBatchItemFailures()).as("%s/%s", function, file).isEmpty();
            assertThat(logs).contains("webhook_not_configured");
        } else if (input instanceof SQSEvent sqs) {
            checkBatchResponse(sqs, (SQSBatchResponse) output[0]);
        } else {
            assertThat(output[0]).as("%s returns a map", function).isInstanceOf(Map.class);
            @SuppressWarnings("unchecked")
            Map<String, Object> out = (Map<String, Object>) output[0];
            switch (function) { // fresh tables: nothing pending, nothing due, nothing to re-encrypt
                case "TokenRefresherFunction" -> assertThat(out).containsEntry("due", (Object) 0).containsEntry("failed", (Object) 0);
                case "ReencryptTokensFunction" -> assertThat(out).containsEntry("reencrypted", (Object) 0).containsEntry("complete", (Object) true);
                default -> assertThat(out.get("resent")).isEqualTo(0);
            }
        }
    }

    private static void checkOAuthResponse(String provider, String file, APIGatewayV2HTTPEvent event, APIGatewayV2HTTPResponse response) {
        String body = response.getBody() == null ? "" : response.getBody();
        String where = provider + "/" + file;
        assertThat(response.getStatusCode()).as("%s status (5xx only when not configured; the harness configures all)", where)
                .isLessThan(500);
        assertThat(body).as("%s body", where).doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain(Harness.clientSecret(provider));
        assertThat(response.getHeaders()).containsEntry("Cache-Control", "no-store");

        if (event.getRawPath().endsWith("/authorize")) {
            boolean json = event.getHeaders().getOrDefault("accept", "").contains("application/json");
            URI url;
            if (json) {
                assertThat(response.getStatusCode()).as(where).isEqualTo(200);
                url = URI.create(readTree(body).path("authorizationUrl").asText());
            } else {
                assertThat(response.getStatusCode()).as(where).isEqualTo(302);
                url = URI.create(response.getHeaders().get("Location"));
            }
            if (ProviderSpec.OAUTH1.equals(authType(provider))) { // its entry was moved onto WireMock: the path and the request token
                assertThat(url.getPath()).as(where).isEqualTo("/" + provider + URI.create(ProviderRegistry.load(provider).authorizeUrl()).getPath());
                assertThat(queryOf(url.getRawQuery())).as(where).containsEntry("oauth_token", "events-request-token");
                assertThat(url.toString()).as(where).doesNotContain("events-request-secret");
                return;
            }
            assertThat(url.getScheme()).isEqualTo("https");
            assertThat(url.getHost()).as("%s authorization URL host", where).isEqualTo(expectedAuthorizeHost(provider));
            Map<String, String> query = queryOf(url.getRawQuery());
            assertThat(query).containsEntry("client_id", provider + "-client-id")
                    .containsEntry("redirect_uri", "https://connect.example.com/oauth/" + provider + "/callback")
                    .containsKey("state");
        } else {
            // the samples' state is a placeholder: the flow must refuse it politely
            if (response.getStatusCode() == 302) {
                assertThat(response.getHeaders().get("Location")).as(where).contains("error=");
            } else {
                assertThat(response.getStatusCode()).as(where).isEqualTo(400);
                assertThat(response.getHeaders().get("Content-Type")).startsWith("text/html");
                assertThat(body).as("%s result page", where).contains("invalid_state");
            }
        }
    }

    /** A fake key is accepted by the stubbed provider and stored; a malformed one is refused before any call; no claims is 401. */
    private static void checkApiKeyResponse(String provider, String file, APIGatewayV2HTTPResponse response) {
        String where = provider + "/" + file;
        assertThat(response.getHeaders()).as(where).containsEntry("Cache-Control", "no-store").containsEntry("Content-Type", "application/json");
        JsonNode json = readTree(response.getBody());
        int expected = file.startsWith(NO_CLAIMS_PREFIX) ? 401 : file.contains("malformed") ? 400 : 200;
        assertThat(response.getStatusCode()).as("%s status: %s", where, response.getBody()).isEqualTo(expected);
        if (expected == 200) {
            assertThat(json.path("connected").asBoolean()).as(where).isTrue();
        } else {
            assertThat(json.path("error").path("code").asText()).as(where).isEqualTo(expected == 401 ? "unauthorized" : "invalid_api_key");
        }
    }

    /** authorize answers a link token and our state; the sample callback's placeholder state is refused politely. */
    private static void checkLinkTokenResponse(String provider, String file, APIGatewayV2HTTPResponse response) {
        String where = provider + "/" + file;
        assertThat(response.getHeaders()).as(where).containsEntry("Cache-Control", "no-store").containsEntry("Content-Type", "application/json");
        JsonNode json = readTree(response.getBody());
        if (file.startsWith(NO_CLAIMS_PREFIX)) {
            assertThat(response.getStatusCode()).as(where).isEqualTo(401);
        } else if (file.startsWith("authorize")) {
            assertThat(response.getStatusCode()).as("%s: %s", where, response.getBody()).isEqualTo(200);
            assertThat(json.path("linkToken").asText()).as(where).isEqualTo("link-sandbox-events-test");
            assertThat(json.path("state").asText()).as(where).startsWith("v1.");
        } else {
            assertThat(response.getStatusCode()).as(where).isEqualTo(400);
            assertThat(json.path("error").path("code").asText()).as(where).isEqualTo("invalid_state");
        }
    }

    /** The provider's entry moved onto WireMock, answering the calls a sample can reach with a documented success shape. */
    private static ProviderSpec stubbed(Harness harness, String provider) {
        ProviderSpec spec = harness.rebased(provider);
        if (spec.validation() != null) {
            harness.wiremock.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(URI.create(spec.validation().url()).getPath()))
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson("{\"data\":[]}")));
        }
        if (spec.requestTokenUrl() != null) { // oauth1: authorize fetches a request token first
            harness.wiremock.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(URI.create(spec.requestTokenUrl()).getPath()))
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.aResponse().withHeader("Content-Type", "text/plain")
                            .withBody("oauth_token=events-request-token&oauth_token_secret=events-request-secret&oauth_callback_confirmed=true")));
        }
        if (spec.link() != null) {
            String create = spec.link().createUrl().replace("{env_host}", spec.defaults().getOrDefault("env_host", ""));
            harness.wiremock.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                    com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo(URI.create(create).getPath()))
                    .willReturn(com.github.tomakehurst.wiremock.client.WireMock.okJson(
                            "{\"link_token\":\"link-sandbox-events-test\",\"expiration\":\"2025-11-26T10:55:00Z\",\"request_id\":\"r1\"}")));
        }
        return spec;
    }

    private static String authType(String provider) {
        return ProviderRegistry.load(provider).authTypeOrDefault();
    }

    /** The app's JSON API on fresh tables: lists answer empty, a named item is not found, no claims is 401. */
    private static void checkApiResponse(String where, boolean noClaims, APIGatewayV2HTTPEvent event, APIGatewayV2HTTPResponse response) {
        String body = response.getBody() == null ? "" : response.getBody();
        assertThat(response.getHeaders()).as(where).containsEntry("Cache-Control", "no-store")
                .containsEntry("Content-Type", "application/json");
        assertThat(body).as("%s body", where).doesNotContain("Exception").doesNotContain("\tat ");
        JsonNode json = readTree(body);
        int expected = noClaims ? 401 : event.getPathParameters() != null ? 404 : 200;
        assertThat(response.getStatusCode()).as("%s status: %s", where, body).isEqualTo(expected);
        if (expected != 200) {
            assertThat(json.path("error").path("code").asText()).as(where).isEqualTo(noClaims ? "unauthorized" : "not_found");
        }
    }

    private static void checkBatchResponse(SQSEvent event, SQSBatchResponse response) {
        assertThat(response).as("an SQSBatchResponse, as ReportBatchItemFailures expects").isNotNull();
        List<String> failed = response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
        for (SQSEvent.SQSMessage message : event.getRecords()) {
            boolean readable = JobQueue.jobId(message.getBody()) != null;
            if (readable) {
                // a job id no table holds: a duplicate or leftover, dropped rather than retried
                assertThat(failed).as("message %s (unknown job) is acknowledged", message.getMessageId())
                        .doesNotContain(message.getMessageId());
            } else {
                assertThat(failed).as("unreadable message %s is reported, so the DLQ gets it", message.getMessageId())
                        .contains(message.getMessageId());
            }
        }
        assertThat(event.getRecords()).extracting(SQSEvent.SQSMessage::getMessageId).containsAll(failed);
    }

    // ================================================================ helpers

    private static synchronized Harness harness(String function, String provider) {
        return HARNESSES.computeIfAbsent(function, f -> {
            Harness h = Harness.forFunction(f);
            if (provider != null) {
                h.providerSecret(provider, provider.equals("generic") ? GENERIC_SECRET : Map.of());
            }
            return h;
        });
    }

    private static String expectedAuthorizeHost(String provider) {
        ProviderSpec spec = ProviderRegistry.load(provider);
        // placeholders: the provider's secret (the generic provider's endpoints), the samples' inputs, then defaults
        Map<String, String> values = new java.util.HashMap<>(spec.defaults());
        spec.inputs().forEach(i -> values.put(i.name(), i.example()));
        values.putAll(GENERIC_SECRET);
        return URI.create(dev.connectors.providers.Placeholders.fill(spec.authorizeUrl(), values)).getHost();
    }

    /** The handler's input type, from {@code RequestHandler<I, O>}. */
    private static JavaType inputType(Class<?> handler) {
        for (Type type : handler.getGenericInterfaces()) {
            if (type instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                return EVENT_JSON.getTypeFactory().constructType(p.getActualTypeArguments()[0]);
            }
        }
        throw new AssertionError(handler + " does not implement RequestHandler<I, O> directly");
    }

    /** "/sync-jobs/{id}" with pathParameters {"id": "job_1"} → "/sync-jobs/job_1"; every placeholder needs its parameter. */
    private static String fillPathParameters(String routePath, JsonNode pathParameters) {
        Set<String> names = PATH_PARAMETER.matcher(routePath).results().map(m -> m.group(1)).collect(Collectors.toSet());
        Set<String> given = new java.util.TreeSet<>();
        pathParameters.fieldNames().forEachRemaining(given::add);
        assertThat(given).as("pathParameters of route %s", routePath).containsExactlyInAnyOrderElementsOf(names);
        String path = routePath;
        for (String name : names) {
            path = path.replace("{" + name + "}", pathParameters.path(name).asText());
        }
        return path;
    }

    private static Map<String, Map<String, Object>> routes(String function) {
        Map<String, Map<String, Object>> routes = new LinkedHashMap<>();
        TEMPLATE.events(function).values().stream().filter(e -> "HttpApi".equals(e.get("Type"))).map(e -> Template.map(e.get("Properties")))
                .forEach(p -> routes.put(String.valueOf(p.get("Method")).toUpperCase() + " " + p.get("Path"), p));
        return routes;
    }

    private static String defaultOf(String parameter) {
        return String.valueOf(Template.map(TEMPLATE.parameters().get(parameter)).get("Default"));
    }

    private static Map<String, String> queryOf(String raw) {
        Map<String, String> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) return query;
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            query.merge(name, value, (a, b) -> a + "," + b); // as API Gateway joins repeated parameters
        }
        return query;
    }

    private static JsonNode readTree(String json) {
        try {
            return new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
