package dev.connectors.functions.connections;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.errors.ErrorFormatter;
import dev.connectors.errors.FriendlyError;
import dev.connectors.events.AppEvent;
import dev.connectors.log.Log;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.oauth.TokenRevoker;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.Services;
import dev.connectors.sync.SyncJob;
import dev.connectors.tokens.Connection;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * DELETE /connections/{provider}: revoke at the provider where the registry describes how, then delete
 * the connection (always, even when the revoke failed: the user asked to disconnect, and a token we no
 * longer hold cannot leak from us), stop its running jobs, tell the app. The answer says what happened.
 */
final class Disconnect {
    private static final Log LOG = Log.of(Disconnect.class);
    static final String JOB_CANCELLED = "The connection was removed before the sync finished.";
    private static final int MAX_ATTEMPTS = 3;

    private final Services services;
    private final Function<String, ProviderSpec> specs;

    Disconnect(Services services, Function<String, ProviderSpec> specs) {
        this.services = services;
        this.specs = specs;
    }

    Map<String, Object> run(String tenant, String provider) {
        var tokens = services.tokenStore();
        ProviderSpec spec = specs.apply(provider);
        boolean supported = TokenRevoker.supported(spec);
        FriendlyError revokeError = null;
        boolean revoked = false;
        String revokedVersionToken = null;
        for (int attempt = 1; ; attempt++) {
            Optional<Connection> current = tokens.get(tenant, provider);
            if (current.isEmpty()) {
                if (attempt == 1) throw new ConnectorException(ErrorCode.NOT_FOUND, "no connection to delete");
                break; // deleted concurrently (another DELETE): done
            }
            Connection c = current.get();
            String token = c.refreshToken() != null ? c.refreshToken() : c.accessToken();
            // revoke each distinct grant once: a refresh between our read and delete rotates the tokens
            if (supported && (revokedVersionToken == null || !revokedVersionToken.equals(token))) {
                revokedVersionToken = token;
                try {
                    new TokenRevoker(services.http()).revoke(spec, config(spec, provider), c);
                    revoked = true;
                    revokeError = null;
                    LOG.info("connection_revoked_at_provider");
                } catch (ConnectorException e) {
                    revoked = false;
                    revokeError = ErrorFormatter.format(e.code(), provider, ConnectionsView.displayName(provider));
                    LOG.warn("revoke_failed", "error_code", e.code().code(), "detail", e.detail());
                } catch (IllegalArgumentException e) { // a URL placeholder without a value: a registry/config gap
                    revoked = false;
                    revokeError = ErrorFormatter.format(ErrorCode.NOT_CONFIGURED, provider, ConnectionsView.displayName(provider));
                    LOG.warn("revoke_failed", "error_code", "not_configured", "detail", e.getMessage());
                }
            }
            if (tokens.delete(tenant, provider, c.version())) break;
            if (attempt >= MAX_ATTEMPTS) throw new ConnectorException(ErrorCode.STORAGE_UNAVAILABLE, "connection kept changing during delete");
        }
        List<String> cancelled = new ArrayList<>();
        for (SyncJob job : services.jobStore().activeFor(tenant, provider, 25)) {
            if (services.jobStore().cancel(job.jobId(), JOB_CANCELLED)) cancelled.add(job.jobId());
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("provider", provider);
        body.put("deleted", true);
        body.put("revokeSupported", supported);
        body.put("revoked", revoked);
        body.put("revokeError", revokeError == null ? null : error(revokeError));
        body.put("cancelledJobs", cancelled);
        LOG.info("connection_deleted", "revoked", revoked, "cancelled_jobs", cancelled.size());
        Map<String, Object> data = new LinkedHashMap<>(body);
        data.remove("provider");
        data.put("status", "revoked");
        services.events().publish(AppEvent.of(AppEvent.CONNECTION_REVOKED, tenant, provider, data, services.clock()));
        return body;
    }

    private static Map<String, Object> error(FriendlyError e) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("code", e.code());
        out.put("message", e.message());
        out.put("retryable", e.retryable());
        return out;
    }

    /** Client credentials when the revoke needs them; a missing secret becomes the revoke's error, not the request's. */
    private ProviderConfig config(ProviderSpec spec, String provider) {
        try {
            return services.providerConfig(provider).withDefaults(spec);
        } catch (ConnectorException e) {
            if (spec.revoke().clientAuth() != ProviderSpec.Revoke.RevokeClientAuth.none) throw e;
            return null;
        }
    }
}
