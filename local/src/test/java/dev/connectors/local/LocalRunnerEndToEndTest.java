package dev.connectors.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The README's walkthrough against the runner as {@code ./run-local.sh} starts it (in-process, its own
 * stand-ins, a temporary data folder): a browser-like client that follows redirects by hand.
 */
class LocalRunnerEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The user's browser: the binding cookie set by authorize comes back with the callback. */
    private static final BrowserCookies BROWSER = new BrowserCookies();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    static Path dataDir;
    private static LocalRunner.Config config;
    private static LocalRunner.Running runner;

    @BeforeAll
    static void start() {
        config = LocalRunner.Config.defaults().withPort(0).withDataDir(dataDir).withSecretsFile(dataDir.resolve("none.json"));
        runner = LocalRunner.start(config);
    }

    @AfterAll
    static void stop() {
        if (runner != null) runner.close();
    }

    @Test
    void connectTokenBackfillThenRecordsAndTheDataSurvivesARestart() throws Exception {
        String base = runner.baseUrl();
        String token = JSON.readTree(get(base + "/local/dev-token?tenant=walk-tenant&user=walk-user", null).body()).get("token").asText();

        HttpResponse<String> authorize = get(base + "/oauth/generic/authorize?return_to=" + base + "/done", token);
        assertThat(authorize.statusCode()).isEqualTo(302);
        URI toProvider = location(authorize);
        assertThat(toProvider.getPath()).isEqualTo("/sandbox/authorize");

        HttpResponse<String> approved = get(toProvider.toString(), null); // the sandbox approves without a login page
        assertThat(approved.statusCode()).isEqualTo(302);
        URI callback = location(approved);
        assertThat(callback.toString()).startsWith(base + "/oauth/generic/callback?");

        HttpResponse<String> finished = get(callback.toString(), null);
        assertThat(finished.statusCode()).isEqualTo(302);
        assertThat(location(finished).toString()).isEqualTo(base + "/done?connected=generic");

        JsonNode connection = onlyConnection(base, token);
        assertThat(connection.get("provider").asText()).isEqualTo("generic");
        assertThat(connection.get("status").asText()).isEqualTo("active");
        assertThat(connection.toString()).doesNotContain("accessToken", "refreshToken");
        String jobId = connection.path("lastSync").path("jobId").asText();
        assertThat(jobId).startsWith("job_");

        JsonNode job = awaitFinished(base + "/sync-jobs/" + jobId, token);
        assertThat(job.get("status").asText()).isEqualTo("succeeded");
        assertThat(job.get("pages").asLong()).isGreaterThan(1); // real cursor paging
        // only the 3-month window of the sandbox's 4 months of history
        assertThat(job.get("records").asLong()).isBetween(500L, (long) SandboxHistory.RECORDS - 1);

        // the runner's live status line counts the finished job and its records
        LiveStatus.Snapshot status = runner.status().take();
        assertThat(status.done()).isGreaterThanOrEqualTo(1);
        assertThat(status.records()).isGreaterThanOrEqualTo(job.get("records").asLong());
        assertThat(status.requests()).isGreaterThanOrEqualTo(5);

        HttpResponse<String> records = get(base + "/records?provider=generic&model=records&limit=10", token);
        assertThat(records.statusCode()).isEqualTo(200);
        JsonNode page = JSON.readTree(records.body());
        assertThat(page.get("records")).hasSize(10);
        assertThat(page.get("records").get(0).toString()).contains("sbx-");

        // restart on the same data folder: the connection, its job and the dev token key are still there
        runner.close();
        runner = LocalRunner.start(config);
        JsonNode again = onlyConnection(runner.baseUrl(), token);
        assertThat(again.get("status").asText()).isEqualTo("active");
        assertThat(again.path("lastSync").path("records").asLong()).isEqualTo(job.get("records").asLong());
    }

    @Test
    void anHtmlPageFromTheTokenEndpointEndsAtReturnToWithAFriendlyErrorAndNothingStored() throws Exception {
        String base = runner.baseUrl();
        String token = runner.devToken("html-tenant", "html-user");
        URI toProvider = location(get(base + "/oauth/generic/authorize?return_to=http://localhost:3000/done", token));
        URI callback = location(get(toProvider.toString(), null));
        // the callback's code exchange gets an HTML page instead of tokens
        runner.sandbox().answerNextTokenRequestWith(200, "text/html; charset=utf-8",
                "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Oops</h1></body></html>");

        HttpResponse<String> finished = get(callback.toString(), null);

        assertThat(finished.statusCode()).isEqualTo(302);
        URI back = location(finished);
        assertThat(back.toString()).startsWith("http://localhost:3000/done?");
        Map<String, String> params = query(back);
        assertThat(params).containsEntry("error", "provider_html_error").doesNotContainKey("connected");
        assertThat(params.get("message")).contains("Sandbox").doesNotContain("<", "Oops", "Exception");
        JsonNode list = JSON.readTree(get(base + "/connections", token).body());
        assertThat(list.get("connections")).isEmpty();
    }

    @Test
    void theConnectPageIsServedWithAStrictPolicyAndListsEveryDeployedProvider() throws Exception {
        String base = runner.baseUrl();
        HttpResponse<String> root = get(base + "/", null);
        assertThat(root.statusCode()).isEqualTo(302);
        assertThat(location(root).toString()).isEqualTo(ConnectPage.PATH);
        HttpResponse<String> page = get(base + ConnectPage.PATH, null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
        assertThat(page.headers().firstValue("Content-Security-Policy")).hasValue(ConnectPage.CSP);
        assertThat(page.body()).contains("<script src=\"connect.js\" defer></script>").doesNotContain("<script>", "style=");
        HttpResponse<String> script = get(base + ConnectPage.PATH + "connect.js", null);
        assertThat(script.headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        // what the API and providers say is only ever shown as text
        assertThat(script.body()).doesNotContain("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(");
        assertThat(get(base + ConnectPage.PATH + "../pom.xml", null).statusCode()).isEqualTo(404);
        assertThat(get(base + ConnectPage.PATH + "missing.js", null).statusCode()).isEqualTo(404);

        JsonNode providers = JSON.readTree(get(base + LocalProviders.PATH, null).body()).get("providers");
        assertThat(providers).hasSize(dev.connectors.providers.ProviderRegistry.allIds().size());
        assertThat(providers.get(0).toString()).isEqualTo("{\"id\":\"generic\",\"displayName\":\"Sandbox\",\"authType\":\"oauth2\","
                + "\"scopes\":[\"openid\"],\"inputs\":[],\"ready\":true}");
        Map<String, JsonNode> byId = new LinkedHashMap<>();
        providers.forEach(p -> byId.put(p.get("id").asText(), p));
        assertThat(byId.get("slack").get("ready").asBoolean()).as("no credentials in the secrets file").isFalse();
        assertThat(byId.get("sendgrid").get("authType").asText()).isEqualTo("api_key");
        assertThat(byId.get("sendgrid").get("ready").asBoolean()).isTrue();
        assertThat(byId.get("shopify").get("inputs").get(0).get("param").asText()).isEqualTo("shop");
        assertThat(providers.toString()).doesNotContain("client_secret", "clientSecret");

        String banner = String.join("\n", runner.summary());
        assertThat(banner).contains("  page      " + base + ConnectPage.PATH + " ");
        assertThat(banner).contains("    sendgrid ready: the user enters an API key\n"); // no callback URL to register for a key
        assertThat(banner).contains("    generic  ready: the sandbox (generic) provider" + System.lineSeparator() + "             callback " + base + "/oauth/generic/callback");
    }

    @Test
    void theStatusLineIsPrintedOnlyWhenSomethingChanged() throws Exception {
        LiveStatus status = runner.status().detached(); // the runner's own one prints on its timer
        assertThat(status.changedLine()).hasValueSatisfying(l -> assertThat(l).startsWith("status  ").contains(" requests", " queued", " records synced"));
        assertThat(status.changedLine()).as("nothing happened").isEmpty();
        status.served(503);
        assertThat(status.changedLine()).hasValueSatisfying(l -> assertThat(l).contains("(1 answered 5xx)"));
        assertThat(status.changedLine()).isEmpty();
    }

    @Test
    void protectedRoutesNeedAValidTokenLikeTheJwtAuthorizer() throws Exception {
        String base = runner.baseUrl();
        String good = runner.devToken("t", "u");
        String[] parts = good.split("\\.");
        String otherPayload = java.util.Base64.getUrlEncoder().withoutPadding()
                .encodeToString("{\"iss\":\"connectors-local\",\"aud\":\"connectors-local\",\"tenant_id\":\"victim\",\"exp\":9999999999}".getBytes(StandardCharsets.UTF_8));

        for (String bad : new String[]{null, "not-a-jwt", "a.b.c", parts[0] + "." + otherPayload + "." + parts[2]}) {
            HttpResponse<String> res = get(base + "/connections", bad);
            assertThat(res.statusCode()).as("token %s", bad).isEqualTo(401);
            assertThat(res.body()).isEqualTo("{\"message\":\"Unauthorized\"}");
        }
        assertThat(get(base + "/connections", good).statusCode()).isEqualTo(200);
        // the callback opts out of the authorizer (Auth: Authorizer: NONE): it answers itself, not 401
        assertThat(get(base + "/oauth/generic/callback", null).statusCode()).isNotEqualTo(401);
    }

    @Test
    void unknownRoutesAnswer404LikeApiGateway() throws Exception {
        String base = runner.baseUrl();
        String token = runner.devToken("t", "u");
        for (String path : new String[]{"/nope", "/oauth/generic/authorize/extra", "/sync-jobs"}) {
            HttpResponse<String> res = get(base + path, token);
            assertThat(res.statusCode()).as(path).isEqualTo(404);
            assertThat(res.body()).isEqualTo("{\"message\":\"Not Found\"}");
        }
        HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/connections"))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(404); // the path exists, but not with this method
    }

    @Test
    void aSecondRunnerOnTheSameDataFolderIsRefused() {
        assertThatThrownBy(() -> LocalRunner.start(config))
                .isInstanceOf(StartupException.class)
                .hasMessageContaining("already using the data folder").hasMessageContaining("--data-dir");
    }

    @Test
    void aPortInUseIsNamedWithHowToChangeIt(@TempDir Path otherDir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            assertThatThrownBy(() -> LocalRunner.start(config.withDataDir(otherDir).withPort(port)))
                    .isInstanceOf(StartupException.class)
                    .hasMessageContaining("Port " + port + " is already in use").hasMessageContaining("--port");
        }
        // nothing was left holding the folder
        LocalRunner.start(config.withDataDir(otherDir)).close();
    }

    @Test
    void theCallbackMustComeBackToTheBrowserThatStartedTheFlow() throws Exception {
        String base = runner.baseUrl();
        String token = runner.devToken("lure-tenant", "attacker");
        HttpResponse<String> authorize = get(base + "/oauth/generic/authorize?return_to=" + base + "/done", token);
        assertThat(authorize.headers().allValues("set-cookie")).singleElement().satisfies(c -> assertThat(c)
                .matches("connectors_browser=[A-Za-z0-9_-]{43}; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax")); // plain http: no __Host-
        URI callback = location(get(location(authorize).toString(), null));

        // a victim's browser (no cookie) following the attacker's approved flow
        HttpResponse<String> lured = HTTP.send(HttpRequest.newBuilder(callback).GET().build(), HttpResponse.BodyHandlers.ofString());

        assertThat(query(location(lured))).containsEntry("error", "browser_mismatch");
        assertThat(JSON.readTree(get(base + "/connections", token).body()).get("connections")).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private static HttpResponse<String> get(String url, String bearer) throws Exception {
        HttpRequest.Builder b = BROWSER.addTo(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).GET());
        if (bearer != null) b.header("Authorization", "Bearer " + bearer);
        return BROWSER.keep(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString()));
    }

    private static URI location(HttpResponse<?> res) {
        return URI.create(res.headers().firstValue("Location").orElseThrow(() -> new AssertionError("no Location: " + res.statusCode())));
    }

    private static JsonNode onlyConnection(String base, String token) throws Exception {
        HttpResponse<String> res = get(base + "/connections", token);
        assertThat(res.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(res.body()).get("connections");
        assertThat(list).hasSize(1);
        return list.get(0);
    }

    private static JsonNode awaitFinished(String url, String token) throws Exception {
        long deadline = System.currentTimeMillis() + 30_000;
        while (true) {
            HttpResponse<String> res = get(url, token);
            assertThat(res.statusCode()).isEqualTo(200);
            JsonNode job = JSON.readTree(res.body());
            String status = job.get("status").asText();
            if (!status.equals("queued") && !status.equals("running")) return job;
            if (System.currentTimeMillis() > deadline) throw new AssertionError("sync job still " + status + ": " + job);
            Thread.sleep(200);
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            out.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return out;
    }
}
