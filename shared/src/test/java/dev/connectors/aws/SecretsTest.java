package dev.connectors.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.testing.WireMockStandIn;
import dev.connectors.testkit.MutableClock;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretsTest {
    private static final WireMockServer WIREMOCK = WireMockStandIn.shared();
    /** The real SDK client, built the way the functions build it, pointed at WireMock. */
    private static final Secrets SECRETS_MANAGER = new SecretsManagerSecrets(new AwsClients(new Settings(Map.of(
            Settings.AWS_ENDPOINT_URL_SECRETS_MANAGER, WIREMOCK.baseUrl(), Settings.AWS_REGION, "eu-west-1")))
            .secretsManager());

    private final String id = "secrets-test/" + UUID.randomUUID();

    @Nested
    class SecretsManager {
        @Test
        void readsAJsonSecret() {
            WireMockStandIn.stubSecret(WIREMOCK, id, "{\"client_id\":\"c\",\"client_secret\":\"s\",\"n\":3}");

            JsonNode secret = SECRETS_MANAGER.get(id);

            assertThat(secret.get("client_id").asText()).isEqualTo("c");
            assertThat(secret.get("n").asInt()).isEqualTo(3);
            assertThat(WIREMOCK.findAll(postRequestedFor(urlEqualTo("/"))
                    .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                    .withRequestBody(matchingJsonPath("$.SecretId", equalTo(id))))).hasSize(1);
        }

        @Test
        void aMissingSecretIsNotConfigured() {
            WireMockStandIn.stubSecretNotFound(WIREMOCK, id);
            assertFailsWith(() -> SECRETS_MANAGER.get(id), ErrorCode.NOT_CONFIGURED);
        }

        @ParameterizedTest
        @ValueSource(strings = {"hunter2-not-json", "[\"hunter2\"]", "\"hunter2\"", "{\"client_secret\": \"hunter2\"", "null", ""})
        void aSecretThatIsNotAJsonObjectIsNotConfiguredAndNeverEchoed(String value) {
            WireMockStandIn.stubSecret(WIREMOCK, id, value);
            assertFailsWith(() -> SECRETS_MANAGER.get(id), ErrorCode.NOT_CONFIGURED);
        }

        @Test
        void anOutageIsStorageUnavailable() {
            WIREMOCK.stubFor(post(urlEqualTo("/")).withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))
                    .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/x-amz-json-1.1")
                            .withBody("{\"__type\":\"InternalServiceError\",\"Message\":\"boom\"}")));
            assertFailsWith(() -> SECRETS_MANAGER.get(id), ErrorCode.STORAGE_UNAVAILABLE);
        }
    }

    @Nested
    class Cached {
        private final MutableClock clock = new MutableClock(Instant.parse("2025-03-01T12:00:00Z"));
        private final Secrets cached = new CachedSecrets(SECRETS_MANAGER, Duration.ofMinutes(5), clock);

        @Test
        void oneCallWithinTheTtlAndAnotherAfterIt() {
            WireMockStandIn.stubSecret(WIREMOCK, id, "{\"v\":1}");

            assertThat(cached.get(id).get("v").asInt()).isEqualTo(1);
            clock.advance(Duration.ofMinutes(5));
            assertThat(cached.get(id).get("v").asInt()).isEqualTo(1);
            assertThat(calls()).isEqualTo(1);

            WireMockStandIn.stubSecret(WIREMOCK, id, "{\"v\":2}"); // rotated
            clock.advance(Duration.ofSeconds(1));
            assertThat(cached.get(id).get("v").asInt()).isEqualTo(2);
            assertThat(calls()).isEqualTo(2);
        }

        @Test
        void secretsAreCachedPerId() {
            String other = id + "-other";
            WireMockStandIn.stubSecret(WIREMOCK, id, "{\"v\":\"mine\"}");
            WireMockStandIn.stubSecret(WIREMOCK, other, "{\"v\":\"other\"}");

            assertThat(cached.get(id).get("v").asText()).isEqualTo("mine");
            assertThat(cached.get(other).get("v").asText()).isEqualTo("other");
        }

        @Test
        void failuresAreNotCached() {
            WireMockStandIn.stubSecretNotFound(WIREMOCK, id);
            assertFailsWith(() -> cached.get(id), ErrorCode.NOT_CONFIGURED);

            WireMockStandIn.stubSecret(WIREMOCK, id, "{\"v\":1}"); // created a moment later
            assertThat(cached.get(id).get("v").asInt()).isEqualTo(1);
        }

        private int calls() {
            return WIREMOCK.findAll(postRequestedFor(urlEqualTo("/")).withRequestBody(matchingJsonPath("$.SecretId", equalTo(id)))).size();
        }
    }

    @Nested
    class File {
        @TempDir
        Path dir;

        @Test
        void readsOneSecretOfTheFileAndRereadsItOnEachCall() throws Exception {
            Path file = dir.resolve("secrets.json");
            Files.writeString(file, "{\"app\":{\"k\":\"v1\"},\"slack\":{\"client_id\":\"c\"}}");
            FileSecrets secrets = new FileSecrets(file);

            assertThat(secrets.get("app").get("k").asText()).isEqualTo("v1");
            Files.writeString(file, "{\"app\":{\"k\":\"v2\"}}");
            assertThat(secrets.get("app").get("k").asText()).isEqualTo("v2");
        }

        @Test
        void aMissingOrNonObjectSecretIsNotConfigured() throws Exception {
            Path file = dir.resolve("secrets.json");
            Files.writeString(file, "{\"app\":\"hunter2\",\"list\":[1]}");
            FileSecrets secrets = new FileSecrets(file);

            assertFailsWith(() -> secrets.get("nope"), ErrorCode.NOT_CONFIGURED);
            assertFailsWith(() -> secrets.get("app"), ErrorCode.NOT_CONFIGURED);
            assertFailsWith(() -> secrets.get("list"), ErrorCode.NOT_CONFIGURED);
        }

        @Test
        void aMissingOrBrokenFileIsNotConfigured() throws Exception {
            assertFailsWith(() -> new FileSecrets(dir.resolve("absent.json")).get("app"), ErrorCode.NOT_CONFIGURED);
            Path broken = dir.resolve("broken.json");
            Files.writeString(broken, "{\"app\": {\"k\": \"hunter2\"");
            assertFailsWith(() -> new FileSecrets(broken).get("app"), ErrorCode.NOT_CONFIGURED);
        }
    }

    /** The expected code, and a detail that never shows the secret's value. */
    private static void assertFailsWith(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ConnectorException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.detail()).doesNotContain("hunter2");
        });
    }
}
