package dev.connectors.providers;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;

import java.util.List;
import java.util.Map;

/**
 * Declarative description of a provider's history API, interpreted by the sync worker.
 * Resources run in order; a resource with a {@code parent} runs once per record of that parent model
 * (e.g. Slack channels → messages). Placeholders in query values and the JSON body:
 * {@code {window_start}} / {@code {window_end}} (ISO-8601), {@code {window_start_epoch}},
 * {@code {window_end_epoch}}, {@code {window_start_date}}, {@code {window_end_date}}, and one day
 * wider for APIs with exclusive whole-day bounds: {@code {window_start_prev_date}}, {@code {window_end_next_date}},
 * {@code {cursor}}, {@code {parent.id}}. A query parameter or body field whose value is exactly
 * {@code {cursor}} is left out while there is no cursor. {@code successFlag}: a boolean every API
 * answer carries (Slack's ok); {@code skipParentErrors}: errors that skip one parent (a channel the
 * bot is not in) instead of failing the job. {@code outcome}: set when the provider has no history API.
 */
@JsonIgnoreProperties(ignoreUnknown = false)
public record BackfillSpec(List<Resource> resources, String outcome, String successFlag, List<String> skipParentErrors) {

    public BackfillSpec {
        resources = resources == null ? List.of() : List.copyOf(resources);
        skipParentErrors = skipParentErrors == null ? List.of() : List.copyOf(skipParentErrors);
    }

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
            int maxPages) {

        public Resource {
            method = method == null ? "GET" : method;
            query = query == null ? Map.of() : Map.copyOf(query);
            paginator = paginator == null ? new Paginator(Paginator.Type.none, null, null, null) : paginator;
            updatedAtFormat = updatedAtFormat == null ? TimeFormat.iso : updatedAtFormat;
            maxPages = maxPages <= 0 ? 10_000 : maxPages;
        }
    }

    /**
     * {@code cursor}: next cursor at {@code cursorPath} in the body, sent back as {@code param}
     * (query) or body field; empty or missing cursor ends. {@code hasMorePath}: optional boolean.
     * {@code link_header}: follow RFC 8288 rel="next". {@code page}: increment {@code param} until a
     * page comes back empty. {@code next_url}: absolute URL at {@code cursorPath}.
     */
    @JsonIgnoreProperties(ignoreUnknown = false)
    public record Paginator(Type type, String cursorPath, String param, String hasMorePath) {
        public enum Type { none, cursor, link_header, page, next_url }
    }

    /** How a record's updated-at is written: ISO-8601, epoch seconds, or Slack's "seconds.micros" ts. */
    public enum TimeFormat { iso, epoch_seconds, epoch_millis }
}
