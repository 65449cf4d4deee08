package dev.connectors.http;

import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.log.Log;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class ProviderHttpTest {
    private static final String HTML_502 = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n"
            + "<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

    private static WireMockServer wm;
    private static final List<String> LOG_LINES = new CopyOnWriteArrayList<>();

    private final ProviderHttp http = new ProviderHttp(Duration.ofSeconds(2), Duration.ofSeconds(5), 64 * 1024);
    private final ProviderHttp quick = new ProviderHttp(Duration.ofSeconds(2), Duration.ofMillis(300), 64 * 1024);

    @BeforeAll
    static void start() {
        wm = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        wm.start();
        Log.sink(LOG_LINES::add);
    }

    @AfterAll
    static void stop() {
        wm.stop();
        Log.sink(line -> LambdaRuntime.getLogger().log(line + "\n")); // Log's own default
    }

    @BeforeEach
    void reset() {
        wm.resetAll();
        LOG_LINES.clear();
    }

    private static URI url(String pathAndQuery) {
        return URI.create(wm.baseUrl() + pathAndQuery);
    }

    private static ConnectorException unavailable(ProviderHttp client, ProviderRequest request) {
        ConnectorException e = catchThrowableOfType(ConnectorException.class, () -> client.send(request));
        assertThat(e).as("expected a ConnectorException").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_UNAVAILABLE);
        return e;
    }

    @Test
    void jsonResponse() {
        wm.stubFor(post("/token").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json;charset=UTF-8")
                .withBody("{\"access_token\":\"at-1\",\"token_type\":\"Bearer\",\"expires_in\":3599}")));

        ProviderResponse response = http.send(ProviderRequest.postForm(url("/token"), Map.of("grant_type", "refresh_token")));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.isJson()).isTrue();
        assertThat(response.json().get("access_token").asText()).isEqualTo("at-1");
        assertThat(response.header("content-type")).contains("application/json;charset=UTF-8");
        assertThat(response.retryAfter()).isEmpty();
    }

    @Test
    void htmlServedAsJsonIsHtml() {
        wm.stubFor(post("/token").willReturn(aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json").withBody(HTML_502)));

        ProviderResponse response = http.send(ProviderRequest.postForm(url("/token"), Map.of("a", "b")));

        assertThat(response.body().kind()).isEqualTo(BodyKind.HTML);
        assertThat(response.body().htmlTitle()).isEqualTo("502 Bad Gateway");
        assertThat(response.isJson()).isFalse();
    }

    @Test
    void serverErrorPageIsReportedNotThrown() {
        wm.stubFor(get("/api").willReturn(aResponse().withStatus(500)
                .withHeader("Content-Type", "text/html").withBody(HtmlErrorPageTest.resource("apache-500.html"))));

        ProviderResponse response = http.send(ProviderRequest.get(url("/api")));

        assertThat(response.status()).isEqualTo(500);
        assertThat(response.body().kind()).isEqualTo(BodyKind.HTML);
        assertThat(response.body().htmlTitle()).isEqualTo("500 Internal Server Error");
    }

    @Test
    void rateLimitedWithRetryAfter() {
        wm.stubFor(get("/api").willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"rate_limited\"}")));

        ProviderResponse response = http.send(ProviderRequest.get(url("/api")));

        assertThat(response.status()).isEqualTo(429);
        assertThat(response.retryAfter()).contains(Duration.ofSeconds(7));
        assertThat(response.json().get("error").asText()).isEqualTo("rate_limited");
    }

    @Test
    void emptyBodyAndNoRedirectFollowing() {
        wm.stubFor(get("/moved").willReturn(aResponse().withStatus(302).withHeader("Location", "https://elsewhere.example/login")));

        ProviderResponse response = http.send(ProviderRequest.get(url("/moved")));

        assertThat(response.status()).isEqualTo(302);
        assertThat(response.header("location")).contains("https://elsewhere.example/login");
        assertThat(response.body().kind()).isEqualTo(BodyKind.EMPTY);
    }

    /**
     * Transport faults: reset, empty response, random bytes. A malformed chunk (a chunked body that
     * breaks off) is a transport failure too, not a TRUNCATED body: the connection broke.
     */
    @ParameterizedTest
    @EnumSource(value = Fault.class, names = {"CONNECTION_RESET_BY_PEER", "EMPTY_RESPONSE", "MALFORMED_RESPONSE_CHUNK", "RANDOM_DATA_THEN_CLOSE"})
    void transportFaultsAreProviderUnavailable(Fault fault) {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withFault(fault)));

        ConnectorException e = unavailable(http, ProviderRequest.postForm(url("/token"), Map.of("code", "c")));

        assertThat(e.detail()).startsWith("POST " + wm.baseUrl() + "/token: ");
    }

    @Test
    void truncatedChunkedBodyIsUnavailableNotTruncated() {
        wm.stubFor(get("/chunked").willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));

        ConnectorException e = unavailable(http, ProviderRequest.get(url("/chunked")));

        // the JDK client meets the bad chunk while reading the body ("body broke off after …") or already
        // while reading the first chunk with the headers ("I/O error …"), depending on timing: both unavailable
        assertThat(e.detail()).startsWith("GET " + wm.baseUrl() + "/chunked: ");
    }

    @Test
    void connectionRefused() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }

        ConnectorException e = unavailable(http, ProviderRequest.get(URI.create("http://127.0.0.1:" + port + "/x")));

        assertThat(e.detail()).contains("could not connect");
    }

    @Test
    void slowHeadersHitTheTotalTimeout() {
        wm.stubFor(get("/slow").willReturn(aResponse().withFixedDelay(3000).withBody("{}")));

        long start = System.nanoTime();
        ConnectorException e = unavailable(quick, ProviderRequest.get(url("/slow")));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        assertThat(e.detail()).endsWith("/slow: no response within 300 ms");
    }

    @Test
    void slowDribbledBodyHitsTheTotalTimeout() {
        wm.stubFor(get("/dribble").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody("{\"access_token\":\"" + "x".repeat(200) + "\"}").withChunkedDribbleDelay(100, 4000)));

        long start = System.nanoTime();
        ConnectorException e = unavailable(quick, ProviderRequest.get(url("/dribble")));

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
        assertThat(e.detail()).endsWith("/dribble: body not complete within 300 ms");
    }

    @Test
    void gigantic5MiBBodyIsCutAtTheCap() {
        String huge = "{\"items\":[" + "\"aaaaaaaaaaaaaaaa\",".repeat(5 * 1024 * 1024 / 19) + "\"z\"]}";
        wm.stubFor(get("/huge").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(huge)));

        ProviderResponse response = http.send(ProviderRequest.get(url("/huge")));

        assertThat(response.status()).isEqualTo(200);
        assertThat(response.body().kind()).isEqualTo(BodyKind.TRUNCATED);
        assertThat(response.body().snippet()).isEqualTo("body over the 65536-byte cap");
        assertThat(LOG_LINES).anySatisfy(line -> assertThat(line).contains("provider_body_capped"));
    }

    @Test
    void giganticHtmlPageIsStillHtml() {
        String huge = HTML_502 + "<!-- padding -->".repeat(400_000);
        wm.stubFor(get("/huge").willReturn(aResponse().withStatus(502).withHeader("Content-Type", "text/html").withBody(huge)));

        ProviderResponse response = http.send(ProviderRequest.get(url("/huge")));

        assertThat(response.body().kind()).isEqualTo(BodyKind.HTML);
        assertThat(response.body().htmlTitle()).isEqualTo("502 Bad Gateway");
    }

    @Test
    void formPostIsEncodedAndDefaultHeadersAreSent() {
        wm.stubFor(post("/token").willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody("{}")));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", "a+b&c=d é/?");
        form.put("redirect_uri", "https://app.example/callback?tenant=t 1");

        http.send(ProviderRequest.postForm(url("/token"), form));

        wm.verify(postRequestedFor(urlEqualTo("/token"))
                .withHeader("Content-Type", equalTo("application/x-www-form-urlencoded; charset=UTF-8"))
                .withHeader("User-Agent", equalTo("connectors/1.0"))
                .withHeader("Accept", equalTo("application/json"))
                .withRequestBody(equalTo("grant_type=authorization_code&code=a%2Bb%26c%3Dd+%C3%A9%2F%3F"
                        + "&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback%3Ftenant%3Dt+1")));
    }

    @Test
    void jsonPostAndCallerHeadersWin() {
        wm.stubFor(post("/api").willReturn(aResponse().withStatus(201)));

        http.send(ProviderRequest.postJson(url("/api"), "{\"name\":\"é\"}")
                .header("Accept", "application/vnd.api+json").header("User-Agent", "custom/2").header("Authorization", "Bearer t"));

        wm.verify(postRequestedFor(urlEqualTo("/api"))
                .withHeader("Content-Type", containing("application/json"))
                .withHeader("Authorization", equalTo("Bearer t"))
                .withRequestBody(equalToJson("{\"name\":\"é\"}")));
        LoggedRequest sent = wm.findAll(postRequestedFor(urlEqualTo("/api"))).get(0);
        assertThat(sent.getHeaders().getHeader("Accept").values()).containsExactly("application/vnd.api+json");
        assertThat(sent.getHeaders().getHeader("User-Agent").values()).containsExactly("custom/2");
    }

    @Test
    void detailAndLogsNeverContainTheQuery() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        ConnectorException e = unavailable(http, ProviderRequest.get(url("/cb?code=SECRET-CODE&state=st4te")));

        assertThat(e.detail()).startsWith("GET " + wm.baseUrl() + "/cb: ")
                .doesNotContain("SECRET").doesNotContain("code=").doesNotContain("st4te").doesNotContain("?");
        assertThat(String.join("\n", LOG_LINES)).doesNotContain("SECRET").doesNotContain("st4te");
    }

    @Test
    void timeoutDetailNeverContainsTheQuery() {
        wm.stubFor(any(anyUrl()).willReturn(aResponse().withFixedDelay(2000)));

        ConnectorException e = unavailable(quick, ProviderRequest.get(url("/cb?code=SECRET-CODE")));

        assertThat(e.detail()).doesNotContain("SECRET").doesNotContain("?");
    }

    @Test
    void bodyCutShortWithContentLengthIsUnavailableButCloseDelimitedShortJsonIsTruncated() throws Exception {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n";
        try (RawServer lying = new RawServer(head + "Content-Length: 100\r\n\r\n{\"access_token\": \"ab");
             RawServer closing = new RawServer(head + "Connection: close\r\n\r\n{\"access_token\": \"ab")) {

            ConnectorException e = unavailable(http, ProviderRequest.get(lying.uri()));
            ProviderResponse response = http.send(ProviderRequest.get(closing.uri()));

            assertThat(e.detail()).contains("body broke off after");
            assertThat(response.body().kind()).isEqualTo(BodyKind.TRUNCATED);
        }
    }

    @Test
    void interruptedCallerGetsUnavailableAndKeepsTheFlag() {
        wm.stubFor(get("/slow").willReturn(aResponse().withFixedDelay(1000)));
        Thread.currentThread().interrupt();
        try {
            ConnectorException e = unavailable(http, ProviderRequest.get(url("/slow")));
            assertThat(e.detail()).endsWith("interrupted");
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void clientIsCreatedOnFirstUseOnly() {
        wm.stubFor(get("/x").willReturn(aResponse().withStatus(204)));
        ProviderHttp fresh = new ProviderHttp(Duration.ofSeconds(1), Duration.ofSeconds(2), 1024);

        assertThat(fresh.started()).isFalse();
        assertThat(ProviderHttp.defaults()).isSameAs(ProviderHttp.defaults());
        assertThat(fresh.send(ProviderRequest.get(url("/x"))).status()).isEqualTo(204);
        assertThat(fresh.started()).isTrue();
        wm.verify(getRequestedFor(urlEqualTo("/x")));
    }

    @Test
    void rejectsNonsenseSettings() {
        assertThatThrownBy(() -> new ProviderHttp(Duration.ZERO, Duration.ofSeconds(1), 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ProviderHttp(Duration.ofSeconds(1), Duration.ofSeconds(1), 0)).isInstanceOf(IllegalArgumentException.class);
    }

    /** Serves one canned HTTP/1.1 answer and closes: WireMock cannot lie about Content-Length. */
    private static final class RawServer implements AutoCloseable {
        private final ServerSocket socket;

        RawServer(String answer) throws IOException {
            socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                try (Socket s = socket.accept(); OutputStream out = s.getOutputStream()) {
                    s.getInputStream().read(new byte[8192]); // the request; its content does not matter
                    out.write(answer.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } catch (IOException ignored) {
                    // the test sees the outcome on the client side
                }
            }, "raw-server");
            t.setDaemon(true);
            t.start();
        }

        URI uri() {
            return URI.create("http://127.0.0.1:" + socket.getLocalPort() + "/token");
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
