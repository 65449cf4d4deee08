package dev.connectors.runtime;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.connectors.config.Settings;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matchingJsonPath;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The SnapStart priming hook: it runs the request path before the snapshot without a single network
 * call, and the function's own secrets cache is still empty afterwards (the first real request fetches).
 */
class PrimingTest {
    private static final List<String> STEPS = List.of("json", "state", "authorize_url", "token_response", "token_cipher",
            "error_render", "dynamodb", "sqs", "secrets_manager");

    private Harness h;
    private WireMockServer wiremock;

    @BeforeEach
    void setUp() {
        LogCapture.install();
        LogCapture.clear();
        h = Harness.forFunction("GenericFunction");
        wiremock = h.wiremock;
        String base = wiremock.baseUrl() + "/priming-" + UUID.randomUUID();
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        // every AWS endpoint on WireMock too, so any call the hook made would be in its journal
        h.set(Settings.AWS_ENDPOINT_URL_DYNAMODB, base + "/dynamodb").set(Settings.AWS_ENDPOINT_URL_SQS, base + "/sqs");
    }

    @Test
    void theHookRunsTheRequestPathWithoutANetworkCallAndCachesNoSecret() {
        Services services = Priming.register(h.services());
        int before = wiremock.getAllServeEvents().size();

        Priming.Report report = last(Priming.simulateCheckpoint());

        assertThat(report.failed()).isEmpty();
        assertThat(report.steps()).containsExactlyElementsOf(STEPS);
        assertThat(report.sdkCalls()).as("session put + consume (claim, delete), connection get, job get, SQS send, secret read").isEqualTo(7);
        assertThat(wiremock.getAllServeEvents()).as("requests that reached any endpoint").hasSize(before);
        assertThat(LogCapture.all()).contains("\"event\":\"primed\"").doesNotContain(Harness.clientSecret("generic"));

        // nothing was cached: the function's first real reads go to Secrets Manager, once each
        services.providerConfig("generic");
        services.stateCodec();
        wiremock.verify(1, postRequestedFor(urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.SecretId", equalTo(h.secretId("generic")))));
        wiremock.verify(1, postRequestedFor(urlEqualTo("/"))
                .withRequestBody(matchingJsonPath("$.SecretId", equalTo(h.settings().require(Settings.APP_SECRET_ID)))));
    }

    @ParameterizedTest
    @MethodSource("providers")
    void everyProvidersFunctionPrimesEveryStep(String provider) {
        Priming.Report report = new Priming(h.set(Settings.PROVIDER, provider).services()).prime();

        assertThat(report.failed()).as(provider).isEmpty();
        assertThat(report.steps()).containsExactlyElementsOf(STEPS);
    }

    static List<String> providers() {
        return ProviderRegistry.allIds();
    }

    private static Priming.Report last(List<Priming.Report> reports) {
        assertThat(reports).isNotEmpty();
        return reports.get(reports.size() - 1);
    }
}
