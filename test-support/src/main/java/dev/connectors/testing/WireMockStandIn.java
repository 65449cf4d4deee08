package dev.connectors.testing;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A WireMock server shared by the test JVM (providers, Secrets Manager), plus a stub for the AWS
 * SDK's Secrets Manager GetSecretValue call, for which no emulator is installable here.
 *
 * <p>Stubs on the shared server outlive a test class: use distinct paths or secret ids per class,
 * or remove your stubs when done.
 */
public final class WireMockStandIn {
    private static final String JSON_1_1 = "application/x-amz-json-1.1";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer shared;

    private WireMockStandIn() {}

    /** Started on first use on a dynamic loopback port; stopped at JVM exit. Use {@code baseUrl()} for its address. */
    public static synchronized WireMockServer shared() {
        if (shared == null) {
            WireMockServer server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
            ShutdownHook.closeAtExit(server::stop);
            shared = server;
        }
        return shared;
    }

    /**
     * Answers {@code GetSecretValue} for {@code secretId} with {@code secretString} (usually JSON).
     * Point a SecretsManagerClient at {@code server.baseUrl()} to use it.
     */
    public static void stubSecret(WireMockServer server, String secretId, String secretString) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("ARN", "arn:aws:secretsmanager:us-east-1:000000000000:secret:" + secretId + "-AbCdEf");
        body.put("Name", secretId);
        body.put("SecretString", secretString);
        body.put("VersionId", UUID.nameUUIDFromBytes(secretString.getBytes(StandardCharsets.UTF_8)).toString());
        body.put("VersionStages", List.of("AWSCURRENT"));
        body.put("CreatedDate", 1_700_000_000L); // epoch seconds, as the service sends it
        server.stubFor(getSecretValue(secretId)
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", JSON_1_1).withBody(json(body))));
    }

    /** Answers {@code GetSecretValue} for {@code secretId} as Secrets Manager does for a missing secret. */
    public static void stubSecretNotFound(WireMockServer server, String secretId) {
        Map<String, Object> body = Map.of(
                "__type", "ResourceNotFoundException",
                "Message", "Secrets Manager can't find the specified secret.");
        server.stubFor(getSecretValue(secretId)
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", JSON_1_1).withBody(json(body))));
    }

    private static MappingBuilder getSecretValue(String secretId) {
        return post(urlEqualTo("/"))
                .withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .withHeader("Content-Type", containing(JSON_1_1))
                .withRequestBody(matchingJsonPath("$.SecretId", equalTo(secretId)));
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
