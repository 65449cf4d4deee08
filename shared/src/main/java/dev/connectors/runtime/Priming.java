package dev.connectors.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.aws.AwsClients;
import dev.connectors.aws.SecretsManagerSecrets;
import dev.connectors.config.Settings;
import dev.connectors.errors.ErrorCode;
import dev.connectors.errors.ErrorFormatter;
import dev.connectors.log.Log;
import dev.connectors.oauth.OAuthClient;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.oauth.TokenResponseReader;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.state.OAuthSession;
import dev.connectors.state.OAuthSessionStore;
import dev.connectors.state.Pkce;
import dev.connectors.state.StateCodec;
import dev.connectors.state.StateKeys;
import dev.connectors.sync.JobQueue;
import dev.connectors.sync.JobStore;
import dev.connectors.tokens.TokenCipher;
import dev.connectors.tokens.TokenKeys;
import dev.connectors.tokens.TokenStore;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * SnapStart priming: before Lambda snapshots an initialized function, run the request path once so the
 * snapshot holds its classes loaded and its code compiled, and a restored function answers its first
 * request almost as fast as a warm one. Every handler registers it in its Lambda constructor with
 * {@code this(Priming.register(Services.fromEnvironment()))}.
 *
 * <p>What it runs is safe to snapshot: the registry entry, JSON parse and render, state signing and
 * token decryption with a throwaway all-zero key, an authorization URL and a token response from a
 * throwaway secret, and the SDK's full call path (marshal, sign, retry, unmarshal) for DynamoDB, SQS
 * and Secrets Manager on throwaway clients whose HTTP client answers in memory. It never touches the
 * function's own clients, credentials, secrets cache or provider HTTP client, and draws no randomness
 * (the {@code SecureRandom}s stay unborn until the first real request), so nothing unique or secret is
 * in the snapshot and {@link #afterRestore} has nothing to undo. A failing step is logged and skipped:
 * priming may make a start slower, never break it. One pass is enough: measured locally, 50 or 300 passes
 * (C1-compiled code in the snapshot) did not make the first request faster; what remains is its own I/O.
 */
public final class Priming implements Resource {
    private static final Log LOG = Log.of(Priming.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** org.crac holds resources weakly: this keeps each registered hook alive with the JVM. */
    private static final List<Priming> REGISTERED = new CopyOnWriteArrayList<>();
    private static final String PRIMING = "priming";
    private static final byte[] THROWAWAY_KEY = new byte[32];
    private static final String EVENT = "{\"version\":\"2.0\",\"rawPath\":\"/oauth/generic/authorize\",\"rawQueryString\":"
            + "\"return_to=https%3A%2F%2Fapp.invalid\",\"headers\":{\"accept\":\"application/json\"},\"requestContext\":"
            + "{\"requestId\":\"priming\",\"http\":{\"method\":\"GET\"},\"authorizer\":{\"jwt\":{\"claims\":{\"sub\":\"priming\"}}}}}";
    private static final String TOKEN_RESPONSE = "{\"access_token\":\"priming\",\"token_type\":\"Bearer\","
            + "\"expires_in\":3600,\"refresh_token\":\"priming\",\"scope\":\"read\"}";

    /** What priming did: the steps that completed and the SDK calls answered in memory. */
    public record Report(List<String> steps, List<String> failed, int sdkCalls) {
    }

    private final Services services;

    Priming(Services services) {
        this.services = services;
    }

    /** Registers the checkpoint hook for these services; returns them, to sit inside a constructor call. */
    public static Services register(Services services) {
        Priming hook = new Priming(services);
        REGISTERED.add(hook);
        Core.getGlobalContext().register(hook);
        return services;
    }

    /**
     * Runs the registered hooks as the runtime does before a snapshot. Benches and tests use it: a JVM
     * without CRaC never calls them.
     */
    public static List<Report> simulateCheckpoint() {
        return REGISTERED.stream().map(Priming::prime).toList();
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        prime();
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        // nothing unique or secret was created before the snapshot (see the class comment)
    }

    Report prime() {
        long start = System.nanoTime();
        List<String> done = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        InMemoryAwsHttp http = new InMemoryAwsHttp();
        Step step = (name, body) -> {
            try {
                body.run();
                done.add(name);
            } catch (Exception e) {
                failed.add(name);
                LOG.warn("priming_step_failed", "step", name, "error", e.getClass().getName());
            }
        };
        ProviderSpec spec = ownProvider();
        // the authorize/callback steps need a plain OAuth 2.0 entry; the API-key, Link and OAuth 1.0a ones prime with generic
        ProviderSpec oauth2 = ProviderSpec.OAUTH2.equals(spec.authTypeOrDefault()) && spec.inputs().isEmpty()
                ? spec : ProviderRegistry.load("generic");
        Instant now = services.clock().instant();
        step.run("json", () -> JSON.writeValueAsBytes(JSON.readTree(EVENT)));
        step.run("state", () -> {
            StateCodec codec = new StateCodec(new StateKeys(PRIMING, Map.of(PRIMING, THROWAWAY_KEY)), services.clock());
            codec.decode(codec.encode(PRIMING, oauth2.id(), now.plusSeconds(60)), oauth2.id());
        });
        step.run("authorize_url", () -> new OAuthClient(services.http(), services.clock()).authorizationUrl(oauth2,
                throwawayConfig().withDefaults(oauth2), "https://priming.invalid/callback", PRIMING,
                Pkce.challenge(PRIMING.repeat(7))));
        step.run("token_response", () -> new TokenResponseReader(services.clock()).read(tree(TOKEN_RESPONSE),
                oauth2.tokenResponse(), null));
        TokenCipher cipher = new TokenCipher(new TokenKeys(PRIMING, Map.of(PRIMING, THROWAWAY_KEY)));
        step.run("token_cipher", () -> {
            try {
                cipher.decrypt(new byte[40], PRIMING, PRIMING);
            } catch (IllegalStateException expected) {
                // zeros never pass the GCM tag check; the cipher's whole path ran
            }
        });
        step.run("error_render", () -> JSON.writeValueAsString(Map.of("error",
                ErrorFormatter.format(ErrorCode.INVALID_STATE, spec.id(), spec.displayName()))));
        AwsClients aws = new AwsClients(new Settings(Map.of(Settings.AWS_REGION, services.settings().get(Settings.AWS_REGION, "us-east-1"),
                Settings.AWS_ENDPOINT_URL, "http://priming.invalid")), http);
        try (DynamoDbClient dynamo = aws.dynamo(); SqsClient sqs = aws.sqs(); SecretsManagerClient secrets = aws.secretsManager()) {
            step.run("dynamodb", () -> {
                OAuthSessionStore sessions = new OAuthSessionStore(dynamo, PRIMING);
                sessions.put(new OAuthSession(PRIMING, spec.id(), PRIMING, PRIMING, null, null, Map.of(), now.plusSeconds(60)));
                sessions.consume(PRIMING);
                new TokenStore(dynamo, PRIMING, cipher, services.clock()).get(PRIMING, spec.id());
                new JobStore(dynamo, PRIMING, services.clock()).get(PRIMING);
            });
            step.run("sqs", () -> new JobQueue(sqs, "http://priming.invalid/000000000000/priming").send(PRIMING, 0));
            step.run("secrets_manager", () -> new SecretsManagerSecrets(secrets).get(PRIMING));
        }
        Report report = new Report(List.copyOf(done), List.copyOf(failed), http.calls());
        LOG.info("primed", "steps", done.size(), "failed", failed.size(), "sdk_calls", report.sdkCalls(),
                "ms", (System.nanoTime() - start) / 1_000_000);
        return report;
    }

    private ProviderSpec ownProvider() {
        try {
            return ProviderRegistry.load(services.settings().get(Settings.PROVIDER, "generic"));
        } catch (RuntimeException e) {
            return ProviderRegistry.load("generic"); // the handler itself reports a bad PROVIDER on every request
        }
    }

    private static ProviderConfig throwawayConfig() {
        return ProviderConfig.fromJson(tree(InMemoryAwsHttp.THROWAWAY_SECRET));
    }

    private static JsonNode tree(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FunctionalInterface
    private interface Step {
        void run(String name, Body body);
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }
}
