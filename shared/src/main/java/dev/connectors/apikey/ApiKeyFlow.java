package dev.connectors.apikey;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.BodyKind;
import dev.connectors.http.ProviderRequest;
import dev.connectors.http.ProviderResponse;
import dev.connectors.log.Log;
import dev.connectors.oauth.JsonPaths;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.AfterConnect;
import dev.connectors.runtime.Services;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * Connects an API-key provider: a cheap syntactic check, ONE read call declared in the registry
 * ({@link ProviderSpec.KeyValidation}), then the key is stored encrypted as the connection's access
 * token (no refresh, no expiry) and the 3-month backfill starts. A rejected key stores nothing.
 * Reads no provider secret. The key never reaches a log line, an error detail or a response.
 */
public final class ApiKeyFlow {
    private static final Log LOG = Log.of(ApiKeyFlow.class);
    static final int MAX_KEY_LENGTH = 512;
    static final int MIN_KEY_LENGTH = 8;
    public static final String TOKEN_TYPE = "api_key";

    /** The stored connection and the backfill it started (null when the job could not be created yet). */
    public record Result(Connection connection, String jobId) {
    }

    private final Services services;
    private final ProviderSpec spec;

    public ApiKeyFlow(Services services, ProviderSpec spec) {
        if (spec.validation() == null) throw new IllegalArgumentException("provider " + spec.id() + " has no key validation");
        this.services = services;
        this.spec = spec;
    }

    public Result connect(String tenantId, String userId, String apiKey) {
        String key = checkShape(apiKey);
        validate(key);
        AfterConnect.Stored stored = AfterConnect.store(services, new Connection(tenantId, spec.id(), ConnectionStatus.active,
                key, null, TOKEN_TYPE, null, null, Map.of(), userId, null, null, 0));
        Connection saved = stored.connection();
        String jobId = stored.jobId();
        LOG.info("connected", "version", saved.version(), "expires", "never", "job_id", jobId);
        return new Result(saved, jobId);
    }

    /** Printable ASCII without spaces, of a sane length: anything else cannot be a key (and must not reach a header). */
    static String checkShape(String apiKey) {
        if (apiKey == null) throw invalid("no apiKey given");
        String key = apiKey.strip();
        if (key.length() < MIN_KEY_LENGTH || key.length() > MAX_KEY_LENGTH) {
            throw invalid("apiKey length " + key.length() + " outside " + MIN_KEY_LENGTH + ".." + MAX_KEY_LENGTH);
        }
        if (!key.chars().allMatch(c -> c > 0x20 && c < 0x7F)) throw invalid("apiKey holds characters outside printable ASCII");
        return key;
    }

    private void validate(String key) {
        ProviderSpec.KeyValidation v = spec.validation();
        URI url;
        try {
            url = URI.create(Placeholders.fill(v.url(), spec.defaults()));
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "validation url: " + e.getMessage());
        }
        String authorization = v.authScheme() == ProviderSpec.KeyValidation.AuthScheme.basic_user
                ? "Basic " + Base64.getEncoder().encodeToString((key + ":").getBytes(StandardCharsets.UTF_8))
                : "Bearer " + key;
        ProviderRequest request = ProviderRequest.get(url).header("Authorization", authorization);
        for (Map.Entry<String, String> h : spec.apiHeaders().entrySet()) request = request.header(h.getKey(), h.getValue());
        ProviderResponse r = services.http().send(request);
        judge(r, v.successStatus(), request.target());
        LOG.info("api_key_accepted", "status", r.status());
    }

    /**
     * What the validation answer means. Only the status, the body kind, an HTML title and a short error
     * code reach the detail: provider messages often quote the key back (masked or not).
     */
    static void judge(ProviderResponse r, int successStatus, String target) {
        int status = r.status();
        String what = "key validation " + target + ": HTTP " + status;
        if (r.body().kind() == BodyKind.HTML) {
            throw new ConnectorException(ErrorCode.PROVIDER_HTML_ERROR, what + " HTML page, title: " + r.body().htmlTitle());
        }
        if (status == 401 || status == 403) {
            throw new ConnectorException(ErrorCode.INVALID_API_KEY, what + " " + errorCode(r));
        }
        if (status == 429) throw new ConnectorException(ErrorCode.RATE_LIMITED, what);
        if (status >= 500) throw new ConnectorException(ErrorCode.PROVIDER_UNAVAILABLE, what + " " + r.body().kind());
        if (status != successStatus) throw new ConnectorException(ErrorCode.PROVIDER_ERROR, what + " " + errorCode(r));
        if (!r.isJson()) throw new ConnectorException(ErrorCode.PROVIDER_ERROR, what + " but a " + r.body().kind() + " body");
    }

    /** A provider's machine-readable error code when it is a plain word ({@code invalid_api_key}); never its message. */
    private static String errorCode(ProviderResponse r) {
        if (!r.isJson()) return "body " + r.body().kind();
        for (String path : new String[]{"error.code", "error.type", "error_code", "errors.0.field", "error"}) {
            String v = JsonPaths.text(r.json(), path);
            if (v != null && v.matches("[A-Za-z_.-]{1,40}")) return "error=" + v;
        }
        return "no error code";
    }

    private static ConnectorException invalid(String detail) {
        return new ConnectorException(ErrorCode.INVALID_API_KEY, detail);
    }
}
