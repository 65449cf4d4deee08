package dev.connectors.functions.sync;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.sync.JobStatus;
import dev.connectors.sync.SyncJob;
import dev.connectors.testing.StandIns;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The worker's 3-month backfill of each real provider's primary resource, run from the provider's
 * registry entry (rebased onto WireMock) against fixtures in the provider's documented shapes.
 */
class ProviderBackfillTest {
    private static final Instant NOW = Instant.now();

    private static Instant ago(Duration d) {
        return NOW.minus(d);
    }

    private static Duration days(long n) {
        return Duration.ofDays(n);
    }

    private static Duration hours(long n) {
        return Duration.ofHours(n);
    }

    /** The record ids stored for one model of the fixture's connection, in key order. */
    private static List<String> storedIds(WorkerFixture f, String model) {
        List<String> ids = new ArrayList<>();
        StandIns.dynamo().queryPaginator(r -> r.tableName(f.h.resources.tableName("RecordsTable"))
                        .keyConditionExpression("pk = :pk").projectionExpression("record_id")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(f.tenant + "#" + f.provider + "#" + model))))
                .items().forEach(item -> ids.add(item.get("record_id").s()));
        return ids;
    }

    /** The window is the last three calendar months: 89 to 92 days, ending now. */
    private static void assertThreeMonthWindow(SyncJob job) {
        assertThat(Duration.between(job.windowStart(), Instant.now()).toDays()).isBetween(89L, 92L);
        assertThat(Duration.between(job.windowEnd(), Instant.now()).abs()).isLessThan(Duration.ofMinutes(1));
    }

    /** A 5xx HTML page from the history API: nothing stored for it, one attempt counted, retry scheduled. */
    private static void assertHtmlPageCountedOneAttempt(WorkerFixture f, String model) {
        SyncJob job = f.reload();
        assertThat(job.status()).isIn(JobStatus.running, JobStatus.queued);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.lastError()).contains("provider_html_error");
        assertThat(f.storedRecords(model)).isZero();
        assertThat(f.queueDepth("ApproximateNumberOfMessagesDelayed")).isEqualTo(1); // the retry, with backoff
    }

    private static ResponseDefinitionBuilder htmlPage(int status, String title) {
        return aResponse().withStatus(status).withHeader("Content-Type", "text/html; charset=utf-8")
                .withBody("<!DOCTYPE html><html><head><title>" + title + "</title></head><body><h1>" + title
                        + "</h1><p>Please try again later.</p></body></html>");
    }

    private static void assertAllCarryBearer(List<LoggedRequest> requests, String token) {
        assertThat(requests).isNotEmpty()
                .allSatisfy(r -> assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + token));
    }

    @Nested
    class Slack {
        static final String GENERAL = "C01GENERAL";
        static final String NOT_JOINED = "C02NOTJOINED";
        static final String DESIGN = "C03DESIGN";
        static final String LIST_PAGE_2 = "dGVhbTpDMDNERVNJR04=";
        static final String HISTORY_PAGE_2 = "bmV4dF90czoxNzEyMDAwMDAw";

        private WorkerFixture connected(String token) {
            return new WorkerFixture("slack", Map.of()).connect(token, null, null, Map.of("team_id", "T0TESTTEAM"));
        }

        /** Three channels over two conversations.list pages. */
        private void stubChannels(WireMockServer wm, String token) {
            wm.stubFor(SlackHistory.list(token, null).willReturn(SlackHistory.channels(LIST_PAGE_2, GENERAL, NOT_JOINED)));
            wm.stubFor(SlackHistory.list(token, LIST_PAGE_2).willReturn(SlackHistory.channels("", DESIGN)));
        }

        @Test
        void backfillsTheMessagesOfEveryChannelItCanReadOverTheLastThreeMonths() {
            String token = "slack-test-access-history";
            WorkerFixture f = connected(token);
            WireMockServer wm = f.h.wiremock;
            stubChannels(wm, token);
            List<Instant> generalFirst = List.of(ago(hours(1)), ago(days(5)), ago(days(20)));
            List<Instant> generalSecond = List.of(ago(days(40)), ago(days(85)));
            List<Instant> design = List.of(ago(hours(2)), ago(days(60)));
            wm.stubFor(SlackHistory.history(token, GENERAL, null)
                    .willReturn(SlackHistory.messages(HISTORY_PAGE_2, generalFirst.toArray(Instant[]::new))));
            wm.stubFor(SlackHistory.history(token, GENERAL, HISTORY_PAGE_2)
                    .willReturn(SlackHistory.messages(null, generalSecond.toArray(Instant[]::new))));
            wm.stubFor(SlackHistory.history(token, NOT_JOINED, null).willReturn(SlackHistory.error("not_in_channel")));
            wm.stubFor(SlackHistory.history(token, DESIGN, null).willReturn(SlackHistory.messages("", design.toArray(Instant[]::new))));
            RequestLog log = RequestLog.from(wm);

            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            SyncJob job = f.reload();
            assertThat(job.status()).isEqualTo(JobStatus.succeeded);
            assertThat(job.attempts()).isZero();
            assertThat(job.pages()).isEqualTo(6); // 2 list + 2 general + 1 skipped + 1 design
            assertThat(job.records()).isEqualTo(3 + 7);
            assertThat(storedIds(f, "channels")).containsExactly(GENERAL, NOT_JOINED, DESIGN);
            List<String> expected = new ArrayList<>();
            Stream.concat(generalFirst.stream(), generalSecond.stream()).forEach(t -> expected.add(GENERAL + ":" + SlackHistory.ts(t)));
            design.forEach(t -> expected.add(DESIGN + ":" + SlackHistory.ts(t)));
            assertThat(storedIds(f, "messages")).containsExactlyInAnyOrderElementsOf(expected);
            var stored = f.services().recordStore().get(f.tenant, "slack", "messages", expected.get(0)).orElseThrow();
            assertThat(stored.get("payload").s()).contains("\"type\":\"message\"");
            assertThat(stored.get("updated_at").n()).isEqualTo(Long.toString(generalFirst.get(0).getEpochSecond())); // from ts

            // the window sent to conversations.history: oldest = 3 months ago, latest = now, as epoch seconds
            assertThreeMonthWindow(job);
            List<LoggedRequest> history = log.under(SlackHistory.HISTORY);
            assertThat(history).hasSize(4);
            assertThat(history).allSatisfy(r -> {
                assertThat(r.queryParameter("oldest").firstValue()).isEqualTo(Long.toString(job.windowStart().getEpochSecond()));
                assertThat(r.queryParameter("latest").firstValue()).isEqualTo(Long.toString(job.windowEnd().getEpochSecond()));
            });
            long oldest = Long.parseLong(history.get(0).queryParameter("oldest").firstValue());
            assertThat(Duration.between(Instant.ofEpochSecond(oldest), Instant.now()).toDays()).isBetween(89L, 92L);
            assertThat(history).extracting(r -> r.queryParameter("channel").firstValue())
                    .containsExactly(GENERAL, GENERAL, NOT_JOINED, DESIGN);

            List<LoggedRequest> all = log.under(SlackHistory.PREFIX);
            assertThat(all).hasSize(6);
            assertAllCarryBearer(all, token);
        }

        /** Slack answers a dead grant with HTTP 200 {"ok":false}: it must end needs_reauth, never look like success. */
        @ParameterizedTest
        @ValueSource(strings = {"invalid_auth", "token_revoked", "account_inactive"})
        void aGrantSlackNoLongerAcceptsEndsTheJobAsNeedsReauth(String error) {
            String token = "slack-test-access-" + error;
            WorkerFixture f = connected(token);
            f.h.wiremock.stubFor(SlackHistory.list(token, null).willReturn(SlackHistory.error(error)));
            RequestLog log = RequestLog.from(f.h.wiremock);

            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            SyncJob job = f.reload();
            assertThat(job.status()).isEqualTo(JobStatus.needs_reauth);
            assertThat(job.records()).isZero();
            assertThat(f.storedRecords("channels")).isZero();
            assertThat(f.services().tokenStore().get(f.tenant, "slack").orElseThrow().status()).isEqualTo(ConnectionStatus.needs_reauth);
            assertThat(f.queueDepth("ApproximateNumberOfMessagesDelayed")).isZero(); // no pointless retries
            assertThat(log.under(SlackHistory.PREFIX)).hasSize(1);
        }

        @Test
        void anHtmlErrorPageFromConversationsHistoryStoresNoMessagesAndCountsOneAttempt() {
            String token = "slack-test-access-html";
            WorkerFixture f = connected(token);
            stubChannels(f.h.wiremock, token);
            f.h.wiremock.stubFor(SlackHistory.history(token, GENERAL, null).willReturn(htmlPage(503, "Slack is down for maintenance")));

            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            assertHtmlPageCountedOneAttempt(f, "messages");
            assertThat(f.storedRecords("channels")).isEqualTo(3);
            assertThat(f.reload().checkpoint().resource()).isEqualTo(1); // channels done: resumes at the messages
        }
    }

    @Nested
    class GitLab {
        private WorkerFixture connected(String token) {
            return new WorkerFixture("gitlab", Map.of()).connect(token, "gitlab-test-refresh", NOW.plus(hours(2)),
                    Map.of("gitlab_user_id", "25", "username", "user3"));
        }

        /** GitLab's after/before are exclusive whole days (created_at > after.end_of_day, < before.beginning_of_day). */
        private String expectedAfter(SyncJob job) {
            return job.windowStart().atZone(ZoneOffset.UTC).toLocalDate().minusDays(1).toString();
        }

        private String expectedBefore(SyncJob job) {
            return job.windowEnd().atZone(ZoneOffset.UTC).toLocalDate().plusDays(1).toString();
        }

        private String pageUrl(WorkerFixture f, String origin, String path) {
            return origin + path + "?after=" + expectedAfter(f.job) + "&before=" + expectedBefore(f.job)
                    + "&per_page=" + GitLabHistory.PER_PAGE + "&sort=desc&page=";
        }

        @Test
        void backfillsEveryEventPageByFollowingTheLinkHeader() {
            String token = "gitlab-test-access-pages";
            WorkerFixture f = connected(token);
            WireMockServer wm = f.h.wiremock;
            String pages = pageUrl(f, wm.baseUrl(), GitLabHistory.PATH);
            wm.stubFor(GitLabHistory.page(token, null).willReturn(GitLabHistory.events(0, 100, 1, 3, pages, pages + 2)));
            wm.stubFor(GitLabHistory.page(token, 2).willReturn(GitLabHistory.events(100, 100, 2, 3, pages, pages + 3)));
            wm.stubFor(GitLabHistory.page(token, 3).willReturn(GitLabHistory.events(200, 20, 3, 3, pages, null)));
            RequestLog log = RequestLog.from(wm);

            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            SyncJob job = f.reload();
            assertThat(job.status()).isEqualTo(JobStatus.succeeded);
            assertThat(job.pages()).isEqualTo(3);
            assertThat(job.records()).isEqualTo(220);
            assertThat(storedIds(f, "events")).containsExactlyInAnyOrderElementsOf(
                    IntStream.range(0, 220).mapToObj(i -> Long.toString(GitLabHistory.eventId(i))).toList());
            assertThat(f.services().recordStore().get(f.tenant, "gitlab", "events", "90219").orElseThrow().get("payload").s())
                    .contains("\"target_title\":\"Issue 219\"");

            assertThreeMonthWindow(job);
            List<LoggedRequest> requests = log.under(GitLabHistory.PREFIX);
            assertThat(requests).hasSize(3);
            assertAllCarryBearer(requests, token);
            LoggedRequest first = requests.get(0);
            assertThat(first.queryParameter("after").firstValue()).isEqualTo(expectedAfter(job));
            assertThat(first.queryParameter("before").firstValue()).isEqualTo(expectedBefore(job));
            assertThat(requests).extracting(r -> r.queryParameter("page").isPresent() ? r.queryParameter("page").firstValue() : "-")
                    .containsExactly("-", "2", "3");
        }

        /** A next link to another origin is never followed with the token: the job fails loudly instead. */
        @ParameterizedTest
        @ValueSource(strings = {"https://evil.example", "http://{other-host}:{port}", "https://{host}:{port}"})
        void aLinkHeaderPointingElsewhereIsNeverFollowedWithTheToken(String originTemplate) {
            String token = "gitlab-test-access-elsewhere";
            WorkerFixture f = connected(token);
            WireMockServer wm = f.h.wiremock;
            URI base = URI.create(wm.baseUrl());
            String origin = originTemplate.replace("{host}", base.getHost()).replace("{port}", Integer.toString(base.getPort()))
                    .replace("{other-host}", base.getHost().equals("localhost") ? "127.0.0.1" : "localhost");
            String elsewhere = pageUrl(f, origin, "/elsewhere/api/v4/events");
            wm.stubFor(GitLabHistory.page(token, null)
                    .willReturn(GitLabHistory.events(0, 100, 1, 2, pageUrl(f, wm.baseUrl(), GitLabHistory.PATH), elsewhere + 2)));
            // were the link followed to this very WireMock under another name, this would "finish" the job
            wm.stubFor(get(urlPathEqualTo("/elsewhere/api/v4/events")).willReturn(okJson("[]")));
            RequestLog log = RequestLog.from(wm);

            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            SyncJob job = f.reload();
            assertThat(job.status()).isNotEqualTo(JobStatus.succeeded).isIn(JobStatus.running, JobStatus.queued);
            assertThat(job.attempts()).isEqualTo(1);
            assertThat(job.lastError()).contains("outside the provider's API");
            assertThat(f.storedRecords("events")).isEqualTo(100); // page 1 came from GitLab itself
            assertThat(log.under("/elsewhere/")).isEmpty();
            assertThat(log.withBearer(token)).hasSize(1)
                    .allSatisfy(r -> assertThat(r.getUrl()).startsWith(GitLabHistory.PATH));
        }

        @Test
        void anHtmlErrorPageFromEventsStoresNothingAndCountsOneAttempt() {
            String token = "gitlab-test-access-html";
            WorkerFixture f = connected(token);
            f.h.wiremock.stubFor(GitLabHistory.page(token, null).willReturn(htmlPage(502, "502 Bad Gateway - GitLab")));

            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            assertHtmlPageCountedOneAttempt(f, "events");
        }
    }

    @Nested
    class Notion {
        static final String SECOND_PAGE = "e6c6f5ff-c70e-4970-9c4b-9e5ad5ef5d1a";
        static final String THIRD_PAGE = "7b1e4f3a-0c2d-4e5f-8a9b-1c2d3e4f5a6b";

        private WorkerFixture connected(String token) {
            return new WorkerFixture("notion", Map.of()).connect(token, null, null,
                    Map.of("workspace_id", "ws-test", "bot_id", "bot-test"));
        }

        private List<Instant> spaced(Instant newest, Duration step, int count) {
            return IntStream.range(0, count).mapToObj(i -> newest.minus(step.multipliedBy(i))).toList();
        }

        @Test
        void searchesNewestFirstAndStopsAtTheFirstPageOlderThanTheWindow() {
            String token = "notion-test-access-search";
            WorkerFixture f = connected(token);
            WireMockServer wm = f.h.wiremock;
            List<Instant> first = spaced(ago(Duration.ofMinutes(30)), hours(20), 100);    // now .. ~82.5 days ago
            List<Instant> secondInWindow = spaced(ago(days(83)), hours(2), 40);            // ~83 .. ~86 days ago
            List<Instant> secondTooOld = spaced(ago(days(93)), days(1), 60);               // 93 .. 152 days ago
            List<Instant> second = new ArrayList<>(secondInWindow);
            second.addAll(secondTooOld);
            wm.stubFor(NotionHistory.search(token, null).willReturn(NotionHistory.results(SECOND_PAGE, first, 0)));
            wm.stubFor(NotionHistory.search(token, SECOND_PAGE).willReturn(NotionHistory.results(THIRD_PAGE, second, 100)));
            wm.stubFor(NotionHistory.search(token, THIRD_PAGE)
                    .willReturn(NotionHistory.results(null, spaced(ago(days(160)), days(1), 10), 200)));
            RequestLog log = RequestLog.from(wm);

            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            SyncJob job = f.reload();
            assertThat(job.status()).isEqualTo(JobStatus.succeeded);
            assertThat(job.pages()).isEqualTo(2);
            assertThat(job.records()).isEqualTo(140);
            assertThat(storedIds(f, "pages")).containsExactlyInAnyOrderElementsOf(NotionHistory.pageIds(0, 140));
            assertThat(f.services().recordStore().get(f.tenant, "notion", "pages", NotionHistory.pageId(140))).isEmpty();
            assertThreeMonthWindow(job);

            List<LoggedRequest> requests = log.under(NotionHistory.PREFIX);
            assertThat(requests).hasSize(2); // the third page is never asked for
            assertAllCarryBearer(requests, token);
            assertThat(requests).allSatisfy(r -> {
                assertThat(r.getMethod().getName()).isEqualTo("POST");
                assertThat(r.getHeader("Notion-Version")).isEqualTo(NotionHistory.VERSION);
            });
            assertThat(requests.get(0).getBodyAsString()).doesNotContain("start_cursor")
                    .contains("\"sort\"").contains("\"last_edited_time\"").contains("\"descending\"");
            assertThat(requests.get(1).getBodyAsString()).contains("\"start_cursor\":\"" + SECOND_PAGE + "\"");
            wm.verify(0, postRequestedFor(urlEqualTo(NotionHistory.PATH)).withRequestBody(containing(THIRD_PAGE)));
        }

        @Test
        void anHtmlErrorPageFromSearchStoresNothingAndCountsOneAttempt() {
            String token = "notion-test-access-html";
            WorkerFixture f = connected(token);
            f.h.wiremock.stubFor(NotionHistory.search(token, null).willReturn(htmlPage(502, "Notion - Bad gateway")));

            assertThat(f.deliver(TestContext.plenty()).getBatchItemFailures()).isEmpty();

            assertHtmlPageCountedOneAttempt(f, "pages");
        }
    }
}
