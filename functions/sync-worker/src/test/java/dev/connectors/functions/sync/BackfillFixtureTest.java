package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.connectors.providers.BackfillSpec;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.StepPlan;
import dev.connectors.sync.SyncJob;
import dev.connectors.testkit.LogCapture;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.URI;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every provider's backfill, from its registry entry (rebased onto WireMock) and its fixture in
 * {@code backfill/<id>.json}: all pages land, an empty window ends cleanly, a 429 delays, an HTML
 * page mid-way counts an attempt and stores nothing of that page, and a 401 refreshes once; where the fixture shows
 * them, a refused parent is skipped (job {@code partial_history}) and a rate limit behind a 403 delays like a 429.
 */
class BackfillFixtureTest {
    static {
        LogCapture.install();
    }

    static Stream<String> providersWithFixtures() {
        return ProviderRegistry.allIds().stream().filter(BackfillFixture::exists);
    }

    /**
     * A connected tenant whose history API is the fixture; {@code page} stubs every page but {@code replaced}.
     * A fixture answers each request shape with one body whatever its time bounds, so a stepped entry runs here
     * as one step (else every week would fetch the same pages again); steps are ParallelStepsTest's subject.
     */
    private static WorkerFixture connected(String provider, String token, String refresh, int replaced) {
        return connected(provider, token, refresh, Set.of(replaced));
    }

    private static WorkerFixture connected(String provider, String token, String refresh, Set<Integer> replaced) {
        WorkerFixture f = new WorkerFixture(provider, Map.of());
        f.specs = id -> oneStep(f.h.rebased(id));
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        f.h.providerSecret(provider, b.strings("config"));
        for (int i = 0; i < b.pageCount(); i++) {
            if (!replaced.contains(i)) f.h.wiremock.stubFor(b.request(i).willReturn(b.response(i)));
        }
        return f.connect(token, refresh, null, b.strings("metadata"));
    }

    private static Map<String, Integer> stored(WorkerFixture f, List<String> models) {
        Map<String, Integer> out = new HashMap<>();
        models.forEach(m -> out.put(m, f.storedRecords(m)));
        return out;
    }

    @ParameterizedTest
    @MethodSource("providersWithFixtures")
    void everyPageOfTheWindowLandsInTheRecordsTable(String provider) {
        WorkerFixture f = connected(provider, "tok-full", null, -1);
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        RequestLog log = RequestLog.from(f.h.wiremock);

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        assertThat(job.status()).as("%s: %s", provider, job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(job.outcome()).isEqualTo(b.outcome());
        assertThat(stored(f, b.models())).isEqualTo(b.expectedRecords());
        assertThat(log.under("/" + provider + "/")).hasSizeGreaterThanOrEqualTo(b.pageCount());
    }

    @ParameterizedTest
    @MethodSource("providersWithFixtures")
    void anEmptyWindowSucceedsWithNothingStored(String provider) {
        if (pages(provider) == 0) return; // providers without a history API have no empty page to serve
        WorkerFixture f = connected(provider, "tok-empty", null, 0);
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        StubMapping empty = f.h.wiremock.stubFor(b.request(0).willReturn(b.emptyResponse()));

        f.deliver(TestContext.plenty());

        SyncJob job = f.reload();
        assertThat(job.status()).as("%s: %s", provider, job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(f.storedRecords(b.firstModel())).isZero();
        f.h.wiremock.removeStub(empty);
    }

    @ParameterizedTest
    @MethodSource("providersWithFixtures")
    void aRateLimitOnTheLastPageDelaysTheJobInsteadOfFailingIt(String provider) {
        int last = pages(provider) - 1;
        if (last < 0) return;
        WorkerFixture f = connected(provider, "tok-429", null, last);
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        StubMapping limited = f.h.wiremock.stubFor(b.request(last).willReturn(aResponse().withStatus(429).withHeader("Retry-After", "7")
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"rate_limited\"}")));

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        // a single-page fixture is limited before any page lands: the job is still queued, not yet running
        assertThat(job.status()).isIn(last == 0 ? JobStatus.queued : JobStatus.running, JobStatus.running);
        assertThat(job.attempts()).isZero();
        assertThat(job.lastError()).isNull();
        assertThat(f.queueDepth("ApproximateNumberOfMessagesDelayed")).isEqualTo(1);
        f.h.wiremock.removeStub(limited);
    }

    @ParameterizedTest
    @MethodSource("providersWithFixtures")
    void anHtmlPageMidWayCountsAnAttemptAndStoresNothingOfThatPage(String provider) {
        int last = pages(provider) - 1;
        if (last < 0) return;
        WorkerFixture f = connected(provider, "tok-html", null, last);
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        StubMapping down = f.h.wiremock.stubFor(b.request(last).willReturn(aResponse().withStatus(502)
                .withHeader("Content-Type", "text/html").withBody("<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>")));

        f.deliver(TestContext.plenty());

        SyncJob job = f.reload();
        assertThat(job.status().finished()).isFalse();
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.lastError()).contains("provider_html_error");
        f.h.wiremock.removeStub(down);
    }

    @ParameterizedTest
    @MethodSource("providersWithFixtures")
    void aRejectedTokenIsRefreshedOnceAndTheBackfillCarriesOn(String provider) {
        BackfillFixture probed = BackfillFixture.of(provider, "http://unused");
        if (probed.pageCount() == 0 || !probed.refreshes()) return;
        WorkerFixture f = connected(provider, "tok-old", "ref-old", -1);
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        StubMapping rejected = f.h.wiremock.stubFor(withToken(b.request(0), f.h.rebased(provider), "tok-old").atPriority(1)
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_token\"}")));
        f.h.wiremock.stubFor(post(urlPathEqualTo(tokenPath(f, b))).withRequestBody(containing("ref-old"))
                .willReturn(okJson("{\"access_token\":\"tok-new\",\"token_type\":\"Bearer\",\"expires_in\":3600,\"ok\":true}")));

        f.deliver(TestContext.plenty());

        assertThat(f.reload().status()).as("%s: %s", provider, f.reload().lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(f.services().tokenStore().get(f.tenant, provider).orElseThrow().accessToken()).isEqualTo("tok-new");
        f.h.wiremock.removeStub(rejected);
    }

    static Stream<String> providersThatRefuseParents() {
        return providersWithFixtures().filter(p -> BackfillFixture.of(p, "http://unused").refusesParents());
    }

    static Stream<String> providersThatReportRateLimits() {
        return providersWithFixtures().filter(p -> BackfillFixture.of(p, "http://unused").reportsRateLimits());
    }

    /** An entry's refusal and rate-limit vocabulary is proven by its fixture: without one, the tests below would not run. */
    @ParameterizedTest
    @MethodSource("providersWithFixtures")
    void anEntryThatSkipsRefusedParentsOrReadsRateLimitErrorsShowsThemInItsFixture(String provider) {
        BackfillSpec backfill = ProviderRegistry.load(provider).backfill();
        BackfillFixture b = BackfillFixture.of(provider, "http://unused");
        boolean skips = backfill.resources().stream().anyMatch(r -> !r.skipParentStatuses().isEmpty());
        assertThat(b.refusesParents()).as("%s: skipParentStatuses needs a 'refused' example in its fixture", provider).isEqualTo(skips);
        assertThat(b.reportsRateLimits()).as("%s: rateLimitErrors needs a 'rateLimited' example in its fixture", provider)
                .isEqualTo(backfill.rateLimitErrors() != null);
    }

    @ParameterizedTest
    @MethodSource("providersThatRefuseParents")
    void parentsTheApiRefusesAreSkippedCountedAndTheJobSaysItsHistoryIsPartial(String provider) {
        BackfillFixture probed = BackfillFixture.of(provider, "http://unused");
        WorkerFixture f = connected(provider, "tok-refused", null, probed.refusedPages());
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        List<StubMapping> refused = b.refusedPages().stream()
                .map(i -> f.h.wiremock.stubFor(b.request(i).willReturn(b.refusedResponse()))).toList();

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        assertThat(job.status()).as("%s: %s", provider, job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(job.outcome()).isEqualTo("partial_history");
        assertThat(job.parentsSkipped()).isEqualTo(b.refusedPages().size());
        assertThat(job.attempts()).isZero();
        assertThat(stored(f, b.models())).isEqualTo(b.recordsWhenRefused());
        List<String> skipped = linesOf(f, "backfill_parent_skipped");
        assertThat(skipped).hasSize(b.refusedPages().size()).allSatisfy(line -> assertThat(line)
                .contains("\"provider\":\"" + provider + "\"").contains("\"model\":").contains("\"status\":")
                .doesNotContain("tok-refused"));
        refused.forEach(f.h.wiremock::removeStub);
    }

    /** A refused parent is about scopes, not the grant: a 401 there still refreshes once and then ends as needs_reauth. */
    @ParameterizedTest
    @MethodSource("providersThatRefuseParents")
    void aRejectedTokenOnAResourceThatSkipsRefusedParentsStillEndsAsNeedsReauth(String provider) {
        BackfillFixture probed = BackfillFixture.of(provider, "http://unused");
        WorkerFixture f = connected(provider, "tok-gone", "ref-gone", probed.refusedPages());
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        List<StubMapping> rejected = b.refusedPages().stream().map(i -> f.h.wiremock.stubFor(b.request(i).willReturn(
                aResponse().withStatus(401).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_token\"}")))).toList();
        StubMapping token = f.h.wiremock.stubFor(post(urlPathEqualTo(tokenPath(f, b))).withRequestBody(containing("ref-gone"))
                .willReturn(okJson("{\"access_token\":\"tok-gone-2\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));

        f.deliver(TestContext.plenty());

        SyncJob job = f.reload();
        assertThat(job.status()).as("%s: %s", provider, job.lastError()).isEqualTo(JobStatus.needs_reauth);
        assertThat(job.parentsSkipped()).isZero();
        rejected.forEach(f.h.wiremock::removeStub);
        f.h.wiremock.removeStub(token);
    }

    /** After a refresh earlier in the delivery, a refused parent is still a refused parent, not a lost grant. */
    @ParameterizedTest
    @MethodSource("providersThatRefuseParents")
    void aParentRefusedAfterARefreshIsSkippedNotTakenForALostGrant(String provider) {
        BackfillFixture probed = BackfillFixture.of(provider, "http://unused");
        WorkerFixture f = connected(provider, "tok-stale", "ref-stale", probed.refusedPages());
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        StubMapping stale = f.h.wiremock.stubFor(withToken(b.request(0), f.h.rebased(provider), "tok-stale").atPriority(1)
                .willReturn(aResponse().withStatus(401).withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_token\"}")));
        StubMapping token = f.h.wiremock.stubFor(post(urlPathEqualTo(tokenPath(f, b))).withRequestBody(containing("ref-stale"))
                .willReturn(okJson("{\"access_token\":\"tok-fresh\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        List<StubMapping> refused = b.refusedPages().stream()
                .map(i -> f.h.wiremock.stubFor(b.request(i).willReturn(b.refusedResponse()))).toList();

        f.deliver(TestContext.plenty());

        SyncJob job = f.reload();
        assertThat(job.status()).as("%s: %s", provider, job.lastError()).isEqualTo(JobStatus.succeeded);
        assertThat(job.outcome()).isEqualTo("partial_history");
        assertThat(f.services().tokenStore().get(f.tenant, provider).orElseThrow().status()).isEqualTo(ConnectionStatus.active);
        f.h.wiremock.removeStub(stale);
        f.h.wiremock.removeStub(token);
        refused.forEach(f.h.wiremock::removeStub);
    }

    @ParameterizedTest
    @MethodSource("providersThatReportRateLimits")
    void aRateLimitReportedAsAnErrorDelaysTheJobLikeA429(String provider) {
        int last = pages(provider) - 1;
        WorkerFixture f = connected(provider, "tok-limited", null, Set.of(last));
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        StubMapping limited = f.h.wiremock.stubFor(b.request(last).willReturn(b.rateLimitedResponse()));

        assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

        SyncJob job = f.reload();
        assertThat(job.status().finished()).isFalse();
        assertThat(job.attempts()).as("a rate limit costs no attempt").isZero();
        assertThat(job.lastError()).isNull();
        assertThat(f.queueDepth("ApproximateNumberOfMessagesDelayed")).isEqualTo(1);
        assertThat(linesOf(f, "sync_job_continues")).singleElement().asString().contains("\"reason\":\"rate_limited: HTTP ");
        f.h.wiremock.removeStub(limited);
    }

    /** The same answer without the rate-limit reason is a refusal like any other: it counts an attempt. */
    @ParameterizedTest
    @MethodSource("providersThatReportRateLimits")
    void aForbiddenAnswerWithoutTheRateLimitReasonCountsAnAttempt(String provider) throws Exception {
        int last = pages(provider) - 1;
        WorkerFixture f = connected(provider, "tok-forbidden", null, Set.of(last));
        BackfillFixture b = BackfillFixture.of(provider, f.h.wiremock.baseUrl());
        String reason = ProviderRegistry.load(provider).backfill().rateLimitErrors().in(b.json().path("rateLimited").path("body"));
        assertThat(reason).as("%s: the fixture's rateLimited answer names one of the entry's rateLimitErrors", provider).isNotNull();
        StubMapping forbidden = f.h.wiremock.stubFor(b.request(last).willReturn(b.forbiddenLike(reason)));

        f.deliver(TestContext.plenty());

        SyncJob job = f.reload();
        assertThat(job.status().finished()).isFalse();
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.lastError()).startsWith("provider_error");
        f.h.wiremock.removeStub(forbidden);
    }

    /** This connection's log lines of one event (tests share the capture). */
    private static List<String> linesOf(WorkerFixture f, String event) {
        return LogCapture.lines().stream()
                .filter(l -> l.contains("\"event\":\"" + event + "\"") && l.contains("\"tenant\":\"" + f.tenant + "\"")).toList();
    }

    /** Every entry that splits its window into steps has resources bounded on both sides to split. */
    @ParameterizedTest
    @MethodSource("providersWithFixtures")
    void aSteppedEntryStepsAtLeastOneResourceThroughTheWholeWindow(String provider) {
        BackfillSpec backfill = ProviderRegistry.load(provider).backfill();
        if (backfill == null || backfill.stepDays() == 0) return;
        java.time.Instant end = java.time.Instant.now();
        java.time.Instant start = end.minus(90, java.time.temporal.ChronoUnit.DAYS);
        StepPlan plan = StepPlan.of(backfill, start, end);
        List<StepPlan.Step> weekly = java.util.stream.IntStream.range(0, plan.size()).mapToObj(plan::get).filter(StepPlan.Step::parallel).toList();
        assertThat(weekly).as("%s: stepDays without a resource bounded on both sides", provider).hasSizeGreaterThan(1);
        assertThat(weekly.get(0).start()).isEqualTo(start);
        assertThat(weekly.get(weekly.size() - 1).end()).isEqualTo(end);
        for (int i = 1; i < weekly.size(); i++) assertThat(weekly.get(i).start()).isEqualTo(weekly.get(i - 1).end()); // no gap, no overlap
    }

    /** The entry with its window as one step. */
    private static ProviderSpec oneStep(ProviderSpec spec) {
        if (spec.backfill() == null || spec.backfill().stepDays() == 0) return spec;
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        try {
            com.fasterxml.jackson.databind.node.ObjectNode entry = json.valueToTree(spec);
            ((com.fasterxml.jackson.databind.node.ObjectNode) entry.get("backfill")).put("stepDays", 0);
            return json.treeToValue(entry, ProviderSpec.class);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Matches requests carrying {@code token} where the entry's backfill puts it (bearer, a named header, a body field). */
    private static com.github.tomakehurst.wiremock.client.MappingBuilder withToken(com.github.tomakehurst.wiremock.client.MappingBuilder m,
                                                                                  ProviderSpec spec, String token) {
        String auth = spec.backfill().auth();
        if (auth.startsWith("header:")) return m.withHeader(auth.substring("header:".length()), equalTo(token));
        if (auth.startsWith("body_field:")) return m.withRequestBody(containing("\"" + auth.substring("body_field:".length()) + "\":\"" + token + "\""));
        return m.withHeader("Authorization", equalTo("Bearer " + token));
    }

    private static int pages(String provider) {
        return BackfillFixture.of(provider, "http://unused").pageCount();
    }

    /** Where the rebased entry's token endpoint lands, placeholders filled like the worker fills them. */
    private static String tokenPath(WorkerFixture f, BackfillFixture b) {
        ProviderSpec spec = f.h.rebased(b.provider());
        Map<String, String> values = f.services().providerConfig(b.provider()).withValues(b.strings("metadata")).withDefaults(spec).values();
        return URI.create(Placeholders.fill(spec.tokenUrl(), values)).getPath();
    }

}
