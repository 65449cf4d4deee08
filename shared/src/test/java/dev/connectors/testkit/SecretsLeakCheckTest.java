package dev.connectors.testkit;

import dev.connectors.log.Log;
import dev.connectors.testing.RepoRoot;
import dev.connectors.testing.WireMockStandIn;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/** The leak check itself can fail: planted secrets are found in logs and events/ files, harvested from WireMock. */
class SecretsLeakCheckTest {
    private static final Log LOG = Log.of(SecretsLeakCheckTest.class);

    @Test
    void theCheckIsRegisteredForEveryTestClassOfThisModule() {
        assertThat(SecretsLeakCheck.active()).isTrue();
    }

    @Test
    void aSecretInALogLineIsReportedWithoutBeingPrinted() {
        String planted = "planted-" + UUID.randomUUID();
        SecretsWatch.register(planted);
        try {
            LOG.warn("oops_logged_a_secret", "detail", "token=" + planted);
            String leak = SecretsLeakCheck.leak();
            assertThat(leak).contains("log line").contains("oops_logged_a_secret").doesNotContain(planted);
        } finally {
            SecretsWatch.forget(planted);
        }
        assertThat(SecretsLeakCheck.leak()).isNull();
    }

    @Test
    void aSecretInAnEventsFileIsReported() throws Exception {
        Path file;
        try (Stream<Path> files = Files.walk(RepoRoot.path().resolve("events"))) {
            file = files.filter(p -> p.toString().endsWith(".json")).findFirst().orElseThrow();
        }
        String text = Files.readString(file);
        String slice = text.substring(0, Math.min(text.length(), 24));
        SecretsWatch.register(slice);
        try {
            assertThat(SecretsLeakCheck.leak()).contains("events").doesNotContain(slice);
        } finally {
            SecretsWatch.forget(slice);
        }
    }

    @Test
    void tokensAndCodesCrossingWireMockAreHarvested() throws Exception {
        var wm = WireMockStandIn.shared();
        SecretsWatch.watch(wm);
        String token = "harvest-access-" + UUID.randomUUID();
        String code = "harvest-code-" + UUID.randomUUID();
        wm.stubFor(post(urlEqualTo("/secrets-leak-check/token")).willReturn(okJson("{\"access_token\":\"" + token + "\"}")));
        try {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(wm.baseUrl() + "/secrets-leak-check/token"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + code)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(SecretsWatch.secrets()).contains(token, code);
        } finally {
            SecretsWatch.forget(token);
            SecretsWatch.forget(code);
        }
    }
}
