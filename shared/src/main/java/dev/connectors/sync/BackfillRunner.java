package dev.connectors.sync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderHttp;
import dev.connectors.http.ProviderRequest;
import dev.connectors.http.ProviderResponse;
import dev.connectors.log.Log;
import dev.connectors.oauth.JsonPaths;
import dev.connectors.oauth.ProviderAnswers;
import dev.connectors.providers.BackfillSpec;
import dev.connectors.providers.BackfillSpec.Paginator;

import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interprets a provider's {@link BackfillSpec}: fetches one page at a time, stores its records,
 * and saves the checkpoint after every page, so a crash or a timeout resumes at the next page.
 */
public final class BackfillRunner {
    private static final Log LOG = Log.of(BackfillRunner.class);
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?", Pattern.CASE_INSENSITIVE);
    private static final int DEFAULT_RETRY_AFTER_SECONDS = 60;
    /** Where an API with a {@code successFlag} names its error (also read for {@code skipParentErrors}). */
    private static final String ERROR_FIELD = "error";

    /**
     * What one job needs to know about its connection: the spec, API base, placeholder values, token,
     * and the provider's error strings mapped to our codes (for APIs that answer errors with HTTP 200
     * and a false {@code successFlag}, e.g. a revoked grant must end as needs_reauth, not be retried).
     */
    public record Context(BackfillSpec spec, String apiBase, Map<String, String> apiHeaders,
                          Map<String, String> values, AccessTokens tokens, Map<String, String> errorCodes) {
        public Context {
            errorCodes = errorCodes == null ? Map.of() : Map.copyOf(errorCodes);
        }
    }

    private final ProviderHttp http;
    private final RecordStore records;
    private final JobStore jobs;

    public BackfillRunner(ProviderHttp http, RecordStore records, JobStore jobs) {
        this.http = http;
        this.records = records;
        this.jobs = jobs;
    }

    public BackfillResult run(SyncJob start, String owner, Context ctx, BooleanSupplier timeLeft) {
        SyncJob job = start;
        List<BackfillSpec.Resource> resources = ctx.spec().resources();
        Map<String, String> values = new HashMap<>(ctx.values());
        values.putAll(BackfillRequests.windowValues(job.windowStart(), job.windowEnd()));
        boolean refreshed = false;
        while (true) {
            Checkpoint cp = job.checkpoint();
            if (cp.resource() >= resources.size()) {
                return new BackfillResult.Done();
            }
            BackfillSpec.Resource r = resources.get(cp.resource());
            if (r.parent() != null && cp.parentId() == null) {
                // entering a fan-out resource: start at the first parent record, or skip when there is none
                Optional<String> first = records.nextId(job.tenantId(), job.provider(), r.parent(), null);
                Checkpoint next = first.map(id -> new Checkpoint(cp.resource(), id, null))
                        .orElse(new Checkpoint(cp.resource() + 1, null, null));
                job = job.progressed(next, 0, 0);
                continue;
            }
            if (!timeLeft.getAsBoolean()) {
                return new BackfillResult.Continue();
            }
            if (r.parent() != null) values.put("parent.id", cp.parentId());

            ProviderRequest request;
            try {
                request = authorized(BackfillRequests.build(r, ctx.apiBase(), values, cp.cursor()), ctx, ctx.tokens().current());
            } catch (ConnectorException | IllegalArgumentException e) {
                return new BackfillResult.Retry("cannot build request for " + r.model() + ": " + e.getMessage());
            }
            ProviderResponse response;
            try {
                response = http.send(request);
                if (response.status() == 401 && !refreshed) {
                    refreshed = true; // one refresh per run: a second 401 means the grant is gone
                    String fresh = ctx.tokens().refreshAfterUnauthorized();
                    response = http.send(authorized(BackfillRequests.build(r, ctx.apiBase(), values, cp.cursor()), ctx, fresh));
                }
            } catch (ConnectorException e) {
                if (e.code() == ErrorCode.INVALID_GRANT || e.code() == ErrorCode.INVALID_CLIENT) {
                    return new BackfillResult.NeedsReauth(e.code().code() + ": " + e.detail());
                }
                return new BackfillResult.Retry(e.code().code() + ": " + e.detail());
            }
            if (response.status() == 429) {
                int seconds = response.retryAfter().map(d -> (int) Math.max(1, d.toSeconds())).orElse(DEFAULT_RETRY_AFTER_SECONDS);
                return new BackfillResult.Delay(seconds, "rate limited on " + r.model());
            }
            if (response.status() == 401 || response.status() == 403 && refreshed) {
                return new BackfillResult.NeedsReauth("HTTP " + response.status() + " on " + r.model() + " after refresh");
            }
            JsonNode json;
            try {
                if (r.parent() != null && skippableParentError(ctx.spec(), response)) {
                    LOG.warn("backfill_parent_skipped", "model", r.model(), "parent", cp.parentId());
                    job = save(job, afterUnit(job, r), 1, 0, owner);
                    if (job == null) return new BackfillResult.LeaseLost();
                    continue;
                }
                // with a success flag, the error travels beside it ({"ok":false,"error":"invalid_auth"}) on HTTP 200
                String successFlag = ctx.spec().successFlag();
                json = ProviderAnswers.requireJson(response, "backfill " + r.model(), successFlag,
                        successFlag == null ? null : ERROR_FIELD, ctx.errorCodes());
            } catch (ConnectorException e) {
                if (e.code() == ErrorCode.RATE_LIMITED) return new BackfillResult.Delay(DEFAULT_RETRY_AFTER_SECONDS, e.detail());
                if (e.code() == ErrorCode.INVALID_GRANT || e.code() == ErrorCode.INVALID_CLIENT) {
                    return new BackfillResult.NeedsReauth(e.code().code() + ": " + e.detail());
                }
                return new BackfillResult.Retry(e.code().code() + ": " + e.detail());
            }
            JsonNode items = JsonPaths.at(json, r.records());
            if (items == null || !items.isArray()) {
                return new BackfillResult.Retry("backfill " + r.model() + ": no records array at '" + r.records() + "'");
            }
            Page page = readPage(items, r, cp.parentId(), job.windowStart());
            records.upsert(job.tenantId(), job.provider(), r.model(), job.jobId(), page.records());
            String nextCursor = page.reachedWindowStart() ? null : nextCursor(r.paginator(), json, response, cp.cursor(), items.size());
            if (nextCursor != null && (r.paginator().type() == Paginator.Type.link_header || r.paginator().type() == Paginator.Type.next_url)) {
                try {
                    BackfillRequests.sameOrigin(ctx.apiBase(), nextCursor); // never checkpoint a link we will not follow
                } catch (ConnectorException e) {
                    return new BackfillResult.Retry(e.code().code() + ": " + e.detail());
                }
            }
            Checkpoint next = nextCursor == null ? afterUnit(job, r) : cp.nextPage(nextCursor);
            job = save(job, next, 1, page.records().size(), owner);
            if (job == null) return new BackfillResult.LeaseLost();
        }
    }

    private SyncJob save(SyncJob job, Checkpoint next, int pages, int count, String owner) {
        SyncJob updated = job.progressed(next, pages, count);
        return jobs.save(updated, owner, false) ? updated : null;
    }

    /** The checkpoint after a unit (a resource, or one parent of a fan-out resource) is complete. */
    private Checkpoint afterUnit(SyncJob job, BackfillSpec.Resource r) {
        Checkpoint cp = job.checkpoint();
        if (r.parent() != null) {
            Optional<String> nextParent = records.nextId(job.tenantId(), job.provider(), r.parent(), cp.parentId());
            if (nextParent.isPresent()) return new Checkpoint(cp.resource(), nextParent.get(), null);
        }
        return new Checkpoint(cp.resource() + 1, null, null);
    }

    private ProviderRequest authorized(ProviderRequest request, Context ctx, String token) {
        ProviderRequest out = request.header("Authorization", "Bearer " + token);
        for (Map.Entry<String, String> h : ctx.apiHeaders().entrySet()) out = out.header(h.getKey(), h.getValue());
        return out;
    }

    private static boolean skippableParentError(BackfillSpec spec, ProviderResponse response) {
        if (spec.skipParentErrors().isEmpty() || !response.isJson()) return false;
        String error = JsonPaths.text(response.json(), ERROR_FIELD);
        return error != null && spec.skipParentErrors().contains(error);
    }

    private record Page(List<SyncRecord> records, boolean reachedWindowStart) {
    }

    private static Page readPage(JsonNode items, BackfillSpec.Resource r, String parentId, Instant windowStart) {
        List<SyncRecord> out = new ArrayList<>();
        boolean reached = false;
        for (JsonNode item : items) {
            String id = JsonPaths.text(item, r.id());
            if (id == null || id.isBlank()) continue; // a record without an id cannot be stored idempotently
            Instant updated = r.updatedAt() == null ? null : parseTime(JsonPaths.text(item, r.updatedAt()), r.updatedAtFormat());
            if (r.stopBeforeWindow() && updated != null && updated.isBefore(windowStart)) {
                reached = true; // newest-first listing: everything after this is older than the window
                continue;
            }
            out.add(new SyncRecord(parentId == null ? id : parentId + ":" + id, updated, item.toString()));
        }
        return new Page(out, reached);
    }

    static Instant parseTime(String value, BackfillSpec.TimeFormat format) {
        if (value == null || value.isBlank()) return null;
        try {
            return switch (format) {
                case iso -> OffsetDateTime.parse(value).toInstant();
                case epoch_seconds -> {
                    BigDecimal seconds = new BigDecimal(value);
                    yield Instant.ofEpochSecond(seconds.longValue(), seconds.remainder(BigDecimal.ONE).movePointRight(9).longValue());
                }
                case epoch_millis -> Instant.ofEpochMilli(Long.parseLong(value));
            };
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String nextCursor(Paginator p, JsonNode json, ProviderResponse response, String current, int count) {
        return switch (p.type()) {
            case none -> null;
            case cursor, next_url -> {
                if (p.hasMorePath() != null) {
                    JsonNode more = JsonPaths.at(json, p.hasMorePath());
                    if (more == null || !more.asBoolean(false)) yield null;
                }
                String c = JsonPaths.text(json, p.cursorPath());
                yield c == null || c.isBlank() || c.equals(current) ? null : c;
            }
            case link_header -> response.header("Link").map(BackfillRunner::nextLink).orElse(null);
            case page -> count == 0 ? null : Long.toString((current == null ? 1 : Long.parseLong(current)) + 1);
        };
    }

    static String nextLink(String linkHeader) {
        Matcher m = LINK_NEXT.matcher(linkHeader);
        return m.find() ? m.group(1) : null;
    }
}
