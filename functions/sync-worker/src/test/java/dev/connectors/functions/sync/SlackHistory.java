package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;

import java.time.Instant;
import java.util.List;
import java.util.stream.Collectors;

import static com.github.tomakehurst.wiremock.client.WireMock.*;

/**
 * Slack's Web API on WireMock, in its documented shapes: conversations.list ({@code channels},
 * {@code response_metadata.next_cursor}) and conversations.history ({@code messages} with
 * {@code ts} "seconds.micros", {@code has_more}, cursor paging, {@code oldest}/{@code latest} window).
 * Errors are HTTP 200 with {@code {"ok":false,"error":...}}.
 */
final class SlackHistory {
    static final String PREFIX = "/slack/";
    static final String LIST = "/slack/api/conversations.list";
    static final String HISTORY = "/slack/api/conversations.history";

    private SlackHistory() {
    }

    static MappingBuilder list(String token, String cursor) {
        MappingBuilder m = get(urlPathEqualTo(LIST)).withHeader("Authorization", equalTo("Bearer " + token))
                .withQueryParam("types", equalTo("public_channel,private_channel"));
        return cursor == null ? m.withQueryParam("cursor", absent()) : m.withQueryParam("cursor", equalTo(cursor));
    }

    static MappingBuilder history(String token, String channel, String cursor) {
        MappingBuilder m = get(urlPathEqualTo(HISTORY)).withHeader("Authorization", equalTo("Bearer " + token))
                .withQueryParam("channel", equalTo(channel))
                .withQueryParam("oldest", matching("\\d{10}")).withQueryParam("latest", matching("\\d{10}"));
        return cursor == null ? m.withQueryParam("cursor", absent()) : m.withQueryParam("cursor", equalTo(cursor));
    }

    /** A conversations.list page; {@code next} null or "" on the last page, as Slack sends it. */
    static ResponseDefinitionBuilder channels(String next, String... ids) {
        String channels = List.of(ids).stream().map(id -> "{\"id\":\"" + id + "\",\"name\":\"" + id.toLowerCase()
                + "\",\"is_channel\":true,\"is_private\":false,\"is_archived\":false,\"is_member\":true,\"created\":1449252889}")
                .collect(Collectors.joining(","));
        return okJson("{\"ok\":true,\"channels\":[" + channels + "]," + metadata(next) + "}");
    }

    /** A conversations.history page with messages at the given times. */
    static ResponseDefinitionBuilder messages(String next, Instant... times) {
        String messages = List.of(times).stream().map(t -> "{\"type\":\"message\",\"user\":\"U0TESTUSER\",\"text\":\"hello at "
                + ts(t) + "\",\"ts\":\"" + ts(t) + "\"}").collect(Collectors.joining(","));
        boolean more = next != null && !next.isEmpty();
        return okJson("{\"ok\":true,\"messages\":[" + messages + "],\"has_more\":" + more + ",\"pin_count\":0,"
                + metadata(next) + "}");
    }

    static ResponseDefinitionBuilder error(String error) {
        return okJson("{\"ok\":false,\"error\":\"" + error + "\"}");
    }

    /** Slack's message timestamp: epoch seconds and a six-digit fraction, also the message id. */
    static String ts(Instant t) {
        return t.getEpochSecond() + "." + String.format("%06d", t.getNano() / 1000);
    }

    private static String metadata(String next) {
        return "\"response_metadata\":{\"next_cursor\":\"" + (next == null ? "" : next) + "\"}";
    }
}
