package dev.connectors.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ErrorCode;
import dev.connectors.errors.ErrorFormatter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connect page in a real browser (headless Debian Chromium via chromedriver) against the runner as
 * {@code ./run-local.sh} starts it: connect the sandbox through the popup, watch the backfill finish,
 * disconnect; an HTML page from the provider's token endpoint; a popup closed by the user. Screenshots of
 * each state go to {@code target/screenshots/}. Runs when /usr/bin/chromedriver exists (the {@code browser}
 * profile of this module; test.sh says so when it does not).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectPageBrowserTest {
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String SANDBOX = "section[data-provider=\"generic\"]";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    static Path dir;
    private static LocalRunner.Running runner;
    private static WebDriver browser;
    private static String page;

    @BeforeAll
    static void start() throws Exception {
        // GitLab gets client credentials, so its Connect opens a popup that never comes back (the cancel case)
        Path secrets = dir.resolve("local-secrets.json");
        Files.writeString(secrets, "{\"connectors/gitlab\": {\"client_id\": \"page-test\", \"client_secret\": \"page-test-secret\"}}");
        runner = LocalRunner.start(LocalRunner.Config.defaults().withPort(0).withDataDir(dir.resolve("data")).withSecretsFile(secrets));
        // "localhost", not 127.0.0.1: the popup's result page posts to the allow-listed origin http://localhost:<port>
        page = runner.baseUrl() + "/";
        Files.createDirectories(Path.of("target"));
        browser = WebDriver.start(dir.resolve("chromium-profile"), Path.of("target", "chromedriver.log"));
    }

    @AfterAll
    static void stop() {
        if (browser != null) browser.close();
        if (runner != null) runner.close();
    }

    @Test
    @Order(1)
    void connectTheSandboxWatchTheBackfillFinishThenDisconnect() throws Exception {
        browser.open(page);
        browser.awaitElement(SANDBOX + "[data-status=\"none\"] button[data-action=\"connect\"]");
        assertThat(browser.text(SANDBOX + " .name")).isEqualTo("Sandbox");
        assertThat(browser.text(SANDBOX + " .auth")).isEqualTo("OAuth 2.0");
        assertThat(browser.text(SANDBOX + " .status")).isEqualTo("Not connected");
        assertThat(browser.find("section[data-provider=\"sendgrid\"] form input[type=\"password\"]")).as("API-key form").isNotNull();
        assertThat(browser.text("section[data-provider=\"slack\"] .status")).isEqualTo("Not configured on this server");
        shot("1-providers");

        String main = browser.window();
        browser.click(SANDBOX + " button[data-action=\"connect\"]");
        // the popup goes to the sandbox, which approves at once, then to the callback, whose page reports back
        awaitAttribute(SANDBOX, "data-status", "active");
        WebDriver.awaitTrue(Duration.ofSeconds(10), "the page to close the popup once it reported", () -> quietWindows().equals(List.of(main)));
        assertThat(browser.text(SANDBOX + " .message")).isEqualTo("Sandbox is connected. Importing your history…");
        assertThat(browser.text(SANDBOX + " .expiry")).startsWith("Token expires");
        shot("2-connected");

        List<String> seen = new ArrayList<>();
        WebDriver.awaitTrue(Duration.ofSeconds(60), "the backfill to finish on the page", () -> {
            String sync = quietAttribute(SANDBOX, "data-sync");
            if (sync != null && (seen.isEmpty() || !seen.get(seen.size() - 1).equals(sync))) seen.add(sync);
            return "succeeded".equals(sync);
        });
        JsonNode job = api("/connections").get("connections").get(0).get("lastSync");
        assertThat(job.get("status").asText()).isEqualTo("succeeded");
        assertThat(browser.text(SANDBOX + " .sync")).startsWith("Backfill done: " + job.get("records").asLong() + " records in "
                + job.get("pages").asLong() + " pages");
        assertThat(seen).last().isEqualTo("succeeded");
        assertThat(browser.attribute(SANDBOX + " .progress", "hidden")).as("progress bar hidden when done").isNotNull();
        shot("3-backfill-done");

        browser.click(SANDBOX + " button[data-action=\"resync\"]");
        WebDriver.awaitTrue(Duration.ofSeconds(30), "the resync to start", () -> "Sync started.".equals(quietText(SANDBOX + " .message")));
        WebDriver.awaitTrue(Duration.ofSeconds(60), "the resync to finish", () -> {
            try {
                JsonNode last = api("/connections").get("connections").get(0).get("lastSync");
                return !last.get("jobId").asText().equals(job.get("jobId").asText()) && "succeeded".equals(last.get("status").asText())
                        && "succeeded".equals(quietAttribute(SANDBOX, "data-sync"));
            } catch (Exception e) {
                return false;
            }
        });

        browser.click(SANDBOX + " button[data-action=\"disconnect\"]");
        awaitAttribute(SANDBOX, "data-status", "none");
        assertThat(browser.text(SANDBOX + " .message")).isEqualTo("Sandbox is disconnected.");
        assertThat(api("/connections").get("connections")).isEmpty();
        shot("4-disconnected");
    }

    @Test
    @Order(2)
    void anHtmlPageFromTheTokenEndpointShowsTheFriendlyMessageVerbatim() throws Exception {
        browser.open(page);
        browser.awaitElement(SANDBOX + "[data-status=\"none\"] button[data-action=\"connect\"]");
        runner.sandbox().answerNextTokenRequestWith(502, "text/html; charset=utf-8",
                "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1></body></html>");

        browser.click(SANDBOX + " button[data-action=\"connect\"]");

        String expected = ErrorFormatter.format(ErrorCode.PROVIDER_HTML_ERROR, "generic", "Sandbox").message();
        WebDriver.awaitTrue(Duration.ofSeconds(30), "the error message", () -> expected.equals(quietText(SANDBOX + " .message")));
        assertThat(browser.attribute(SANDBOX + " .message", "data-kind")).isEqualTo("error");
        assertThat(browser.attribute(SANDBOX, "data-status")).isEqualTo("none");
        WebDriver.awaitTrue(Duration.ofSeconds(10), "the page to close the popup", () -> quietWindows().size() == 1);
        assertThat(api("/connections").get("connections")).isEmpty();
        shot("5-error-html-page");
    }

    @Test
    @Order(3)
    void aPopupClosedBeforeTheProviderAnswersIsReportedAsCancelled() throws Exception {
        browser.open(page);
        String gitlab = "section[data-provider=\"gitlab\"]";
        browser.awaitElement(gitlab + " button[data-action=\"connect\"]");
        String main = browser.window();

        browser.click(gitlab + " button[data-action=\"connect\"]");
        WebDriver.awaitTrue(Duration.ofSeconds(30), "the GitLab popup", () -> quietWindows().size() == 2);
        WebDriver.awaitTrue(Duration.ofSeconds(30), "the page to wait for the popup",
                () -> quietText(gitlab + " .message").startsWith("Finish connecting GitLab"));
        String popup = quietWindows().stream().filter(h -> !h.equals(main)).findFirst().orElseThrow();
        browser.switchTo(popup);
        browser.closeWindow(); // the user gives up at the provider
        browser.switchTo(main);

        WebDriver.awaitTrue(Duration.ofSeconds(30), "the cancelled message", () -> quietText(gitlab + " .message").startsWith("Connection cancelled"));
        assertThat(browser.attribute(gitlab + " .message", "data-kind")).isEqualTo("cancelled");
        assertThat(browser.attribute(gitlab, "data-status")).isEqualTo("none");
        shot("6-cancelled");
    }

    @Test
    @Order(4)
    void whenPopupsAreBlockedTheWholePageGoesToTheProviderAndComesBack() throws Exception {
        browser.open(page);
        browser.awaitElement(SANDBOX + "[data-status=\"none\"] button[data-action=\"connect\"]");
        browser.execute("window.open = function () { return null; }"); // what a popup blocker does

        browser.click(SANDBOX + " button[data-action=\"connect\"]");

        awaitAttribute(SANDBOX, "data-status", "active");
        assertThat(browser.text(SANDBOX + " .message")).isEqualTo("Connected. Importing your history…");
        assertThat(browser.execute("return location.href").asText()).as("the result is taken off the address bar")
                .isEqualTo(runner.baseUrl() + ConnectPage.PATH);
        shot("7-connected-without-popup");
        browser.click(SANDBOX + " button[data-action=\"disconnect\"]");
        awaitAttribute(SANDBOX, "data-status", "none");
    }

    // ------------------------------------------------------------------ helpers

    private static void shot(String name) throws Exception {
        browser.screenshot(SCREENSHOTS.resolve(name + ".png"));
    }

    private static void awaitAttribute(String css, String name, String value) throws InterruptedException {
        WebDriver.awaitTrue(Duration.ofSeconds(30), css + " " + name + "=" + value, () -> value.equals(quietAttribute(css, name)));
    }

    private static String quietAttribute(String css, String name) {
        try {
            return browser.attribute(css, name);
        } catch (Exception e) {
            return null;
        }
    }

    private static String quietText(String css) {
        try {
            return browser.text(css);
        } catch (Exception e) {
            return "";
        }
    }

    private static List<String> quietWindows() {
        try {
            return browser.windows();
        } catch (Exception e) {
            return List.of();
        }
    }

    /** The same API the page uses, as the page's dev user. */
    private static JsonNode api(String path) throws Exception {
        HttpResponse<String> res = HTTP.send(HttpRequest.newBuilder(URI.create(runner.baseUrl() + path))
                .header("Authorization", "Bearer " + runner.devToken(LocalRunner.DEV_TENANT, LocalRunner.DEV_USER)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(res.statusCode()).isEqualTo(200);
        return JSON.readTree(res.body());
    }
}
