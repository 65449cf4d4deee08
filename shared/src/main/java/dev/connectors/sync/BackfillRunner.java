package dev.connectors.sync;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderHttp;
import dev.connectors.http.ProviderRequest;
import dev.connectors.http.ProviderResponse;
import dev.connectors.log.Log;
import dev.connectors.metrics.Metrics;
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
import java.util.OptionalInt;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Interprets a provider's {@link BackfillSpec}: fetches one page at a time, stores its records,
 * and saves the checkpoint after every page, so a crash or a timeout resumes at the next page.
 */
public final class BackfillRunner {
    private static final Log LOG = Log.of(BackfillRunner.class);
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]*)>\\s*;[^,]*rel=\"?next\"?", Pattern.CASE_INSENSITIVE);
    private static final int DEFAULT_RETRY_AFTER_SECONDS = 60;
    /**
     * A step that needed this many pages marks the tenant as big: the parallel steps after it fan out. A small
     * tenant's steps take a page each and its whole job finishes in one invocation, without extra messages.
     */
    static final int BIG_STEP_PAGES = 3;
    /** Where an API with a {@code successFlag} names its error (also read for {@code skipParentErrors}). */
    private static final String ERROR_FIELD = "error";

    /**
     * What one job needs to know about its connection: the spec, API base, placeholder values, token,
     * and the provider's error strings mapped to our codes (for APIs that answer errors with HTTP 200
     * and a false {@code successFlag}, e.g. a revoked grant must end as needs_reauth, not be retried).
     */
    public record Context(BackfillSpec spec, String apiBase, Map<String, String> apiHeaders,
                          Map<String, String> values, AccessTokens tokens, Map<String, String> errorCodes,
                          Map<String, String> bodySecrets) {
        public Context {
            errorCodes = errorCodes == null ? Map.of() : Map.copyOf(errorCodes);
            apiHeaders = apiHeaders == null ? Map.of() : Map.copyOf(apiHeaders);
            bodySecrets = bodySecrets == null ? Map.of() : Map.copyOf(bodySecrets);
        }

        public Context(BackfillSpec spec, String apiBase, Map<String, String> apiHeaders,
                       Map<String, String> values, AccessTokens tokens, Map<String, String> errorCodes) {
            this(spec, apiBase, apiHeaders, values, tokens, errorCodes, Map.of());
        }

        /** Client credentials for {@code {client_id}} / {@code {client_secret}} in a JSON body (never in URLs or headers). */
        @Override
        public String toString() {
            return "Context[apiBase=" + apiBase + ", values=" + values.keySet() + "]";
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

    /**
     * Runs the job from its checkpoint through the steps of its {@link StepPlan}: a job's own item through
     * every step (unless it fans out), a step item through its one step.
     */
    public BackfillResult run(SyncJob start, String owner, Context ctx, BooleanSupplier timeLeft) {
        StepPlan plan = StepPlan.of(ctx.spec(), start.windowStart(), start.windowEnd());
        SyncJob job = start.steps().total() == plan.size() ? start : start.withStepsTotal(plan.size());
        int lastStep = job.isStep() ? job.checkpoint().step() : plan.size() - 1;
        long pagesAtStepStart = job.pages();
        List<BackfillSpec.Resource> resources = ctx.spec().resources();
        Map<String, String> values = new HashMap<>(ctx.values());
        boolean refreshed = false;
        while (true) {
            Checkpoint cp = job.checkpoint();
            if (cp.step() > lastStep) return new BackfillResult.Done(); // resumed after its last parallel step
            StepPlan.Step step = plan.get(cp.step());
            if (cp.resource() >= resources.size()) {
                if (cp.step() >= lastStep) return new BackfillResult.Done();
                int nextStep = cp.step() + 1;
                boolean big = job.pages() - pagesAtStepStart >= BIG_STEP_PAGES;
                pagesAtStepStart = job.pages();
                job = job.progressed(Checkpoint.startOf(nextStep), 0, 0);
                if (big && canFanOut(job, plan, nextStep)) {
                    job = save(job, job.checkpoint(), 0, 0, owner);
                    if (job == null) return new BackfillResult.LeaseLost();
                    return new BackfillResult.FanOut(nextStep, plan.parallelEnd(nextStep));
                }
                continue;
            }
            if (!step.runs(cp.resource())) { // another step's resource
                job = job.progressed(cp.at(cp.resource() + 1, null), 0, 0);
                continue;
            }
            values.putAll(BackfillRequests.windowValues(step.start(), step.end()));
            BackfillSpec.Resource r = resources.get(cp.resource());
            if (r.parent() != null && cp.parentId() == null) {
                // entering a fan-out resource: start at the first parent record, or skip when there is none
                Optional<String> first = records.nextId(job.tenantId(), job.provider(), r.parent(), null);
                Checkpoint next = first.map(id -> cp.at(cp.resource(), id))
                        .orElse(cp.at(cp.resource() + 1, null));
                job = job.progressed(next, 0, 0);
                continue;
            }
            if (!timeLeft.getAsBoolean()) {
                if (!canFanOut(job, plan, cp.step())) return new BackfillResult.Continue();
                // out of time in a run of parallel steps: the tenant is big, the steps left go to parallel messages
                job = save(job, cp, 0, 0, owner);
                return job == null ? new BackfillResult.LeaseLost() : new BackfillResult.FanOut(cp.step(), plan.parallelEnd(cp.step()));
            }
            values.keySet().removeIf(k -> k.startsWith("parent.") || k.startsWith("grandparent."));
            ProviderRequest request;
            try {
                if (r.parent() != null) values.putAll(parentValues(job, ctx.spec(), r, cp.parentId()));
                request = request(r, ctx, values, cp.cursor(), ctx.tokens().current());
            } catch (ConnectorException | IllegalArgumentException e) {
                return new BackfillResult.Retry(scrub("cannot build request for " + r.model() + ": " + e.getMessage(), ctx));
            }
            ProviderResponse response;
            try {
                response = http.send(request);
                if (response.status() == 401 && !refreshed) {
                    refreshed = true; // one refresh per run: a second 401 means the grant is gone
                    String fresh = ctx.tokens().refreshAfterUnauthorized();
                    response = http.send(request(r, ctx, values, cp.cursor(), fresh));
                }
            } catch (ConnectorException e) {
                if (e.code() == ErrorCode.INVALID_GRANT) { // invalid_client is our app's setup, not the user's grant
                    return new BackfillResult.NeedsReauth(scrub(e.code().code() + ": " + e.detail(), ctx));
                }
                return new BackfillResult.Retry(scrub(e.code().code() + ": " + e.detail(), ctx));
            } catch (IllegalArgumentException e) {
                return new BackfillResult.Retry(scrub("cannot build request for " + r.model() + ": " + e.getMessage(), ctx));
            }
            String limitedBy = rateLimitError(ctx.spec(), response);
            if (response.status() == 429 || limitedBy != null) {
                // ProviderHttp counts a 429; a rate limit behind another status is counted here
                if (response.status() != 429) Metrics.providerRateLimited(job.provider());
                int seconds = response.retryAfter().map(d -> (int) Math.max(1, d.toSeconds())).orElse(DEFAULT_RETRY_AFTER_SECONDS);
                return new BackfillResult.Delay(seconds, ErrorCode.RATE_LIMITED.code() + ": HTTP " + response.status()
                        + (limitedBy == null ? "" : " " + limitedBy) + " on " + r.model());
            }
            if (response.status() == 401) {
                return new BackfillResult.NeedsReauth("HTTP 401 on " + r.model() + " after refresh");
            }
            boolean refused = r.parent() != null && r.skipParentStatuses().contains(response.status());
            if (response.status() == 403 && refreshed && !refused) {
                return new BackfillResult.NeedsReauth("HTTP 403 on " + r.model() + " after refresh");
            }
            JsonNode json;
            try {
                if (refused || r.parent() != null && skippableParentError(ctx.spec(), response)) {
                    // the parent's id is the provider's (a channel id), never a secret; tenant and provider are in the context
                    LOG.warn("backfill_parent_skipped", "model", r.model(), "parent", cp.parentId(), "status", response.status());
                    if (refused) job = job.parentSkipped(); // refused, not merely out of reach: the history is partial
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
                if (e.code() == ErrorCode.INVALID_GRANT) { // invalid_client is our app's setup, not the user's grant
                    return new BackfillResult.NeedsReauth(scrub(e.code().code() + ": " + e.detail(), ctx));
                }
                return new BackfillResult.Retry(scrub(e.code().code() + ": " + e.detail(), ctx));
            }
            JsonNode items = at(json, r.records());
            if (r.singleRecord() && items != null && items.isObject()) {
                items = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode().add(items);
            }
            String reported = items == null ? reportedError(json) : null;
            if (reported != null) {
                // an error beside HTTP 200 is not an empty page: skipping it would leave a hole in the history
                return new BackfillResult.Retry(ErrorCode.PROVIDER_ERROR.code() + ": backfill " + r.model()
                        + ": the API reported an error (" + reported + ") with HTTP " + response.status());
            }
            if (items == null && r.optionalRecords() && parentPresent(json, r.records())) {
                items = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
            }
            if (items == null || !items.isArray() || !allObjects(items)) {
                return new BackfillResult.Retry(ErrorCode.PROVIDER_ERROR.code() + ": backfill " + r.model() + ": no records " + (r.singleRecord() ? "object" : "array of objects")
                        + " at '" + r.records() + "'");
            }
            Page page = readPage(items, r, cp.parentId(), step.start(), step.end());
            records.upsert(job.tenantId(), job.provider(), r.model(), job.jobId(), page.records());
            String nextCursor = page.reachedWindowStart() || r.singleRecord() ? null
                    : nextCursor(r, json, response, cp.cursor(), items);
            if (nextCursor != null && (r.paginator().type() == Paginator.Type.link_header || r.paginator().type() == Paginator.Type.next_url)) {
                try {
                    // never checkpoint a link we will not follow; a relative one is stored resolved
                    nextCursor = BackfillRequests.sameOrigin(ctx.apiBase(), nextCursor).toString();
                } catch (ConnectorException e) {
                    return new BackfillResult.Retry(e.code().code() + ": " + e.detail());
                }
            }
            Checkpoint next = nextCursor == null ? afterUnit(job, r) : cp.nextPage(nextCursor);
            job = save(job, next, 1, page.records().size(), owner);
            if (job == null) return new BackfillResult.LeaseLost();
            dev.connectors.metrics.Metrics.backfillPages(job.provider(), 1, page.records().size()); // once checkpointed
            OptionalInt wait = quotaExhausted(ctx.spec().rateLimit(), response);
            if (wait.isPresent()) {
                // the page is stored and checkpointed: the next one waits in the queue, never in this Lambda
                return new BackfillResult.Delay(wait.getAsInt(), "rate-limit quota exhausted on " + r.model());
            }
        }
    }

    /**
     * The values of {parent.id}, {parent.<path>} and {grandparent.id} for one parent record. {parent.id} is the
     * parent's own provider id: its stored id, unless the parent itself fans out ({@code <grandparent>:<id>}).
     */
    private Map<String, String> parentValues(SyncJob job, BackfillSpec spec, BackfillSpec.Resource r, String parentStoredId) {
        BackfillSpec.Resource parentRes = null;
        for (BackfillSpec.Resource candidate : spec.resources()) {
            if (candidate.model().equals(r.parent())) {
                parentRes = candidate;
                break;
            }
        }
        Map<String, String> out = new HashMap<>();
        out.put("parent.id", parentStoredId);
        boolean nestedParent = parentRes != null && parentRes.parent() != null && !parentRes.ownId();
        java.util.Set<String> wanted = BackfillRequests.parentPlaceholders(r);
        wanted.remove("parent.id");
        if (!nestedParent && wanted.isEmpty()) return out;
        JsonNode payload = storedPayload(job, r.parent(), parentStoredId);
        if (nestedParent) {
            String own = payload == null ? null : JsonPaths.text(payload, parentRes.id());
            if (own != null && parentStoredId.endsWith(":" + own)) {
                out.put("parent.id", own);
                out.put("grandparent.id", parentStoredId.substring(0, parentStoredId.length() - own.length() - 1));
            }
        }
        for (String name : wanted) {
            if (name.startsWith("parent.") && payload != null) {
                String v = JsonPaths.text(payload, name.substring("parent.".length()));
                if (v != null) out.put(name, v);
            }
        }
        return out; // a missing value fails the request build with "no value for {...}"
    }

    private JsonNode storedPayload(SyncJob job, String model, String id) {
        return records.get(job.tenantId(), job.provider(), model, id)
                .map(item -> item.get("payload"))
                .map(v -> {
                    try {
                        return JSON.readTree(v.s());
                    } catch (java.io.IOException e) {
                        return null;
                    }
                })
                .orElse(null);
    }

    /** Seconds to wait when the answer says the quota is used up; empty when requests may go on. */
    static OptionalInt quotaExhausted(BackfillSpec.RateLimit limit, ProviderResponse response) {
        if (limit == null || limit.remainingHeader() == null) return OptionalInt.empty();
        Optional<String> remaining = response.header(limit.remainingHeader());
        if (remaining.isEmpty()) return OptionalInt.empty();
        try {
            if (new BigDecimal(remaining.get().trim()).signum() > 0) return OptionalInt.empty();
        } catch (NumberFormatException e) {
            return OptionalInt.empty();
        }
        long seconds = DEFAULT_RETRY_AFTER_SECONDS;
        Optional<String> reset = limit.resetHeader() == null ? Optional.empty() : response.header(limit.resetHeader());
        if (reset.isPresent()) {
            try {
                long value = new BigDecimal(reset.get().trim()).setScale(0, java.math.RoundingMode.CEILING).longValueExact();
                seconds = limit.resetIsEpoch() ? value - Instant.now().getEpochSecond() : value;
            } catch (NumberFormatException | ArithmeticException e) {
                seconds = DEFAULT_RETRY_AFTER_SECONDS;
            }
        }
        return OptionalInt.of((int) Math.max(1, Math.min(JobQueue.MAX_DELAY_SECONDS, seconds)));
    }

    /** Never let a token or the client secret reach a job's last error or a log line. */
    private static String scrub(String text, Context ctx) {
        if (text == null) return null;
        String out = text;
        for (String secret : ctx.bodySecrets().values()) {
            if (secret != null && secret.length() >= 6) out = out.replace(secret, "***");
        }
        try {
            String token = ctx.tokens().current();
            if (token != null && token.length() >= 6) out = out.replace(token, "***");
        } catch (RuntimeException ignored) {
            // no token to hide
        }
        return out;
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
            if (nextParent.isPresent()) return cp.at(cp.resource(), nextParent.get());
        }
        return cp.at(cp.resource() + 1, null);
    }

    /**
     * Whether the job's own delivery may hand steps from {@code from} on to parallel messages: only a job's
     * item (a step never splits further), at a parallel step with at least one more parallel step after it.
     */
    private static boolean canFanOut(SyncJob job, StepPlan plan, int from) {
        return !job.isStep() && plan.get(from).parallel() && plan.parallelEnd(from) - from >= 2;
    }

    /** One page's request with the token where the spec puts it, the entry's apiHeaders and the resource's headers. */
    private ProviderRequest request(BackfillSpec.Resource r, Context ctx, Map<String, String> values, String cursor, String token) {
        String auth = ctx.spec().auth();
        Map<String, String> bodyFields = auth.startsWith("body_field:")
                ? Map.of(auth.substring("body_field:".length()), token) : Map.of();
        ProviderRequest out = BackfillRequests.build(r, ctx.apiBase(), values, ctx.bodySecrets(), bodyFields, cursor);
        if (auth.equals("bearer")) {
            out = out.header("Authorization", "Bearer " + token);
        } else if (auth.startsWith("header:")) {
            out = out.header(auth.substring("header:".length()), token);
        }
        for (Map.Entry<String, String> h : BackfillRequests.headers(ctx.apiHeaders(), values).entrySet()) out = out.header(h.getKey(), h.getValue());
        for (Map.Entry<String, String> h : BackfillRequests.headers(r.headers(), values).entrySet()) out = out.header(h.getKey(), h.getValue());
        return out;
    }

    /** The value that makes an error answer a rate limit under the spec's {@code rateLimitErrors}, or null. */
    private static String rateLimitError(BackfillSpec spec, ProviderResponse response) {
        if (spec.rateLimitErrors() == null || response.status() < 400 || !response.isJson()) return null;
        return spec.rateLimitErrors().in(response.json());
    }

    private static boolean skippableParentError(BackfillSpec spec, ProviderResponse response) {
        if (spec.skipParentErrors().isEmpty() || !response.isJson()) return false;
        String error = JsonPaths.text(response.json(), ERROR_FIELD);
        return error != null && spec.skipParentErrors().contains(error);
    }

    private record Page(List<SyncRecord> records, boolean reachedWindowStart) {
    }

    private static Page readPage(JsonNode items, BackfillSpec.Resource r, String parentId, Instant windowStart, Instant windowEnd) {
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
            if (r.filterToWindow() && (updated == null || updated.isBefore(windowStart) || updated.isAfter(windowEnd))) {
                continue; // an API that lists everything: keep the window's records only
            }
            out.add(new SyncRecord(parentId == null || r.ownId() ? id : parentId + ":" + id, updated, item.toString()));
        }
        return new Page(out, reached);
    }

    static Instant parseTime(String value, BackfillSpec.TimeFormat format) {
        if (value == null || value.isBlank()) return null;
        try {
            return switch (format) {
                case iso -> parseIso(value.trim());
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

    private static final Pattern MS_JSON_DATE = Pattern.compile("/Date\\((-?\\d+)([+-]\\d{4})?\\)/");
    private static final java.time.format.DateTimeFormatter COMPACT_OFFSET =
            java.time.format.DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss[.SSS]xx");

    private static Instant parseIso(String value) {
        Matcher ms = MS_JSON_DATE.matcher(value);
        if (ms.matches()) return Instant.ofEpochMilli(Long.parseLong(ms.group(1))); // the offset is display-only
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            // Salesforce "2025-01-02T03:04:05.000+0000", Zoho "2025-01-02T03:04:05+0100", Plaid "2025-01-02"
            if (value.length() == 10) return java.time.LocalDate.parse(value).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
            return OffsetDateTime.parse(value, COMPACT_OFFSET).toInstant();
        }
    }

    private static String nextCursor(BackfillSpec.Resource r, JsonNode json, ProviderResponse response, String current, JsonNode items) {
        Paginator p = r.paginator();
        int count = items.size();
        if (p.type() == Paginator.Type.none) return null;
        if (p.hasMorePath() != null) {
            JsonNode more = at(json, p.hasMorePath());
            if (more == null || !more.asBoolean(false)) return null;
        }
        if (p.endPath() != null) {
            JsonNode end = at(json, p.endPath());
            if (end != null && end.asBoolean(false)) return null;
        }
        boolean shortPage = count == 0 || p.pageSize() != null && count < p.pageSize();
        return switch (p.type()) {
            case none -> null;
            case cursor, next_url -> {
                JsonNode cn = at(json, p.cursorPath());
                String c = cn != null && cn.isValueNode() ? cn.asText() : null;
                yield c == null || c.isBlank() || c.equals(current) ? null : c;
            }
            case link_header -> response.header("Link").map(BackfillRunner::nextLink).orElse(null);
            case page -> shortPage ? null : Long.toString((current == null ? 1 : Long.parseLong(current)) + 1);
            case last_id -> {
                String last = count == 0 ? null : JsonPaths.text(items.get(count - 1), r.id());
                yield last == null || last.isBlank() || last.equals(current) ? null : last;
            }
            case offset -> {
                long next = (current == null ? (p.start() == null ? 0 : p.start()) : Long.parseLong(current)) + count;
                JsonNode total = p.totalPath() == null ? null : at(json, p.totalPath());
                if (total != null && total.canConvertToLong()) { // the total, when the answer has one, decides
                    yield count == 0 || next >= total.asLong() + (p.start() == null ? 0 : p.start()) ? null : Long.toString(next);
                }
                yield shortPage ? null : Long.toString(next);
            }
        };
    }

    /** A dot path, or a top-level key that itself holds dots (Microsoft Graph's {@code @odata.nextLink}). */
    /**
     * The field through which an API reports a failure beside HTTP 200 ({@code error}, GraphQL's {@code errors},
     * QuickBooks' {@code Fault}), or {@code "not an object"} for a list answer of the wrong shape; null when none.
     */
    static String reportedError(JsonNode json) {
        if (!json.isObject()) return "not an object";
        for (String field : List.of(ERROR_FIELD, "errors", "Fault")) {
            JsonNode n = json.get(field);
            boolean empty = n == null || n.isNull() || (n.isBoolean() && !n.asBoolean())
                    || (n.isContainerNode() && n.isEmpty()) || (n.isTextual() && n.asText().isBlank());
            if (!empty) return field;
        }
        return null;
    }

    /** Records are objects; a list of strings or numbers is an answer of the wrong shape, not a page of nothing. */
    private static boolean allObjects(JsonNode items) {
        for (JsonNode item : items) if (!item.isObject()) return false;
        return true;
    }

    /** Optional records may be left out of a page, but not the object that holds them (QuickBooks' QueryResponse). */
    private static boolean parentPresent(JsonNode json, String recordsPath) {
        int dot = recordsPath.lastIndexOf('.');
        if (dot < 0) return json.isObject();
        JsonNode parent = at(json, recordsPath.substring(0, dot));
        return parent != null && parent.isObject();
    }

    static JsonNode at(JsonNode json, String path) {
        if (json != null && json.isObject() && path != null && path.contains(".") && json.has(path)) {
            JsonNode n = json.get(path);
            return n == null || n.isNull() ? null : n;
        }
        return JsonPaths.at(json, path);
    }

    static String nextLink(String linkHeader) {
        Matcher m = LINK_NEXT.matcher(linkHeader);
        return m.find() ? m.group(1) : null;
    }
}
