package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.*;

/**
 * The generic provider's history API on WireMock as {@link #PAGES} cursor pages ({@code p1}, {@code p2}, ...)
 * of {@link #PER_PAGE} records. The bodies depend only on a fixed anchor, so two runs (an uninterrupted one
 * and one with crashes or duplicates) must store exactly the same records, payloads included.
 */
final class PagedHistory {
    static final int PAGES = 5;
    static final int PER_PAGE = 20;
    static final int TOTAL = PAGES * PER_PAGE;
    static final String PATH = "/generic/api/records";
    private static final Instant ANCHOR = Instant.now().truncatedTo(ChronoUnit.SECONDS);

    private PagedHistory() {
    }

    static void stub(WireMockServer wm, String token) {
        for (int page = 0; page < PAGES; page++) {
            wm.stubFor(page(page, token).willReturn(okJson(body(page))));
        }
    }

    /** The request of page {@code page} (0-based): no cursor on the first, {@code p<page>} after. */
    static MappingBuilder page(int page, String token) {
        MappingBuilder m = get(urlPathEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + token));
        return page == 0 ? m.withQueryParam("cursor", absent()) : m.withQueryParam("cursor", equalTo("p" + page));
    }

    static com.github.tomakehurst.wiremock.matching.RequestPatternBuilder requested(int page, String token) {
        var m = getRequestedFor(urlPathEqualTo(PATH)).withHeader("Authorization", equalTo("Bearer " + token));
        return page == 0 ? m.withQueryParam("cursor", absent()) : m.withQueryParam("cursor", equalTo("p" + page));
    }

    static String body(int page) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = page * PER_PAGE; i < (page + 1) * PER_PAGE; i++) {
            if (i > page * PER_PAGE) b.append(',');
            Instant updated = ANCHOR.minus(i * 80L / TOTAL, ChronoUnit.DAYS).minusSeconds(i);
            b.append("{\"id\":\"rec-").append(i).append("\",\"updated_at\":\"").append(updated)
                    .append("\",\"title\":\"Record ").append(i).append("\",\"page\":").append(page).append('}');
        }
        b.append(']');
        if (page + 1 < PAGES) b.append(",\"next_cursor\":\"p").append(page + 1).append('"');
        return b.append('}').toString();
    }
}
