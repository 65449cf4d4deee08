package dev.connectors.testkit;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.connectors.config.Settings;
import dev.connectors.http.ProviderHttp;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Services;
import dev.connectors.testing.StandIns;
import dev.connectors.testing.TemplateResources;
import dev.connectors.testing.TestResources;
import dev.connectors.testing.WireMockStandIn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a component test needs, real at every layer: tables and queues created from
 * template.yaml in the shared stand-ins (dynalite, ElasticMQ, or AWS_ENDPOINT_URL), secrets served
 * through the real Secrets Manager client by WireMock, providers answered by WireMock.
 * Each harness has its own resource prefix and secret ids, so test classes never see each other.
 */
public final class Harness {
    public static final String APP_ORIGIN = "https://app.example.com";
    /** The app secret's webhook_secret (the key of X-Connectors-Signature). */
    public static final String WEBHOOK_SECRET = "whsec-test-0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();

    public final TestResources resources;
    public final WireMockServer wiremock;
    public final MutableClock clock = new MutableClock(Instant.now());
    private final Map<String, String> env;

    private Harness(String functionLogicalId) {
        this.resources = TemplateResources.create(TemplateResources.uniquePrefix());
        this.wiremock = WireMockStandIn.shared();
        SecretsWatch.watch(wiremock);
        this.env = new HashMap<>(resources.environment(functionLogicalId));
        String prefix = resources.prefix();
        if (System.getenv("AWS_ENDPOINT_URL") == null) {
            env.put(Settings.AWS_ENDPOINT_URL_DYNAMODB, StandIns.dynamoEndpoint().toString());
            env.put(Settings.AWS_ENDPOINT_URL_SQS, StandIns.sqsEndpoint().toString());
        } else {
            env.put(Settings.AWS_ENDPOINT_URL, System.getenv("AWS_ENDPOINT_URL"));
        }
        env.put(Settings.AWS_ENDPOINT_URL_SECRETS_MANAGER, wiremock.baseUrl());
        env.put(Settings.PUBLIC_BASE_URL, "https://connect.example.com");
        env.put(Settings.RETURN_TO_ALLOWLIST, APP_ORIGIN);
        env.put(Settings.APP_SECRET_ID, prefix + "app");
        env.put(Settings.SECRETS_TTL_SECONDS, "0");
        env.put(Settings.PROVIDER_SECRET_IDS, String.join(",", ProviderRegistry.allIds().stream()
                .map(id -> id + "=" + secretId(id)).toList()));
        WireMockStandIn.stubSecret(wiremock, prefix + "app", appSecret());
    }

    /** A harness for a function of template.yaml, e.g. "SlackFunction" or "SyncWorkerFunction". */
    public static Harness forFunction(String functionLogicalId) {
        return new Harness(functionLogicalId);
    }

    public String secretId(String provider) {
        return resources.prefix() + provider;
    }

    public Harness set(String key, String value) {
        env.put(key, value);
        return this;
    }

    public Settings settings() {
        return new Settings(env);
    }

    /** New clients and caches each call: a "restart" of the function. Short timeouts keep fault tests quick. */
    public Services services() {
        return services(new ProviderHttp(Duration.ofSeconds(2), Duration.ofSeconds(3), 256 * 1024));
    }

    /** Services whose provider calls go through {@code http} (e.g. {@link ProviderFault#HTTP}: production cap, short timeout). */
    public Services services(ProviderHttp http) {
        return new Services(settings(), clock, http);
    }

    /** Client credentials for a provider, plus extra settings (the generic provider's endpoints). */
    public void providerSecret(String provider, Map<String, String> extra) {
        Map<String, String> secret = new HashMap<>(extra);
        secret.put("client_id", provider + "-client-id");
        secret.put("client_secret", clientSecret(provider));
        SecretsWatch.register(clientSecret(provider));
        env.put(Settings.PROVIDER_SECRET_ID, secretId(provider));
        try {
            WireMockStandIn.stubSecret(wiremock, secretId(provider), JSON.writeValueAsString(secret));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String clientSecret(String provider) {
        return "sekrit-" + provider + "-do-not-log";
    }

    /** The registry entry with every provider URL (per-tenant hosts like https://{shop} too) moved onto WireMock under /{provider}. */
    public ProviderSpec rebased(String provider) {
        try {
            String json = JSON.writeValueAsString(ProviderRegistry.load(provider));
            String moved = json.replaceAll("https://[a-z0-9.{}_-]+", wiremock.baseUrl() + "/" + provider);
            return JSON.readValue(moved, ProviderSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String appSecret() {
        SecureRandom random = new SecureRandom();
        byte[] state = new byte[32];
        byte[] token = new byte[32];
        random.nextBytes(state);
        random.nextBytes(token);
        Base64.Encoder b64 = Base64.getEncoder();
        SecretsWatch.register(b64.encodeToString(state));
        SecretsWatch.register(b64.encodeToString(token));
        SecretsWatch.register(WEBHOOK_SECRET);
        return "{\"state_keys\":{\"s1\":\"" + b64.encodeToString(state) + "\"},\"state_key_current\":\"s1\","
                + "\"token_keys\":{\"t1\":\"" + b64.encodeToString(token) + "\"},\"token_key_current\":\"t1\","
                + "\"webhook_secret\":\"" + WEBHOOK_SECRET + "\"}";
    }
}
