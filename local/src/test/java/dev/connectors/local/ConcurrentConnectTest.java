package dev.connectors.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Concurrency on the real stand-ins, through the local runner's HTTP API and real handlers (sandbox provider =
 * mock-oauth2-server): parallel connects for many tenants and for one tenant, double-submitted callbacks and
 * parallel re-syncs, each followed by the table check every load run ends with ({@link TableConsistency}).
 * Bounded: a dozen flows at a time, each wait capped.
 */
class ConcurrentConnectTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration BACKFILLS = Duration.ofSeconds(120);

    @TempDir
    static Path dataDir;
    private static LocalRunner.Running runner;
    private static ConnectLoad load;
    private static TableConsistency tables;

    @BeforeAll
    static void start() {
        runner = LocalRunner.start(LocalRunner.Config.defaults().withPort(0).withDataDir(dataDir)
                .withSecretsFile(dataDir.resolve("none.json")));
        load = new ConnectLoad(runner.baseUrl(), runner::devToken);
        tables = new TableConsistency(runner.dynamo(), LocalRunner.PREFIX);
    }

    @AfterAll
    static void stop() {
        if (runner != null) runner.close();
    }

    @Test
    void parallelConnectsOfManyTenantsAndOfOneTenantLeaveOneConnectionEachAndNoLeftovers() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        String same = "same-" + run;
        List<String> flows = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            flows.add("many-" + run + "-" + i);
            flows.add(same);
        }
        // three users who leave at the provider: their sessions stay until their lifetime ends
        List<String> abandoned = List.of("gone-" + run + "-1", "gone-" + run + "-2", "gone-" + run + "-3");
        for (String tenant : abandoned) load.approvedCallback(tenant);

        List<ConnectLoad.Flow> results = load.run(flows, 8, Duration.ofSeconds(60));

        assertThat(results).hasSize(12).allSatisfy(f -> assertThat(f.connected()).as(f.toString()).isTrue());
        Set<String> tenants = new HashSet<>(flows);
        tenants.addAll(abandoned);
        assertThat(tables.awaitJobsFinished(tenants, BACKFILLS)).isTrue();
        TableConsistency.Result result = tables.check(tenants, new HashSet<>(flows), abandoned.size(), Instant.now());
        assertThat(result.problems()).isEmpty();
        assertThat(result.connections()).isEqualTo(7); // six tenants + the one that connected six times
        assertThat(result.sessionsLeft()).isEqualTo(3);
        assertThat(jobsOf(same)).hasSize(6); // every successful connect started its own backfill
    }

    @Test
    void aCallbackSubmittedTwiceAtOnceConnectsExactlyOnceAndTheOtherIsToldTheLinkWasUsed() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> tenants = List.of("double-" + run + "-1", "double-" + run + "-2", "double-" + run + "-3", "double-" + run + "-4");
        List<ConnectLoad.Approved> callbacks = new ArrayList<>();
        for (String tenant : tenants) callbacks.add(load.approvedCallback(tenant));

        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<ConnectLoad.Flow>> submitted = new ArrayList<>();
        try {
            for (int i = 0; i < tenants.size(); i++) {
                String tenant = tenants.get(i);
                ConnectLoad.Approved callback = callbacks.get(i);
                Callable<ConnectLoad.Flow> submit = () -> {
                    go.await();
                    return load.finish(tenant, callback, System.nanoTime());
                };
                submitted.add(pool.submit(submit));
                submitted.add(pool.submit(submit));
            }
            go.countDown();
            for (int i = 0; i < tenants.size(); i++) {
                ConnectLoad.Flow a = submitted.get(2 * i).get();
                ConnectLoad.Flow b = submitted.get(2 * i + 1).get();
                assertThat(a.connected() ^ b.connected()).as("exactly one of %s, %s", a, b).isTrue();
                assertThat((a.connected() ? b : a).error()).isEqualTo("state_reused");
            }
        } finally {
            pool.shutdownNow();
        }

        Set<String> all = new HashSet<>(tenants);
        assertThat(tables.awaitJobsFinished(all, BACKFILLS)).isTrue();
        assertThat(tables.check(all, all, 0, Instant.now()).problems()).isEmpty();
        for (String tenant : tenants) assertThat(jobsOf(tenant)).hasSize(1); // the replay started nothing
    }

    @Test
    void parallelResyncsStartOneBackfillAndItsRecordsAreStoredOnce() throws Exception {
        String tenant = "resync-" + UUID.randomUUID().toString().substring(0, 8);
        assertThat(load.connect(tenant).connected()).isTrue();
        assertThat(tables.awaitJobsFinished(Set.of(tenant), BACKFILLS)).isTrue();
        String token = runner.devToken(tenant, "load-user");

        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<HttpResponse<String>>> posts = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                posts.add(pool.submit(() -> {
                    go.await();
                    return HTTP.send(HttpRequest.newBuilder(URI.create(runner.baseUrl() + "/connections/generic/sync"))
                            .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.noBody()).build(),
                            HttpResponse.BodyHandlers.ofString());
                }));
            }
            go.countDown();
            Set<String> jobIds = new HashSet<>();
            int created = 0;
            for (Future<HttpResponse<String>> post : posts) {
                HttpResponse<String> res = post.get();
                assertThat(res.statusCode()).as(res.body()).isIn(200, 202);
                JsonNode body = JSON.readTree(res.body());
                jobIds.add(body.get("jobId").asText());
                if (body.get("created").asBoolean()) created++;
            }
            assertThat(created).isEqualTo(1);
            assertThat(jobIds).hasSize(1);
        } finally {
            pool.shutdownNow();
        }

        assertThat(tables.awaitJobsFinished(Set.of(tenant), BACKFILLS)).isTrue();
        TableConsistency.Result result = tables.check(Set.of(tenant), Set.of(tenant), 0, Instant.now());
        assertThat(result.problems()).isEmpty();
        assertThat(jobsOf(tenant)).hasSize(2); // the connect's and the one re-sync
        assertThat(result.records()).isBetween(500L, 719L); // the 3-month window of the sandbox's 4 months, once
    }

    private static List<Map<String, AttributeValue>> jobsOf(String tenant) {
        return runner.dynamo().scan(r -> r.tableName(LocalRunner.PREFIX + "SyncJobsTable").consistentRead(true)
                .filterExpression("tenant_id = :t").expressionAttributeValues(Map.of(":t", AttributeValue.fromS(tenant)))).items();
    }
}
