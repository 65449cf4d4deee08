package dev.connectors.oauth;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.testing.StandIns;
import dev.connectors.testkit.Harness;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import dev.connectors.tokens.TokenCipher;
import dev.connectors.tokens.TokenKeys;
import dev.connectors.tokens.TokenStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemRequest;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.GetItemRequest;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.PutItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemRequest;
import software.amazon.awssdk.services.dynamodb.model.UpdateItemResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The scheduled refresher and the lease path against dynalite (tables from template.yaml) and WireMock. */
class ScheduledRefresherTest {
    private Harness h;
    private CountingDynamo counting;
    private TokenStore store;
    private TokenRefresher refresher;
    private String tokenPath;

    @BeforeEach
    void setUp() {
        h = Harness.forFunction("TokenRefresherFunction");
        h.clock.advance(Duration.ofNanos(-h.clock.instant().getNano())); // stored in seconds
        String prefix = "/r-" + UUID.randomUUID();
        tokenPath = prefix + "/token";
        String base = h.wiremock.baseUrl() + prefix;
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        counting = new CountingDynamo(StandIns.dynamo());
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        store = new TokenStore(counting, table(), new TokenCipher(new TokenKeys("t1", Map.of("t1", key))), h.clock);
        refresher = new TokenRefresher(new OAuthClient(h.services().http(), h.clock), store, h.clock);
    }

    @Test
    void tenThousandConnectionsOfWhichFiftyAreDueTheRefresherReadsOnlyThoseFifty() throws Exception {
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(okJson(
                "{\"access_token\":\"at-fresh\",\"refresh_token\":\"rt-fresh\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        Instant now = h.clock.instant();
        List<String> dueTenants = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            String tenant = "due-" + i + "-" + UUID.randomUUID();
            dueTenants.add(tenant);
            store.save(connection(tenant, "at-" + i, "rt-" + i, now.plus(Duration.ofMinutes(5 + i % 9))));
        }
        writeRawRows(9_950, now);
        counting.reset();

        ScheduledRefresher.Result result = scheduled().run(() -> true);

        assertThat(result.due()).isEqualTo(50);
        assertThat(result.refreshed()).isEqualTo(50);
        assertThat(result.failed()).isZero();
        assertThat(counting.queriedItems.get()).as("items read from the refresh index").isEqualTo(50);
        assertThat(counting.gotItems.get()).as("rows read (one consistent GetItem per due connection)").isEqualTo(50);
        assertThat(counting.scans.get()).as("never a Scan").isZero();
        h.wiremock.verify(50, postRequestedFor(urlEqualTo(tokenPath)));
        for (String tenant : dueTenants) {
            Connection c = store.get(tenant, "generic").orElseThrow();
            assertThat(c.accessToken()).isEqualTo("at-fresh");
            assertThat(c.expiresAt()).isEqualTo(now.plusSeconds(3600));
        }

        // the next run finds nothing: refreshed rows moved out of the due range
        counting.reset();
        assertThat(scheduled().run(() -> true).due()).isZero();
        assertThat(counting.queriedItems.get()).isZero();
    }

    @Test
    void aTransientFailureIsCountedAndBackedOffAndTheRetryComesAfterTheBackOff() {
        String tenant = "tenant-" + UUID.randomUUID();
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(aResponse().withStatus(503)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"temporarily_unavailable\"}")));
        store.save(connection(tenant, "at-1", "rt-1", h.clock.instant().plus(Duration.ofMinutes(10))));

        ScheduledRefresher.Result first = scheduled().run(() -> true);

        assertThat(first.failed()).isEqualTo(1);
        TokenStore.RefreshState state = store.refreshState(tenant, "generic").orElseThrow();
        assertThat(state.failures()).isEqualTo(1);
        assertThat(state.lastError()).isNotBlank();
        assertThat(state.leaseOwner()).as("lease released").isNull();
        assertThat(state.dueAt()).isEqualTo(h.clock.instant().plus(TokenRefresher.backoff(1)));
        assertThat(store.get(tenant, "generic").orElseThrow().accessToken()).as("tokens untouched").isEqualTo("at-1");

        // within the back-off: not even read
        h.clock.advance(Duration.ofMinutes(2));
        assertThat(scheduled().run(() -> true).due()).isZero();
        h.wiremock.verify(1, postRequestedFor(urlEqualTo(tokenPath)));

        // after it: tried again and failing again doubles the wait
        h.clock.advance(Duration.ofMinutes(4));
        assertThat(scheduled().run(() -> true).failed()).isEqualTo(1);
        TokenStore.RefreshState second = store.refreshState(tenant, "generic").orElseThrow();
        assertThat(second.failures()).isEqualTo(2);
        assertThat(second.dueAt()).isEqualTo(h.clock.instant().plus(TokenRefresher.backoff(2)));

        // the provider recovers: the success resets the counters and puts the row back on its expiry
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(okJson(
                "{\"access_token\":\"at-2\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        h.clock.advance(TokenRefresher.backoff(2));
        assertThat(scheduled().run(() -> true).refreshed()).isEqualTo(1);
        TokenStore.RefreshState healed = store.refreshState(tenant, "generic").orElseThrow();
        assertThat(healed.failures()).isZero();
        assertThat(healed.dueAt()).isEqualTo(h.clock.instant().plusSeconds(3600).minus(TokenStore.REFRESH_AHEAD));
        Connection c = store.get(tenant, "generic").orElseThrow();
        assertThat(c.accessToken()).isEqualTo("at-2");
        assertThat(c.refreshToken()).as("no new refresh token in the answer: the old one stays").isEqualTo("rt-1");
    }

    @Test
    void invalidGrantMarksNeedsReauthAndTakesTheRowOutOfTheIndex() {
        String tenant = "tenant-" + UUID.randomUUID();
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
        store.save(connection(tenant, "at-1", "rt-1", h.clock.instant().plus(Duration.ofMinutes(10))));

        assertThat(scheduled().run(() -> true).failed()).isEqualTo(1);

        assertThat(store.get(tenant, "generic").orElseThrow().status()).isEqualTo(ConnectionStatus.needs_reauth);
        assertThat(raw(tenant)).doesNotContainKeys("refresh_bucket", "refresh_due_at", "refresh_lease_owner");
        h.clock.advance(Duration.ofDays(1));
        assertThat(scheduled().run(() -> true).due()).as("never retried").isZero();
        h.wiremock.verify(1, postRequestedFor(urlEqualTo(tokenPath)));
    }

    @Test
    void aCrashedLeaseHolderBlocksOnlyUntilTheLeaseExpires() {
        String tenant = "tenant-" + UUID.randomUUID();
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(okJson(
                "{\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        Connection c = store.save(connection(tenant, "at-1", "rt-1", h.clock.instant().plus(Duration.ofMinutes(1))));
        assertThat(store.acquireRefreshLease(tenant, "generic", c.version(), "crashed-worker", TokenRefresher.LEASE)).isPresent();
        assertThat(store.acquireRefreshLease(tenant, "generic", c.version(), "someone-else", TokenRefresher.LEASE))
                .as("held").isEmpty();

        h.clock.advance(TokenRefresher.LEASE.plusSeconds(1));
        Connection refreshed = refresher.refresh(h.rebased("generic"), h.services().providerConfig("generic"), c);

        assertThat(refreshed.accessToken()).isEqualTo("at-new");
        assertThat(refreshed.refreshToken()).as("rotated refresh token stored").isEqualTo("rt-new");
        assertThat(raw(tenant)).doesNotContainKeys("refresh_lease_owner", "refresh_lease_until");
        h.wiremock.verify(1, postRequestedFor(urlEqualTo(tokenPath)));
    }

    @Test
    void aRefreshWithAStaleCopyUsesTheTokenAlreadyRefreshedInsteadOfCallingTheProvider() {
        String tenant = "tenant-" + UUID.randomUUID();
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(okJson(
                "{\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        Connection stale = store.save(connection(tenant, "at-1", "rt-1", h.clock.instant()));
        Connection first = refresher.refresh(h.rebased("generic"), h.services().providerConfig("generic"), stale);

        Connection second = refresher.refresh(h.rebased("generic"), h.services().providerConfig("generic"), stale);

        assertThat(second.accessToken()).isEqualTo(first.accessToken()).isEqualTo("at-new");
        h.wiremock.verify(1, postRequestedFor(urlEqualTo(tokenPath)));
    }

    @Test
    void aRowRewrittenWithoutNewTokensDuringARefreshKeepsTheRotatedToken() {
        String tenant = "tenant-" + UUID.randomUUID();
        Connection c = store.save(connection(tenant, "at-1", "rt-1", h.clock.instant()));
        // while the provider answers, another writer rewrites the row (same grant, e.g. a settings change)
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(okJson(
                "{\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\",\"token_type\":\"Bearer\",\"expires_in\":3600}")
                .withFixedDelay(300)));
        Thread writer = new Thread(() -> {
            sleep(100);
            store.save(c);
        });
        writer.start();

        Connection refreshed = refresher.refresh(h.rebased("generic"), h.services().providerConfig("generic"), c);
        join(writer);

        assertThat(refreshed.refreshToken()).isEqualTo("rt-new");
        assertThat(store.get(tenant, "generic").orElseThrow().refreshToken()).as("not lost to the concurrent write").isEqualTo("rt-new");
    }

    @Test
    void aLoserGivesUpWithARetryableErrorWhenTheHolderNeverFinishes() {
        String tenant = "tenant-" + UUID.randomUUID();
        Connection c = store.save(connection(tenant, "at-1", "rt-1", h.clock.instant()));
        store.acquireRefreshLease(tenant, "generic", c.version(), "slow-holder", TokenRefresher.LEASE);

        long started = System.nanoTime();
        assertThatThrownBy(() -> refresher.refresh(h.rebased("generic"), h.services().providerConfig("generic"), c))
                .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_UNAVAILABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("bounded wait").isLessThan(Duration.ofSeconds(10));
        h.wiremock.verify(0, postRequestedFor(urlEqualTo(tokenPath)));
    }

    // ------------------------------------------------------------------ helpers

    private ScheduledRefresher scheduled() {
        return new ScheduledRefresher(store, refresher, id -> h.rebased(id), h.services()::providerConfig, h.clock,
                ScheduledRefresher.CONCURRENCY);
    }

    private static Connection connection(String tenant, String access, String refresh, Instant expires) {
        return new Connection(tenant, "generic", ConnectionStatus.active, access, refresh, "Bearer", List.of("read"),
                expires, Map.of(), "user-1", null, null, 0);
    }

    private String table() {
        return h.resources.tableName("ConnectionsTable");
    }

    private Map<String, AttributeValue> raw(String tenant) {
        return StandIns.dynamo().getItem(r -> r.tableName(table()).consistentRead(true).key(Map.of(
                "tenant_id", AttributeValue.fromS(tenant), "provider", AttributeValue.fromS("generic")))).item();
    }

    /**
     * Rows that are not due, written raw and in parallel batches (encryption is beside the point here):
     * most indexed with a due time days away, some not indexed at all (needs_reauth, no refresh token).
     */
    private void writeRawRows(int count, Instant now) throws Exception {
        List<WriteRequest> all = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String tenant = "idle-" + i;
            String provider = i % 3 == 0 ? "slack" : "generic";
            Map<String, AttributeValue> item = new HashMap<>();
            item.put("tenant_id", AttributeValue.fromS(tenant));
            item.put("provider", AttributeValue.fromS(provider));
            item.put("key_id", AttributeValue.fromS("t1"));
            item.put("version", AttributeValue.fromN("1"));
            if (i % 10 == 0) {
                item.put("status", AttributeValue.fromS("needs_reauth"));
            } else {
                item.put("status", AttributeValue.fromS("active"));
                long expires = now.plus(Duration.ofHours(1 + i % 24)).getEpochSecond();
                item.put("expires_at", AttributeValue.fromN(Long.toString(expires)));
                item.put("refresh_bucket", AttributeValue.fromS(TokenStore.refreshBucket(tenant, provider)));
                item.put("refresh_due_at", AttributeValue.fromN(Long.toString(expires - TokenStore.REFRESH_AHEAD.getSeconds())));
            }
            all.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int from = 0; from < all.size(); from += 25) {
                List<WriteRequest> batch = all.subList(from, Math.min(from + 25, all.size()));
                futures.add(pool.submit(() -> {
                    Map<String, List<WriteRequest>> pending = Map.of(table(), batch);
                    while (!pending.isEmpty()) {
                        Map<String, List<WriteRequest>> send = pending;
                        BatchWriteItemResponse res = StandIns.dynamo().batchWriteItem(r -> r.requestItems(send));
                        pending = res.hasUnprocessedItems() ? res.unprocessedItems() : Map.of();
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void join(Thread t) {
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Counts what the code under test reads: items returned by Query and GetItem, and Scan calls. */
    static final class CountingDynamo implements DynamoDbClient {
        final DynamoDbClient delegate;
        final AtomicInteger queriedItems = new AtomicInteger();
        final AtomicInteger gotItems = new AtomicInteger();
        final AtomicInteger scans = new AtomicInteger();

        CountingDynamo(DynamoDbClient delegate) {
            this.delegate = delegate;
        }

        void reset() {
            queriedItems.set(0);
            gotItems.set(0);
            scans.set(0);
        }

        @Override
        public QueryResponse query(QueryRequest request) {
            QueryResponse res = delegate.query(request);
            queriedItems.addAndGet(res.count());
            return res;
        }

        @Override
        public GetItemResponse getItem(GetItemRequest request) {
            GetItemResponse res = delegate.getItem(request);
            if (res.hasItem() && !res.item().isEmpty()) gotItems.incrementAndGet();
            return res;
        }

        @Override
        public ScanResponse scan(ScanRequest request) {
            scans.incrementAndGet();
            return delegate.scan(request);
        }

        @Override
        public PutItemResponse putItem(PutItemRequest request) {
            return delegate.putItem(request);
        }

        @Override
        public UpdateItemResponse updateItem(UpdateItemRequest request) {
            return delegate.updateItem(request);
        }

        @Override
        public BatchWriteItemResponse batchWriteItem(BatchWriteItemRequest request) {
            return delegate.batchWriteItem(request);
        }

        @Override
        public String serviceName() {
            return delegate.serviceName();
        }

        @Override
        public void close() {
        }
    }
}
