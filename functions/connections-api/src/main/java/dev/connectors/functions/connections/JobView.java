package dev.connectors.functions.connections;

import dev.connectors.sync.SyncJob;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/** A sync job as the app sees it: progress and outcome, never the checkpoint or lease. */
final class JobView {
    private JobView() {
    }

    /** GET /sync-jobs/{id}: the progress fields plus provider and creation time. */
    static Map<String, Object> full(SyncJob job) {
        Map<String, Object> out = progress(job);
        out.put("provider", job.provider());
        out.put("createdAt", iso(job.createdAt()));
        return out;
    }

    /** The {@code lastSync} of a listed connection. */
    static Map<String, Object> progress(SyncJob job) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("jobId", job.jobId());
        out.put("status", job.status().name());
        out.put("pages", job.pages());
        out.put("records", job.records());
        // parents the provider refused to let this connection read (e.g. Teams channels without the admin scope)
        out.put("parentsSkipped", job.parentsSkipped());
        // the window's steps (null until the worker planned them); done counts steps run in parallel too
        out.put("stepsDone", job.steps().total() == 0 ? null : job.stepsDone());
        out.put("stepsTotal", job.steps().total() == 0 ? null : job.steps().total());
        out.put("windowStart", iso(job.windowStart()));
        out.put("windowEnd", iso(job.windowEnd()));
        out.put("attempts", job.attempts());
        out.put("lastError", publicError(job.lastError()));
        out.put("outcome", job.outcome());
        out.put("updatedAt", iso(job.updatedAt()));
        return out;
    }

    /**
     * The worker stores {@code summary: detail}, where the detail may quote a provider's response
     * (README: details go to the logs only). The app gets the summary before the first ": ".
     */
    static String publicError(String lastError) {
        if (lastError == null) return null;
        int cut = lastError.indexOf(": ");
        return cut < 0 ? lastError : lastError.substring(0, cut);
    }

    static String iso(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
