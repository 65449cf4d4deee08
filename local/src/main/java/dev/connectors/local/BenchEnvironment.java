package dev.connectors.local;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.connectors.config.Settings;
import dev.connectors.testing.CfnTemplate;
import dev.connectors.testing.StandIns;
import dev.connectors.testing.TemplateResources;
import dev.connectors.testing.TestResources;
import dev.connectors.testing.WireMockStandIn;

import java.util.HashMap;
import java.util.Map;

/** The settings a bench runs a function with: template.yaml's, on the stand-ins, with fresh tables and queues. */
final class BenchEnvironment {
    private BenchEnvironment() {
    }

    /**
     * The GenericFunction's environment. Its secrets are served as Secrets Manager serves them (WireMock),
     * so a start reads them through the real SDK client; the provider's endpoints lie under {@code providerBase}.
     */
    static Map<String, String> genericFunction(String prefix, String providerBase) {
        TestResources resources = TemplateResources.create(prefix + System.nanoTime() % 100_000 + "-");
        WireMockServer wiremock = WireMockStandIn.shared();
        Map<String, String> env = new HashMap<>(LocalFunctions.environment(CfnTemplate.ofRepo(), resources, "GenericFunction", Map.of(
                Settings.AWS_ENDPOINT_URL_DYNAMODB, StandIns.dynamoEndpoint().toString(),
                Settings.AWS_ENDPOINT_URL_SQS, StandIns.sqsEndpoint().toString(),
                Settings.AWS_ENDPOINT_URL_SECRETS_MANAGER, wiremock.baseUrl(),
                Settings.PUBLIC_BASE_URL, "http://localhost:8080",
                Settings.AWS_REGION, "us-east-1")));
        WireMockStandIn.stubSecret(wiremock, env.get(Settings.APP_SECRET_ID), LocalSecrets.freshAppKeys().toString());
        WireMockStandIn.stubSecret(wiremock, env.get(Settings.PROVIDER_SECRET_ID), "{\"client_id\":\"bench-client\","
                + "\"client_secret\":\"bench-secret\",\"authorize_url\":\"" + providerBase + "/authorize\","
                + "\"token_url\":\"" + providerBase + "/token\",\"api_base_url\":\"" + providerBase + "/api\"}");
        return env;
    }
}
