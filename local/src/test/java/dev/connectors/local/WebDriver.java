package dev.connectors.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * Just enough of the W3C WebDriver protocol, over the JDK's HTTP client, to drive headless Debian Chromium
 * through {@code chromedriver}: no Selenium and no other dependency. One browser session per instance.
 */
final class WebDriver implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    static final String INSTALL = "sudo apt-get install -y chromium chromium-driver";
    private static final String ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final Process driver;
    private final String session;

    private WebDriver(Process driver, String session) {
        this.driver = driver;
        this.session = session;
    }

    /** Starts chromedriver on a free port and a headless Chromium with a fresh profile in {@code profileDir}. */
    static WebDriver start(Path profileDir, Path log) throws Exception {
        if (!Files.isExecutable(CHROMEDRIVER) || !Files.isExecutable(CHROMIUM)) {
            throw new AssertionError("The browser test needs Debian's Chromium and its driver (" + CHROMIUM + ", " + CHROMEDRIVER
                    + "): install them with `" + INSTALL + "`.");
        }
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process process = new ProcessBuilder(CHROMEDRIVER.toString(), "--port=" + port)
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        String base = "http://127.0.0.1:" + port;
        try {
            awaitTrue(Duration.ofSeconds(20), "chromedriver to start", () -> {
                try {
                    return call("GET", base + "/status", null).path("ready").asBoolean();
                } catch (IOException e) {
                    return false;
                }
            });
            List<String> args = List.of("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--window-size=1200,1000", "--user-data-dir=" + profileDir,
                    // nothing leaves the machine: every non-loopback address goes to a closed proxy port and fails at once
                    "--proxy-server=http://127.0.0.1:9");
            ObjectNode caps = JSON.createObjectNode();
            caps.putObject("capabilities").putObject("alwaysMatch").put("browserName", "chrome")
                    .set("goog:chromeOptions", JSON.valueToTree(Map.of("binary", CHROMIUM.toString(), "args", args)));
            String session = call("POST", base + "/session", caps).path("sessionId").asText();
            return new WebDriver(process, base + "/session/" + session);
        } catch (Exception | AssertionError e) {
            process.destroy();
            throw e;
        }
    }

    void open(String url) throws IOException {
        post("/url", Map.of("url", url));
    }

    /** The first element matching a CSS selector, or null. */
    String find(String css) throws IOException {
        JsonNode found = post("/elements", Map.of("using", "css selector", "value", css));
        return found.isArray() && !found.isEmpty() ? found.get(0).path(ELEMENT).asText() : null;
    }

    String awaitElement(String css) throws Exception {
        String[] id = new String[1];
        awaitTrue(Duration.ofSeconds(30), "an element " + css, () -> (id[0] = quietly(() -> find(css))) != null);
        return id[0];
    }

    void click(String css) throws Exception {
        post("/element/" + awaitElement(css) + "/click", Map.of());
    }

    void type(String css, String text) throws Exception {
        post("/element/" + awaitElement(css) + "/value", Map.of("text", text));
    }

    /** The rendered text of the first match, "" when there is none. */
    String text(String css) throws IOException {
        String id = find(css);
        return id == null ? "" : call("GET", session + "/element/" + id + "/text", null).asText();
    }

    String attribute(String css, String name) throws IOException {
        String id = find(css);
        return id == null ? null : call("GET", session + "/element/" + id + "/attribute/" + name, null).asText(null);
    }

    /** Runs a script in the page and returns its result. */
    JsonNode execute(String script) throws IOException {
        return post("/execute/sync", Map.of("script", script, "args", List.of()));
    }

    List<String> windows() throws IOException {
        List<String> out = new ArrayList<>();
        call("GET", session + "/window/handles", null).forEach(h -> out.add(h.asText()));
        return out;
    }

    String window() throws IOException {
        return call("GET", session + "/window", null).asText();
    }

    void switchTo(String handle) throws IOException {
        post("/window", Map.of("handle", handle));
    }

    /** Closes the current window, as a user closing a popup. */
    void closeWindow() throws IOException {
        call("DELETE", session + "/window", null);
    }

    void screenshot(Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.write(file, Base64.getDecoder().decode(call("GET", session + "/screenshot", null).asText()));
    }

    private JsonNode post(String path, Object body) throws IOException {
        return call("POST", session + path, JSON.valueToTree(body));
    }

    private static JsonNode call(String method, String url, JsonNode body) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
        HttpResponse<String> res;
        try {
            res = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        JsonNode value = JSON.readTree(res.body()).path("value");
        if (res.statusCode() != 200) {
            throw new IOException("WebDriver " + method + " " + url + " → " + res.statusCode() + ": " + value.path("message").asText());
        }
        return value;
    }

    interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T quietly(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            return null;
        }
    }

    /** Waits for a condition the page reaches on its own (a redirect, a poll); the timeout only stops a hung test. */
    static void awaitTrue(Duration timeout, String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) throw new AssertionError("Timed out waiting for " + what);
            Thread.sleep(100);
        }
    }

    @Override
    public void close() {
        try {
            call("DELETE", session, null);
        } catch (IOException e) {
            // the browser is going away anyway
        } finally {
            driver.destroy();
        }
    }
}
