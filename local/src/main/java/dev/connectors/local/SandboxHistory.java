package dev.connectors.local;

import com.github.tomakehurst.wiremock.WireMockServer;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

import static com.github.tomakehurst.wiremock.client.WireMock.*;

/** The sandbox provider's history API: {@code GET /api/records}, three months of generated records in cursor pages. */
final class SandboxHistory {
    static final int RECORDS = 540;
    static final int PAGE = 100;

    private SandboxHistory() {
    }

    static void serve(WireMockServer server) {
        Instant now = Instant.now();
        for (int from = 0, page = 0; from < RECORDS; from += PAGE, page++) {
            String next = from + PAGE < RECORDS ? "p" + (page + 1) : null;
            var request = get(urlPathEqualTo("/api/records")).withHeader("Authorization", matching("Bearer .+"));
            request = page == 0 ? request.withQueryParam("cursor", absent()) : request.withQueryParam("cursor", equalTo("p" + page));
            server.stubFor(request.willReturn(okJson(page(now, from, Math.min(PAGE, RECORDS - from), next))));
        }
        server.stubFor(get(urlPathEqualTo("/api/records")).withHeader("Authorization", absent())
                .atPriority(1).willReturn(aResponse().withStatus(401).withBody("{\"error\":\"invalid_token\"}")));
    }

    private static String page(Instant now, int from, int count, String next) {
        StringBuilder b = new StringBuilder("{\"records\":[");
        for (int i = from; i < from + count; i++) {
            if (i > from) b.append(',');
            Instant updated = now.minus(i * 89L / RECORDS, ChronoUnit.DAYS);
            b.append("{\"id\":\"sbx-").append(i).append("\",\"updated_at\":\"").append(updated)
                    .append("\",\"subject\":\"Sandbox record ").append(i).append("\"}");
        }
        b.append(']');
        if (next != null) b.append(",\"next_cursor\":\"").append(next).append('"');
        return b.append('}').toString();
    }
}
