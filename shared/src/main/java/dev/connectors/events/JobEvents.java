package dev.connectors.events;

import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;

import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;

/** Events about connections and sync jobs, built the same way wherever they are raised. */
public final class JobEvents {
    private JobEvents() {
    }

    /**
     * JobStore's finished-job hook: sync_job.succeeded or sync_job.failed (data.status needs_reauth when that is
     * why). connection.needs_reauth is not sent here: the TokenRefresher sends it once, when it marks the
     * connection (every needs_reauth transition goes through it), so a job that ends for that reason adds none.
     */
    public static Consumer<SyncJob> onFinished(EventPublisher events, Clock clock) {
        return job -> {
            try {
                events.publish(finished(job, clock));
            } catch (RuntimeException e) {
                // a hook never fails the save that triggered it
            }
        };
    }

    public static AppEvent finished(SyncJob job, Clock clock) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("jobId", job.jobId());
        data.put("status", job.status().name());
        data.put("pages", job.pages());
        data.put("records", job.records());
        data.put("outcome", job.outcome());
        data.put("error", summary(job.lastError()));
        String type = job.status() == JobStatus.succeeded ? AppEvent.SYNC_JOB_SUCCEEDED : AppEvent.SYNC_JOB_FAILED;
        return AppEvent.of(type, job.tenantId(), job.provider(), data, clock);
    }

    public static AppEvent needsReauth(String tenantId, String provider, Clock clock) {
        return AppEvent.of(AppEvent.CONNECTION_NEEDS_REAUTH, tenantId, provider, Map.of("status", "needs_reauth"), clock);
    }

    public static AppEvent active(String tenantId, String provider, String connectedBy, String jobId, Clock clock) {
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("status", "active");
        data.put("connectedBy", connectedBy);
        data.put("jobId", jobId);
        return AppEvent.of(AppEvent.CONNECTION_ACTIVE, tenantId, provider, data, clock);
    }

    /** The stored error is {@code summary: detail}; the detail may quote a provider and stays in the logs. */
    static String summary(String lastError) {
        if (lastError == null) return null;
        int cut = lastError.indexOf(": ");
        return cut < 0 ? lastError : lastError.substring(0, cut);
    }
}
