package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The shared WireMock's request journal, narrowed to what one test sent: requests logged since the
 * test began (tests in this JVM run one at a time). Never resets the journal other tests may read.
 */
final class RequestLog {
    private final WireMockServer wm;
    private final Instant since;

    private RequestLog(WireMockServer wm, Instant since) {
        this.wm = wm;
        this.since = since;
    }

    static RequestLog from(WireMockServer wm) {
        return new RequestLog(wm, Instant.now().minusMillis(1));
    }

    /** Every request logged since this log was opened, oldest first. */
    List<LoggedRequest> all() {
        return wm.getAllServeEvents().stream().map(ServeEvent::getRequest)
                .filter(r -> !r.getLoggedDate().toInstant().isBefore(since))
                .sorted(Comparator.comparing(LoggedRequest::getLoggedDate))
                .toList();
    }

    /** Requests whose path starts with {@code prefix} (e.g. "/slack/"), oldest first. */
    List<LoggedRequest> under(String prefix) {
        return all().stream().filter(r -> r.getUrl().startsWith(prefix)).toList();
    }

    /** Requests that carried {@code Authorization: Bearer <token>}. */
    List<LoggedRequest> withBearer(String token) {
        return all().stream().filter(r -> ("Bearer " + token).equals(r.getHeader("Authorization"))).toList();
    }
}
