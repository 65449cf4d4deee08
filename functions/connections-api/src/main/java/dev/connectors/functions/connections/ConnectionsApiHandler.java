package dev.connectors.functions.connections;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.errors.ErrorFormatter;
import dev.connectors.log.Log;
import dev.connectors.log.RequestLog;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.runtime.Priming;
import dev.connectors.runtime.Services;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.sync.SyncJob;
import dev.connectors.sync.SyncJobs;

import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * The app's API (payload 2.0, behind the JWT authorizer): GET /connections, DELETE /connections/{provider},
 * POST /connections/{provider}/sync, GET /sync-jobs/{id}, GET /records. The tenant comes only from the
 * authorizer's claims, and every key it addresses starts with that tenant; another tenant's job answers
 * exactly like an unknown one. Nothing escapes as a stack trace.
 */
public final class ConnectionsApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Log LOG = Log.of(ConnectionsApiHandler.class);
    private static final RequestLog REQUESTS = RequestLog.of(ConnectionsApiHandler.class);
    private static final String JOBS_PREFIX = "/sync-jobs/";
    private static final String CONNECTIONS_PREFIX = "/connections/";
    private static final java.util.regex.Pattern JOB_ID = java.util.regex.Pattern.compile("job_[0-9a-f]{32}");

    private final Services services;
    private final Function<String, ProviderSpec> specs;

    /** A non-200 answer (202 for a newly started job). */
    record Answer(int status, Object body) {
    }

    public ConnectionsApiHandler() {
        this(Priming.register(Services.fromEnvironment()));
    }

    public ConnectionsApiHandler(Services services) {
        this(services, cached(ProviderRegistry::load));
    }

    /** For tests and the local runner: provider entries from elsewhere (e.g. rebased onto a stub). */
    public ConnectionsApiHandler(Services services, Function<String, ProviderSpec> specs) {
        this.services = services;
        this.specs = specs;
    }

    private static Function<String, ProviderSpec> cached(Function<String, ProviderSpec> loader) {
        Map<String, ProviderSpec> cache = new java.util.concurrent.ConcurrentHashMap<>();
        return id -> cache.computeIfAbsent(id, loader);
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        ApiRequest request = new ApiRequest(event);
        String requestId = request.requestId() != null ? request.requestId() : context == null ? null : context.getAwsRequestId();
        return REQUESTS.run(requestId, () -> serve(request), APIGatewayV2HTTPResponse::getStatusCode);
    }

    private APIGatewayV2HTTPResponse serve(ApiRequest request) {
        Log.put("method", request.method());
        Log.put("path", request.path());
        String provider = null;
        try {
            String tenant = request.claim(services.settings().get(Settings.TENANT_CLAIM, "tenant_id"));
            if (tenant == null || tenant.isBlank()) {
                throw new ConnectorException(ErrorCode.UNAUTHORIZED, "no tenant claim in the request context");
            }
            Log.put("tenant", tenant);
            Map<String, String> query = request.path().equals("/records") ? request.query() : Map.of();
            provider = ProviderRegistry.allIds().contains(query.getOrDefault("provider", "")) ? query.get("provider") : null;
            if (provider == null) provider = connectionProvider(request);
            Log.put("provider", provider);
            Object out = route(request, tenant, query, provider);
            return out instanceof Answer a ? ApiResponses.json(a.status(), a.body()) : ApiResponses.ok(out); // logged by REQUESTS
        } catch (ConnectorException e) {
            LOG.warn("request_failed", "error_code", e.code().code(), "detail", e.detail());
            RequestLog.outcome(e.code().code());
            return ApiResponses.error(ErrorFormatter.format(e.code(), provider, ConnectionsView.displayName(provider)));
        } catch (RuntimeException e) {
            LOG.error("request_crashed", "error", e);
            RequestLog.outcome(ErrorCode.INTERNAL_ERROR.code());
            return ApiResponses.error(ErrorFormatter.format(ErrorCode.INTERNAL_ERROR, provider, ConnectionsView.displayName(provider)));
        }
    }

    /** The body of a successful answer; every failure is a ConnectorException. */
    private Object route(ApiRequest request, String tenant, Map<String, String> query, String provider) {
        String path = request.path();
        if (path.startsWith(CONNECTIONS_PREFIX)) {
            boolean sync = path.endsWith("/sync");
            if (request.method().equals("DELETE") && !sync) {
                if (provider == null) throw new ConnectorException(ErrorCode.NOT_FOUND, "no connection of an unregistered provider");
                return new Disconnect(services, specs).run(tenant, provider);
            }
            if (request.method().equals("POST") && sync) {
                if (provider == null) throw new ConnectorException(ErrorCode.NOT_FOUND, "no connection of an unregistered provider");
                return resync(tenant, provider);
            }
        }
        if (request.method().equals("GET")) {
            if (path.equals("/connections")) {
                return ConnectionsView.list(tenant, services.tokenStoreWithoutKeys(), services.jobStore());
            }
            if (path.startsWith(JOBS_PREFIX) && path.indexOf('/', JOBS_PREFIX.length()) < 0) {
                return JobView.full(job(tenant, request.pathParameter("id", path.substring(JOBS_PREFIX.length()))));
            }
            if (path.equals("/records")) {
                return RecordsQuery.parse(query).run(tenant, services.recordStore());
            }
        }
        throw new ConnectorException(ErrorCode.NOT_FOUND, "no route " + request.method() + " " + path);
    }

    /** The registered provider of /connections/{provider}[/sync], or null. */
    private static String connectionProvider(ApiRequest request) {
        String path = request.path();
        if (!path.startsWith(CONNECTIONS_PREFIX)) return null;
        String rest = path.substring(CONNECTIONS_PREFIX.length());
        if (rest.endsWith("/sync")) rest = rest.substring(0, rest.length() - "/sync".length());
        if (rest.isEmpty() || rest.contains("/")) return null;
        String id = request.pathParameter("provider", rest);
        return ProviderRegistry.allIds().contains(id) ? id : null;
    }

    /**
     * POST /connections/{provider}/sync: 200 with the job already queued or running, 202 with a new one.
     * Needs an active connection (read from the summary: no key material).
     */
    private Object resync(String tenant, String provider) {
        boolean active = services.tokenStoreWithoutKeys().list(tenant).stream()
                .anyMatch(c -> c.provider().equals(provider) && c.status() == dev.connectors.tokens.ConnectionStatus.active);
        if (!active) throw new ConnectorException(ErrorCode.NOT_FOUND, "no active connection to sync");
        SyncJobs.Resync started = services.syncJobs().resync(tenant, provider);
        LOG.info("sync_requested", "job_id", started.job().jobId(), "created", started.created());
        Map<String, Object> body = JobView.full(started.job());
        body.put("created", started.created());
        return started.created() ? new Answer(202, body) : body;
    }

    /** The tenant's own job; another tenant's is not_found, exactly like one that does not exist. */
    private SyncJob job(String tenant, String jobId) {
        // only a job's own id: the jobs table also holds steps and connection slots, never shown here
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new ConnectorException(ErrorCode.NOT_FOUND, "not a job id");
        }
        Optional<SyncJob> job = services.jobStore().get(jobId).filter(j -> tenant.equals(j.tenantId()));
        return job.orElseThrow(() -> new ConnectorException(ErrorCode.NOT_FOUND, "no job " + jobId + " for this tenant"));
    }
}
