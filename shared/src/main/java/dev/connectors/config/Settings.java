package dev.connectors.config;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Configuration from environment variables (or a map in tests and the local runner).
 * Every key the code reads is a constant here; the template test checks template.yaml against them.
 */
public final class Settings {
    public static final String PROVIDER = "PROVIDER";
    public static final String CONNECTIONS_TABLE = "CONNECTIONS_TABLE";
    public static final String OAUTH_SESSIONS_TABLE = "OAUTH_SESSIONS_TABLE";
    public static final String SYNC_JOBS_TABLE = "SYNC_JOBS_TABLE";
    public static final String RECORDS_TABLE = "RECORDS_TABLE";
    public static final String SYNC_QUEUE_URL = "SYNC_QUEUE_URL";
    /** Secrets Manager id of the provider's client credentials (JSON: client_id, client_secret, ...). */
    public static final String PROVIDER_SECRET_ID = "PROVIDER_SECRET_ID";
    /** The worker's map of provider → secret id: {@code slack=connectors/slack,gitlab=connectors/gitlab}. */
    public static final String PROVIDER_SECRET_IDS = "PROVIDER_SECRET_IDS";
    /** Secrets Manager id of the app keys (state signing keys, token encryption keys). */
    public static final String APP_SECRET_ID = "APP_SECRET_ID";
    /** Public base URL of the HTTP API; redirect_uri = base + /oauth/{provider}/callback. */
    public static final String PUBLIC_BASE_URL = "PUBLIC_BASE_URL";
    /** Comma-separated origins that return_to may point at. */
    public static final String RETURN_TO_ALLOWLIST = "RETURN_TO_ALLOWLIST";
    public static final String TENANT_CLAIM = "TENANT_CLAIM";
    public static final String USER_CLAIM = "USER_CLAIM";
    /** Local alternative to Secrets Manager: a JSON file {secretId: {...}}. Never set in AWS. */
    public static final String SECRETS_FILE = "SECRETS_FILE";
    /** Seconds a secret stays cached. */
    public static final String SECRETS_TTL_SECONDS = "SECRETS_TTL_SECONDS";
    /** The AWS SDK's own endpoint overrides, honoured so the same code runs against stand-ins. */
    public static final String AWS_ENDPOINT_URL = "AWS_ENDPOINT_URL";
    public static final String AWS_ENDPOINT_URL_DYNAMODB = "AWS_ENDPOINT_URL_DYNAMODB";
    public static final String AWS_ENDPOINT_URL_SQS = "AWS_ENDPOINT_URL_SQS";
    public static final String AWS_ENDPOINT_URL_SECRETS_MANAGER = "AWS_ENDPOINT_URL_SECRETS_MANAGER";
    public static final String AWS_REGION = "AWS_REGION";
    /** Optional: refresh tokens unused this many days even without an expiry (providers that revoke idle grants). Unset: never. */
    public static final String IDLE_REFRESH_DAYS = "IDLE_REFRESH_DAYS";

    /** The queue of events for the app (webhooks); unset means no events are sent. */
    public static final String WEBHOOK_QUEUE_URL = "WEBHOOK_QUEUE_URL";
    /** The app's webhook endpoint the webhook sender POSTs events to; unset means events are dropped (logged). */
    public static final String WEBHOOK_URL = "WEBHOOK_URL";
    /** CloudWatch namespace of the embedded-format metrics; default "Connectors". */
    public static final String METRICS_NAMESPACE = "METRICS_NAMESPACE";
    /** The sync worker's cap on one connection's deliveries calling its provider at once (steps of a job run in parallel). */
    public static final String SYNC_CONNECTION_CONCURRENCY = "SYNC_CONNECTION_CONCURRENCY";
    /**
     * {@code cookie} (default): the callback must come back to the browser that started the flow (RFC 9700 §4.7.1;
     * needs the app page and the API on one site). {@code off}: no binding, for deployments that cannot meet that.
     */
    public static final String BROWSER_BINDING = "BROWSER_BINDING";
    /** Keys a deployed function may be given in template.yaml (the SDK reads AWS_REGION itself). */
    public static final List<String> FUNCTION_KEYS = List.of(PROVIDER, CONNECTIONS_TABLE, OAUTH_SESSIONS_TABLE,
            SYNC_JOBS_TABLE, RECORDS_TABLE, SYNC_QUEUE_URL, PROVIDER_SECRET_ID, PROVIDER_SECRET_IDS, APP_SECRET_ID, PUBLIC_BASE_URL,
            RETURN_TO_ALLOWLIST, TENANT_CLAIM, USER_CLAIM, WEBHOOK_QUEUE_URL, WEBHOOK_URL, SECRETS_TTL_SECONDS, IDLE_REFRESH_DAYS,
            METRICS_NAMESPACE, SYNC_CONNECTION_CONCURRENCY, BROWSER_BINDING);

    private final Map<String, String> values;

    public Settings(Map<String, String> values) {
        this.values = Map.copyOf(values);
    }

    public static Settings fromEnvironment() {
        return new Settings(System.getenv());
    }

    public Optional<String> optional(String key) {
        String v = values.get(key);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public String get(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    /** A missing required setting is a deployment mistake: users see "not configured". */
    public String require(String key) {
        return optional(key).orElseThrow(() -> new ConnectorException(ErrorCode.NOT_CONFIGURED, "missing setting " + key));
    }

    public Settings with(String key, String value) {
        Map<String, String> copy = new java.util.HashMap<>(values);
        copy.put(key, value);
        return new Settings(copy);
    }
}
