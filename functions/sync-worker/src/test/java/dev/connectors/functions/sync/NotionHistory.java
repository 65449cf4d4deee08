package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;

/**
 * Notion's POST /v1/search on WireMock: {@code {"object":"list","results":[page...],"next_cursor",
 * "has_more","type":"page_or_database"}}. Search cannot filter by time, so the worker sorts by
 * last_edited_time descending and must stop at the window start.
 */
final class NotionHistory {
    static final String PREFIX = "/notion/";
    static final String PATH = "/notion/v1/search";
    static final String VERSION = "2022-06-28";

    private NotionHistory() {
    }

    /** Matches only the exact body the worker must send: start_cursor absent on the first page. */
    static MappingBuilder search(String token, String startCursor) {
        return post(urlEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + token))
                .withHeader("Notion-Version", equalTo(VERSION))
                .withHeader("Content-Type", containing("application/json"))
                .withRequestBody(equalToJson(body(startCursor)));
    }

    static String body(String startCursor) {
        return "{\"filter\":{\"property\":\"object\",\"value\":\"page\"},"
                + "\"sort\":{\"timestamp\":\"last_edited_time\",\"direction\":\"descending\"},\"page_size\":100"
                + (startCursor == null ? "" : ",\"start_cursor\":\"" + startCursor + "\"") + "}";
    }

    /** A search result page; {@code nextCursor} null means the last page (has_more false). */
    static ResponseDefinitionBuilder results(String nextCursor, List<Instant> lastEdited, int firstIndex) {
        StringBuilder pages = new StringBuilder();
        for (int i = 0; i < lastEdited.size(); i++) {
            if (i > 0) pages.append(',');
            pages.append(page(firstIndex + i, lastEdited.get(i)));
        }
        return okJson("{\"object\":\"list\",\"results\":[" + pages + "],\"next_cursor\":"
                + (nextCursor == null ? "null" : "\"" + nextCursor + "\"") + ",\"has_more\":" + (nextCursor != null)
                + ",\"type\":\"page_or_database\",\"page_or_database\":{}}");
    }

    static String pageId(int i) {
        return String.format("%08x-1f3c-4b6e-9a1d-%012x", 0x59833787 + i, 0x2e5b0c0d4c1aL + i);
    }

    static List<String> pageIds(int from, int count) {
        return IntStream.range(from, from + count).mapToObj(NotionHistory::pageId).collect(Collectors.toList());
    }

    /** A page object; Notion reports last_edited_time to the minute. */
    private static String page(int i, Instant lastEdited) {
        String id = pageId(i);
        return "{\"object\":\"page\",\"id\":\"" + id + "\",\"created_time\":\"2023-03-01T19:05:00.000Z\","
                + "\"last_edited_time\":\"" + lastEdited.truncatedTo(ChronoUnit.MINUTES) + "\",\"created_by\":{\"object\":\"user\",\"id\":\"ee5f0f84-409a-440f-983a-a5315961c6e4\"},"
                + "\"last_edited_by\":{\"object\":\"user\",\"id\":\"ee5f0f84-409a-440f-983a-a5315961c6e4\"},"
                + "\"cover\":null,\"icon\":null,\"parent\":{\"type\":\"workspace\",\"workspace\":true},\"archived\":false,"
                + "\"in_trash\":false,\"properties\":{\"title\":{\"id\":\"title\",\"type\":\"title\",\"title\":[{\"type\":\"text\","
                + "\"text\":{\"content\":\"Page " + i + "\",\"link\":null},\"plain_text\":\"Page " + i + "\"}]}},"
                + "\"url\":\"https://www.notion.so/Page-" + id.replace("-", "") + "\",\"public_url\":null}";
    }
}
