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
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.runtime.Services;
import dev.connectors.sync.SyncJob;

import java.util.Map;
import java.util.Optional;

/**
 * The read side of the app's API (payload 2.0, behind the JWT authorizer): GET /connections,
 * GET /sync-jobs/{id}, GET /records. The tenant comes only from the authorizer's claims; another
 * tenant's job answers exactly like an unknown one. Nothing escapes as a stack trace.
 */
public final class ConnectionsApiHandler implements RequestHandler<APIGatewayV2HTTPEvent, APIGatewayV2HTTPResponse> {
    private static final Log LOG = Log.of(ConnectionsApiHandler.class);
    private static final String JOBS_PREFIX = "/sync-jobs/";
    private static final int MAX_JOB_ID_LENGTH = 256;

    private final Services services;

    public ConnectionsApiHandler() {
        this(Services.fromEnvironment());
    }

    public ConnectionsApiHandler(Services services) {
        this.services = services;
    }

    @Override
    public APIGatewayV2HTTPResponse handleRequest(APIGatewayV2HTTPEvent event, Context context) {
        ApiRequest request = new ApiRequest(event);
        Log.begin(request.requestId() != null ? request.requestId() : context == null ? null : context.getAwsRequestId());
        String provider = null;
        try {
            String tenant = request.claim(services.settings().get(Settings.TENANT_CLAIM, "tenant_id"));
            if (tenant == null || tenant.isBlank()) {
                throw new ConnectorException(ErrorCode.UNAUTHORIZED, "no tenant claim in the request context");
            }
            Log.put("tenant", tenant);
            Map<String, String> query = request.path().equals("/records") ? request.query() : Map.of();
            provider = ProviderRegistry.allIds().contains(query.getOrDefault("provider", "")) ? query.get("provider") : null;
            Log.put("provider", provider);
            APIGatewayV2HTTPResponse response = ApiResponses.ok(route(request, tenant, query));
            LOG.info("request_served", "path", request.path(), "status", response.getStatusCode());
            return response;
        } catch (ConnectorException e) {
            LOG.warn("request_failed", "path", request.path(), "error_code", e.code().code(), "detail", e.detail());
            return ApiResponses.error(ErrorFormatter.format(e.code(), provider, ConnectionsView.displayName(provider)));
        } catch (RuntimeException e) {
            LOG.error("request_crashed", "path", request.path(), "error", e);
            return ApiResponses.error(ErrorFormatter.format(ErrorCode.INTERNAL_ERROR, provider, ConnectionsView.displayName(provider)));
        }
    }

    /** The body of a successful answer; every failure is a ConnectorException. */
    private Object route(ApiRequest request, String tenant, Map<String, String> query) {
        String path = request.path();
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

    /** The tenant's own job; another tenant's is not_found, exactly like one that does not exist. */
    private SyncJob job(String tenant, String jobId) {
        if (jobId.isBlank() || jobId.length() > MAX_JOB_ID_LENGTH) {
            throw new ConnectorException(ErrorCode.NOT_FOUND, "job id empty or too long");
        }
        Optional<SyncJob> job = services.jobStore().get(jobId).filter(j -> tenant.equals(j.tenantId()));
        return job.orElseThrow(() -> new ConnectorException(ErrorCode.NOT_FOUND, "no job " + jobId + " for this tenant"));
    }
}
