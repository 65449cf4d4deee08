package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.sync.SyncJob;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.ProviderFault;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every provider with a history API (its registry entry rebased onto WireMock, its {@code backfill/<id>.json}
 * fixture) × every {@link ProviderFault} on the first page: one delivery sends the page once (a reset GET twice:
 * the JDK client re-sends an idempotent request whose connection was reset before any answer), stores
 * nothing, never finishes the job, and schedules exactly one delayed retry: counted as a failed attempt with
 * the documented error code, or for a 429 a delay that costs no attempt. Production 2 MiB cap, 600 ms timeout.
 */
class BackfillFaultsTest {
    private static final Map<ProviderFault, String> EXPECTED = Map.ofEntries(
            Map.entry(ProviderFault.HTML_AS_JSON, "provider_html_error"),
            Map.entry(ProviderFault.OK_WITH_ERROR_BODY, "provider_error"),
            Map.entry(ProviderFault.SERVER_ERROR, "provider_unavailable"),
            Map.entry(ProviderFault.UNAVAILABLE_TEXT, "provider_unavailable"),
            Map.entry(ProviderFault.CONNECTION_RESET, "provider_unavailable"),
            Map.entry(ProviderFault.SLOW_BODY, "provider_unavailable"),
            Map.entry(ProviderFault.TRUNCATED_CHUNKED, "provider_unavailable"),
            Map.entry(ProviderFault.GIGANTIC, "provider_error"),
            Map.entry(ProviderFault.WRONG_TYPES, "provider_error"),
            Map.entry(ProviderFault.JSON_ARRAY, "provider_error"));

    static {
        LogCapture.install();
    }

    static Stream<Arguments> providersAndFaults() {
        return ProviderRegistry.allIds().stream()
                .filter(p -> BackfillFixture.exists(p) && BackfillFixture.of(p, "http://unused").pageCount() > 0)
                .flatMap(p -> Stream.of(ProviderFault.values()).map(f -> Arguments.of(p, f)));
    }

    @ParameterizedTest(name = "{0} history: {1}")
    @MethodSource("providersAndFaults")
    void aFailingHistoryPageIsRetriedLaterNeverSkipped(String provider, ProviderFault fault) {
        WorkerFixture f = new WorkerFixture(provider, Map.of());
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        f.h.providerSecret(provider, b.strings("config"));
        f.connect("tok-fault-" + fault.name().toLowerCase(), null, null, b.strings("metadata"));
        f.http = ProviderFault.HTTP;
        StubMapping stub = f.h.wiremock.stubFor(b.request(0).atPriority(1).willReturn(fault.response()));
        RequestLog log = RequestLog.from(f.h.wiremock);
        try {
            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            SyncJob job = f.reload();
            assertThat(job.status().finished()).as("%s %s: %s", provider, fault, job.lastError()).isFalse();
            // the page is sent once; only a reset GET is re-sent, once, by the JDK client (idempotent, no answer seen)
            String method = b.json().path("pages").path(0).path("request").path("method").asText("GET");
            int sent = fault == ProviderFault.CONNECTION_RESET && method.equals("GET") ? 2 : 1;
            assertThat(log.under("/" + provider + "/")).as("requests").hasSize(sent);
            assertThat(f.storedRecords(b.firstModel())).isZero();
            assertThat(job.checkpoint().resource()).isZero();
            assertThat(f.queueDepth("ApproximateNumberOfMessagesDelayed")).as("one retry, later").isEqualTo(1);
            if (fault == ProviderFault.RATE_LIMITED) {
                assertThat(job.attempts()).isZero();
                assertThat(job.lastError()).isNull();
            } else {
                assertThat(job.attempts()).isEqualTo(1);
                assertThat(job.lastError()).startsWith(EXPECTED.get(fault)).doesNotContain("tok-fault");
            }
        } finally {
            f.h.wiremock.removeStub(stub);
        }
    }
}
