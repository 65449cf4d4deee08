package dev.connectors.providers;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * Declarative description of a provider's history API, interpreted by the sync worker.
 * Resources run in order; a resource with a {@code parent} runs once per record of that parent model
 * (e.g. Slack channels → messages; a parent may itself fan out: teams → channels → messages).
 * Placeholders in the path, query values, resource headers, the JSON body and {@code apiHeaders}:
 * {@code {window_start}} / {@code {window_end}} (ISO-8601), {@code {window_start_epoch}},
 * {@code {window_end_epoch}}, {@code {window_start_epoch_ms}}, {@code {window_end_epoch_ms}},
 * {@code {window_start_date}}, {@code {window_end_date}}, and one day
 * wider for APIs with exclusive whole-day bounds: {@code {window_start_prev_date}}, {@code {window_end_next_date}},
 * {@code {cursor}}, {@code {offset}} (offset paginator), connection metadata and config values
 * ({@code {tenant_id}}), and for fan-out: {@code {parent.id}} (the parent's own provider id),
 * {@code {parent.<dot.path>}} (a field of the parent's stored payload, e.g. {@code {parent.calendar.id}}) and
 * {@code {grandparent.id}} (the parent's parent's id, two-level fan-out). Parent values in the path are
 * percent-encoded as one path segment; {@code {+parent.id}} (RFC 6570 reserved expansion) keeps the value's
 * slashes as segment separators (Google Chat's parent {@code spaces/AAA}), each segment still encoded, and
 * refuses empty, {@code .} and {@code ..} segments. A query parameter or body field whose value is exactly
 * {@code {cursor}} is left out while there is no cursor; a body string exactly {@code {offset}} is sent as a number.
 * {@code {client_id}} / {@code {client_secret}} (the provider secret) fill the JSON body only.
 * {@code successFlag}: a boolean every API answer carries (Slack's ok); {@code skipParentErrors}: errors that
 * skip one parent (a channel the bot is not in) instead of failing the job. {@code outcome}: set when the
 * provider has no history API. {@code auth}: where the access token goes: {@code bearer} (default,
 * {@code Authorization: Bearer}), {@code header:<Name>} (the raw token in that header), {@code body_field:<name>}
 * (a JSON body field, e.g. Plaid's access_token) or {@code none}. {@code rateLimit}: quota headers that,
 * once exhausted, delay the next page through the queue like a 429. {@code stepDays}: split the window into steps
 * of that many days for resources bounded on both sides (see {@code dev.connectors.sync.StepPlan}); the steps of a
 * big tenant run as parallel queue messages. Unset: the window is one step. {@code rateLimitErrors}: how the API
 * says "slow down" without HTTP 429 (Salesforce's 403 REQUEST_LIMIT_EXCEEDED, Google's 403 rateLimitExceeded):
 * such an answer delays the job like a 429 instead of counting an attempt.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record BackfillSpec(List<Resource> resources, String outcome, String successFlag, List<String> skipParentErrors,
                           String auth, RateLimit rateLimit, int stepDays, RateLimitErrors rateLimitErrors) {

    public BackfillSpec {
        if (stepDays < 0) throw new IllegalArgumentException("backfill stepDays must not be negative: " + stepDays);
        resources = resources == null ? List.of() : List.copyOf(resources);
        skipParentErrors = skipParentErrors == null ? List.of() : List.copyOf(skipParentErrors);
        auth = auth == null || auth.isBlank() ? "bearer" : auth;
        if (!auth.equals("bearer") && !auth.equals("none") && !auth.matches("(header|body_field):[A-Za-z0-9_.-]+")) {
            throw new IllegalArgumentException("backfill auth must be bearer, none, header:<name> or body_field:<name>: " + auth);
        }
    }

    public BackfillSpec(List<Resource> resources, String outcome, String successFlag, List<String> skipParentErrors) {
        this(resources, outcome, successFlag, skipParentErrors, null, null, 0, null);
    }

    public BackfillSpec(List<Resource> resources, String outcome, String successFlag, List<String> skipParentErrors,
                        String auth, RateLimit rateLimit) {
        this(resources, outcome, successFlag, skipParentErrors, auth, rateLimit, 0, null);
    }

    /**
     * Quota headers: when {@code remainingHeader} says 0 (or less) after a page, the next page waits
     * until {@code resetHeader} (seconds to wait, or an epoch-seconds instant when {@code resetIsEpoch}),
     * 60 s when the reset is missing. The wait goes through SQS delay, never a sleep.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record RateLimit(String remainingHeader, String resetHeader, boolean resetIsEpoch) {
    }

    /**
     * An error answer (HTTP 4xx) that names one of {@code values} in a field called {@code field}, at any depth
     * (Salesforce's {@code [{"errorCode":"REQUEST_LIMIT_EXCEEDED"}]}, Google's
     * {@code {"error":{"errors":[{"reason":"rateLimitExceeded"}]}}}), is a rate limit, whatever its status.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record RateLimitErrors(String field, List<String> values) {
        public RateLimitErrors {
            values = values == null ? List.of() : List.copyOf(values);
        }

        /** The matching value the answer names, or null when it is not a rate limit. */
        public String in(JsonNode answer) {
            if (answer == null || field == null) return null;
            for (JsonNode v : answer.findValues(field)) {
                if (v.isTextual() && values.contains(v.asText())) return v.asText();
            }
            return null;
        }
    }

    /**
     * {@code headers}: extra request headers of this resource (placeholders allowed, e.g. Xero's
     * {@code If-Modified-Since: {window_start}}). {@code singleRecord}: the answer (at {@code records})
     * is one object, not an array (a per-id detail call in a fan-out). {@code ownId}: a fan-out record is
     * stored under its own id rather than {@code <parent id>:<id>} (when ids are unique account-wide).
     * {@code optionalRecords}: a missing records field is an empty page (Gmail and QuickBooks leave it out
     * when nothing matches) rather than an unexpected answer. {@code filterToWindow}: for APIs that cannot
     * filter by time in any order (Dropbox's folder listing): only records whose updated-at lies in the window
     * (or step) are stored; the others, and records without one (folders), are skipped.
     * {@code skipParentStatuses}: HTTP statuses that, on a fan-out resource, mean "this parent may not be read
     * with the granted scopes" (Graph's 403 on channel messages without {@code ChannelMessage.Read.All}): the parent
     * is skipped and counted, and the job ends {@code partial_history} instead of failing.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Resource(
            String model,
            String parent,
            String method,
            String path,
            Map<String, String> query,
            JsonNode body,
            String records,
            String id,
            String updatedAt,
            TimeFormat updatedAtFormat,
            Paginator paginator,
            boolean stopBeforeWindow,
            int maxPages,
            Map<String, String> headers,
            boolean singleRecord,
            boolean ownId,
            boolean optionalRecords,
            boolean filterToWindow,
            List<Integer> skipParentStatuses) {

        public Resource {
            method = method == null ? "GET" : method;
            body = body == null || body.isNull() || body.isMissingNode() ? null : body; // "body": null reads as NullNode
            query = query == null ? Map.of() : Map.copyOf(query);
            headers = headers == null ? Map.of() : Map.copyOf(headers);
            paginator = paginator == null ? new Paginator(Paginator.Type.none, null, null, null) : paginator;
            updatedAtFormat = updatedAtFormat == null ? TimeFormat.iso : updatedAtFormat;
            maxPages = maxPages <= 0 ? 10_000 : maxPages;
            skipParentStatuses = skipParentStatuses == null ? List.of() : List.copyOf(skipParentStatuses);
        }

        public Resource(String model, String parent, String method, String path, Map<String, String> query, JsonNode body,
                        String records, String id, String updatedAt, TimeFormat updatedAtFormat, Paginator paginator,
                        boolean stopBeforeWindow, int maxPages) {
            this(model, parent, method, path, query, body, records, id, updatedAt, updatedAtFormat, paginator,
                    stopBeforeWindow, maxPages, null, false, false, false, false, null);
        }
    }

    /**
     * {@code cursor}: next cursor at {@code cursorPath} in the body, sent back as {@code param}
     * (query) or body field; empty or missing cursor ends. {@code hasMorePath}: optional boolean that must be
     * true to go on; {@code endPath}: optional boolean that ends paging when true (Zendesk's end_of_stream).
     * {@code link_header}: follow RFC 8288 rel="next". {@code page}: increment {@code param} (from 1) until a
     * page comes back empty, shorter than {@code pageSize}, or {@code hasMorePath} is false. {@code next_url}:
     * URL at {@code cursorPath}, absolute or relative (resolved against the API base's origin; same origin
     * only). {@code last_id}: the last record's id sent as {@code param} while {@code hasMorePath} is true
     * (Stripe's starting_after). {@code offset}: {@code {offset}} (and {@code param}, if set) starts at
     * {@code start} (default 0) and grows by the records received, until a page is shorter than
     * {@code pageSize}, empty, or {@code hasMorePath} is false; with {@code totalPath}, until the next offset reaches
     * that total (Plaid's total_transactions, Mailchimp's total_items) instead of the short-page rule.
     * {@code continuePath} / {@code continueBody}: for APIs whose later pages go to another endpoint with
     * another body (Dropbox's {@code list_folder/continue} with {@code {"cursor": "{cursor}"}}): used once there is a cursor.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Paginator(Type type, String cursorPath, String param, String hasMorePath, String endPath,
                            Integer pageSize, Integer start, String totalPath, String continuePath, JsonNode continueBody) {
        public enum Type { none, cursor, link_header, page, next_url, last_id, offset }

        public Paginator {
            continueBody = continueBody == null || continueBody.isNull() || continueBody.isMissingNode() ? null : continueBody;
        }

        public Paginator(Type type, String cursorPath, String param, String hasMorePath) {
            this(type, cursorPath, param, hasMorePath, null, null, null, null, null, null);
        }
    }

    /**
     * How a record's updated-at is written: ISO-8601 (also {@code +0000} offsets, a plain date, and
     * Microsoft's {@code /Date(ms+0000)/}), epoch seconds (Slack's "seconds.micros" ts too) or epoch millis.
     */
    public enum TimeFormat { iso, epoch_seconds, epoch_millis }
}
