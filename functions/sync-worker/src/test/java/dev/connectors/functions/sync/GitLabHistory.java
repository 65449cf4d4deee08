package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;

/**
 * GitLab's GET /events on WireMock: a JSON array of events, offset pages linked by the RFC 8288
 * {@code Link} header (absolute URLs, rel prev/next/first/last) plus the X-Page family of headers.
 */
final class GitLabHistory {
    static final String PREFIX = "/gitlab/";
    static final String PATH = "/gitlab/api/v4/events";
    static final int PER_PAGE = 100;

    private GitLabHistory() {
    }

    /** Page 1 carries the query the worker builds; later pages are whatever the Link header said. */
    static MappingBuilder page(String token, Integer page) {
        MappingBuilder m = get(urlPathEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + token))
                .withQueryParam("after", matching("\\d{4}-\\d{2}-\\d{2}"))
                .withQueryParam("before", matching("\\d{4}-\\d{2}-\\d{2}"))
                .withQueryParam("per_page", equalTo(Integer.toString(PER_PAGE))).withQueryParam("sort", equalTo("desc"));
        return page == null ? m.withQueryParam("page", absent()) : m.withQueryParam("page", equalTo(page.toString()));
    }

    /**
     * Page {@code page} of {@code lastPage}: events {@code from..from+count-1}, newest first, and a
     * Link header whose rel="next" is {@code next} (null on the last page).
     */
    static ResponseDefinitionBuilder events(int from, int count, int page, int lastPage, String pageUrl, String next) {
        Instant now = Instant.now();
        String body = IntStream.range(from, from + count).mapToObj(i -> event(i, now.minus(i * 8L, ChronoUnit.HOURS)))
                .collect(Collectors.joining(",", "[", "]"));
        List<String> links = new ArrayList<>();
        if (page > 1) links.add("<" + pageUrl + (page - 1) + ">; rel=\"prev\"");
        if (next != null) links.add("<" + next + ">; rel=\"next\"");
        links.add("<" + pageUrl + "1>; rel=\"first\"");
        links.add("<" + pageUrl + lastPage + ">; rel=\"last\"");
        ResponseDefinitionBuilder r = okJson(body).withHeader("Link", String.join(", ", links))
                .withHeader("X-Page", Integer.toString(page)).withHeader("X-Per-Page", Integer.toString(PER_PAGE))
                .withHeader("X-Total-Pages", Integer.toString(lastPage));
        return next == null ? r : r.withHeader("X-Next-Page", Integer.toString(page + 1));
    }

    /** The absolute URL GitLab would put in a Link header, minus the page number at the end. */
    static String pageUrl(String origin, String path) {
        return origin + path + "?after=2000-01-01&before=2100-01-01&per_page=" + PER_PAGE + "&sort=desc&page=";
    }

    static long eventId(int i) {
        return 90_000 + i;
    }

    private static String event(int i, Instant created) {
        return "{\"id\":" + eventId(i) + ",\"project_id\":15,\"action_name\":\"opened\",\"target_id\":" + (800 + i)
                + ",\"target_iid\":" + (1 + i) + ",\"target_type\":\"Issue\",\"author_id\":25,\"target_title\":\"Issue " + i
                + "\",\"created_at\":\"" + created + "\",\"author\":{\"id\":25,\"username\":\"user3\",\"name\":\"User 3\","
                + "\"state\":\"active\"},\"author_username\":\"user3\"}";
    }
}
