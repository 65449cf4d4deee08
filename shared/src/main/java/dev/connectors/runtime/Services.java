package dev.connectors.runtime;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.aws.AwsClients;
import dev.connectors.aws.CachedSecrets;
import dev.connectors.aws.FileSecrets;
import dev.connectors.aws.Secrets;
import dev.connectors.aws.SecretsManagerSecrets;
import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderHttp;
import dev.connectors.oauth.OAuthClient;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.oauth.TokenRefresher;
import dev.connectors.oauth.TokenRescue;
import dev.connectors.state.OAuthSessionStore;
import dev.connectors.state.StateCodec;
import dev.connectors.state.StateKeys;
import dev.connectors.sync.JobQueue;
import dev.connectors.sync.JobStore;
import dev.connectors.sync.RecordStore;
import dev.connectors.sync.SyncJobs;
import dev.connectors.tokens.TokenCipher;
import dev.connectors.tokens.TokenKeys;
import dev.connectors.tokens.TokenStore;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Everything a function needs, built once per container from {@link Settings}. Clients are created
 * at init (cheap, and SnapStart-safe); keys come from the cached app secret on each use, so a rotated
 * key shows up within the cache TTL without a redeploy.
 */
public final class Services {
    private final Settings settings;
    private final Clock clock;
    private final DynamoDbClient dynamo;
    private final SqsClient sqs;
    private final Secrets secrets;
    private final ProviderHttp http;

    public Services(Settings settings, Clock clock, ProviderHttp http) {
        this.settings = settings;
        this.clock = clock;
        this.http = http;
        AwsClients aws = new AwsClients(settings);
        this.dynamo = aws.dynamo();
        this.sqs = aws.sqs();
        Secrets source = settings.optional(Settings.SECRETS_FILE)
                .<Secrets>map(f -> new FileSecrets(Path.of(f)))
                .orElseGet(() -> new SecretsManagerSecrets(aws.secretsManager()));
        long ttl = Long.parseLong(settings.get(Settings.SECRETS_TTL_SECONDS, "300"));
        this.secrets = new CachedSecrets(source, Duration.ofSeconds(ttl), clock);
    }

    public static Services fromEnvironment() {
        return new Services(Settings.fromEnvironment(), Clock.systemUTC(), ProviderHttp.defaults());
    }

    public Settings settings() {
        return settings;
    }

    public Clock clock() {
        return clock;
    }

    public ProviderHttp http() {
        return http;
    }

    public OAuthClient oauth() {
        return new OAuthClient(http, clock);
    }

    private JsonNode appSecret() {
        return secrets.get(settings.require(Settings.APP_SECRET_ID));
    }

    public StateCodec stateCodec() {
        return new StateCodec(keys(() -> StateKeys.fromJson(appSecret())), clock);
    }

    private TokenCipher tokenCipher() {
        return new TokenCipher(keys(() -> TokenKeys.fromJson(appSecret())));
    }

    public TokenStore tokenStore() {
        return new TokenStore(dynamo, settings.require(Settings.CONNECTIONS_TABLE), tokenCipher(), clock,
                settings.optional(Settings.IDLE_REFRESH_DAYS).map(d -> Duration.ofDays(Long.parseLong(d))).orElse(null));
    }

    /** For listing connections: reads no secret and holds no key material. */
    public TokenStore tokenStoreWithoutKeys() {
        return TokenStore.withoutKeys(dynamo, settings.require(Settings.CONNECTIONS_TABLE), clock);
    }

    public TokenRefresher tokenRefresher() {
        return new TokenRefresher(oauth(), tokenStore(), clock, events(), tokenRescue()); // connection.needs_reauth to the app
    }

    /** Rotated tokens DynamoDB would not take, through the sync queue to the worker (encrypted like the table). */
    public TokenRescue tokenRescue() {
        return new TokenRescue(jobQueue(), tokenCipher(), tokenStore(), clock, events());
    }

    public OAuthSessionStore sessions() {
        return new OAuthSessionStore(dynamo, settings.require(Settings.OAUTH_SESSIONS_TABLE));
    }

    public JobStore jobStore() {
        return new JobStore(dynamo, settings.require(Settings.SYNC_JOBS_TABLE), clock,
                dev.connectors.events.JobEvents.onFinished(events(), clock)); // sync_job.* events to the app
    }

    /** Events for the app (webhooks) through the webhook queue; dropped when WEBHOOK_QUEUE_URL is not set. */
    public dev.connectors.events.EventPublisher events() {
        return settings.optional(Settings.WEBHOOK_QUEUE_URL)
                .<dev.connectors.events.EventPublisher>map(url -> new dev.connectors.events.SqsEventPublisher(sqs, url))
                .orElse(dev.connectors.events.EventPublisher.NONE);
    }

    /** The webhook signing secret: {@code webhook_secret} in the app secret; not_configured without it. */
    public String webhookSecret() {
        JsonNode secret = appSecret().get("webhook_secret");
        if (secret == null || !secret.isTextual() || secret.asText().length() < 16) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "app secret lacks webhook_secret (16+ characters)");
        }
        return secret.asText();
    }

    public JobQueue jobQueue() {
        return new JobQueue(sqs, settings.require(Settings.SYNC_QUEUE_URL));
    }

    public SyncJobs syncJobs() {
        return new SyncJobs(jobStore(), jobQueue(), clock);
    }

    /** The per-connection concurrency cap of the sync worker ({@code SYNC_CONNECTION_CONCURRENCY}, default 2). */
    public dev.connectors.sync.ConnectionSlots connectionSlots() {
        int size = Integer.parseInt(settings.get(Settings.SYNC_CONNECTION_CONCURRENCY,
                Integer.toString(dev.connectors.sync.ConnectionSlots.DEFAULT_SIZE)));
        return new dev.connectors.sync.ConnectionSlots(dynamo, settings.require(Settings.SYNC_JOBS_TABLE), clock, size);
    }

    public RecordStore recordStore() {
        return new RecordStore(dynamo, settings.require(Settings.RECORDS_TABLE), clock);
    }

    /** The provider's client credentials and settings; missing or incomplete secrets are {@code not_configured}. */
    public ProviderConfig providerConfig(String provider) {
        return ProviderConfig.fromJson(secrets.get(providerSecretId(provider)));
    }

    String providerSecretId(String provider) {
        if (provider.equals(settings.optional(Settings.PROVIDER).orElse(null))
                && settings.optional(Settings.PROVIDER_SECRET_ID).isPresent()) {
            return settings.require(Settings.PROVIDER_SECRET_ID);
        }
        Map<String, String> ids = new HashMap<>();
        for (String pair : settings.get(Settings.PROVIDER_SECRET_IDS, "").split(",")) {
            String[] kv = pair.split("=", 2);
            if (kv.length == 2) ids.put(kv[0].trim(), kv[1].trim());
        }
        String id = ids.get(provider);
        if (id == null) throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "no secret id configured for " + provider);
        return id;
    }

    private interface KeyLoader<T> {
        T load();
    }

    /** Bad key material is a deployment mistake: users see "not configured", logs say which. */
    private static <T> T keys(KeyLoader<T> loader) {
        try {
            return loader.load();
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "app secret keys invalid: " + e.getMessage());
        }
    }
}
