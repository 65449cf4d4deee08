package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.*;

/** The generic provider's history API on WireMock: 250 records over the last 3 months in 3 cursor pages. */
final class GenericHistory {
    static final int TOTAL = 250;
    static final String PATH = "/generic/api/records";

    private GenericHistory() {
    }

    static void stub(WireMockServer wm, String token) {
        wm.stubFor(page(null, token).willReturn(okJson(body(0, 100, "c2"))));
        wm.stubFor(page("c2", token).willReturn(okJson(body(100, 100, "c3"))));
        wm.stubFor(page("c3", token).willReturn(okJson(body(200, 50, null))));
    }

    static MappingBuilder page(String cursor, String token) {
        MappingBuilder m = get(urlPathEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + token))
                .withQueryParam("updated_after", matching("\\d{4}-.*Z")).withQueryParam("updated_before", matching("\\d{4}-.*Z"));
        return cursor == null ? m.withQueryParam("cursor", absent()) : m.withQueryParam("cursor", equalTo(cursor));
    }

    static String body(int from, int count, String next) {
        Instant now = Instant.now();
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = from; i < from + count; i++) {
            if (i > from) b.append(',');
            Instant updated = now.minus(i * 85L / TOTAL, ChronoUnit.DAYS).minusSeconds(i);
            b.append("{\"id\":\"rec-").append(i).append("\",\"updated_at\":\"").append(updated).append("\",\"title\":\"Record ").append(i).append("\"}");
        }
        b.append("]");
        if (next != null) b.append(",\"next_cursor\":\"").append(next).append('"');
        return b.append("}").toString();
    }
}
