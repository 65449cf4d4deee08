package dev.connectors.local;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.connectors.config.Settings;
import dev.connectors.http.ProviderHttp;
import dev.connectors.oauth.OAuthClient;
import dev.connectors.oauth.ScheduledRefresher;
import dev.connectors.oauth.TokenRefresher;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.runtime.Services;
import dev.connectors.testing.StandIns;
import dev.connectors.testing.WireMockStandIn;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import dev.connectors.tokens.TokenCipher;
import dev.connectors.tokens.TokenKeys;
import dev.connectors.tokens.TokenStore;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.GetItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.QueryResponse;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.io.PrintStream;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * On-demand benchmark (never a test) of one scheduled refresher sweep over a big connections table:
 * N connections in dynalite of which D are due (the rest expire hours away or are not refreshable), the
 * real {@link ScheduledRefresher} with its token endpoint on WireMock, and every item DynamoDB returns
 * to it counted by an SDK interceptor. The same approach as ScheduledRefresherTest (10k / 50), at scale.
 */
public final class RefresherBench {
    private static final PrintStream OUT = System.out;

    record Result(int connections, int due, long itemsRead, long scans, int refreshed, double loadSeconds, double sweepSeconds) {
        double ratio() {
            return (double) itemsRead / due;
        }
    }

    public static void main(String[] args) throws Exception {
        print(run(args.length > 0 ? Integer.parseInt(args[0].replace("_", "")) : 100_000, args.length > 1 ? Integer.parseInt(args[1]) : 100));
        System.exit(0);
    }

    static Result run(int connections, int due) throws Exception {
        WireMockServer wiremock = WireMockStandIn.shared();
        String base = wiremock.baseUrl() + "/refresh-bench-" + System.nanoTime();
        wiremock.stubFor(post(urlEqualTo(base.substring(wiremock.baseUrl().length()) + "/token")).willReturn(okJson(
                "{\"access_token\":\"at-fresh\",\"refresh_token\":\"rt-fresh\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        Map<String, String> env = BenchEnvironment.genericFunction("bench-rf-", base);
        String table = env.get(Settings.CONNECTIONS_TABLE);
        Clock clock = Clock.systemUTC();
        ItemsRead counter = new ItemsRead();
        DynamoDbClient dynamo = DynamoDbClient.builder().endpointOverride(StandIns.dynamoEndpoint()).region(StandIns.region())
                .credentialsProvider(StandIns.credentials()).httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(o -> o.addExecutionInterceptor(counter)).build();
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        TokenStore store = new TokenStore(dynamo, table, new TokenCipher(new TokenKeys("t1", Map.of("t1", key))), clock);

        Instant now = clock.instant();
        long load = System.nanoTime();
        for (int i = 0; i < due; i++) {
            store.save(new Connection("due-" + i, "generic", ConnectionStatus.active, "at-" + i, "rt-" + i, "Bearer",
                    List.of("read"), now.plus(Duration.ofMinutes(5 + i % 9)), Map.of(), "bench", null, null, 0));
        }
        writeNotDue(StandIns.dynamo(), table, connections - due, now);
        double loadSeconds = (System.nanoTime() - load) / 1e9;

        Services services = new Services(new Settings(env), clock, ProviderHttp.defaults());
        ScheduledRefresher refresher = new ScheduledRefresher(store, new TokenRefresher(new OAuthClient(services.http(), clock), store, clock),
                ProviderRegistry.cachedLoader(), services::providerConfig, clock, ScheduledRefresher.CONCURRENCY);
        counter.reset();
        long sweep = System.nanoTime();
        ScheduledRefresher.Result result = refresher.run(() -> true);
        double sweepSeconds = (System.nanoTime() - sweep) / 1e9;
        return new Result(connections, result.due(), counter.items.get(), counter.scans.get(), result.refreshed(), loadSeconds, sweepSeconds);
    }

    static void print(Result r) {
        OUT.printf("Refresher sweep: %,d connections, %d due (table loaded with BatchWriteItem in %.0f s)%n",
                r.connections(), r.due(), r.loadSeconds());
        OUT.printf("  items read: %,d (%d scans), refreshed %d, sweep %.1f s -> %.2fx the due items (target <= 2x)%n",
                r.itemsRead(), r.scans(), r.refreshed(), r.sweepSeconds(), r.ratio());
    }

    /** Rows hours from due, or not refreshable at all (needs_reauth), written raw in parallel batches of 25. */
    private static void writeNotDue(DynamoDbClient dynamo, String table, int count, Instant now) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> batches = new ArrayList<>();
            for (int from = 0; from < count; from += 25) {
                int start = from;
                batches.add(pool.submit(() -> {
                    List<WriteRequest> batch = new ArrayList<>();
                    for (int i = start; i < Math.min(start + 25, count); i++) {
                        batch.add(WriteRequest.builder().putRequest(PutRequest.builder().item(notDue(i, now)).build()).build());
                    }
                    Map<String, List<WriteRequest>> pending = Map.of(table, batch);
                    while (!pending.isEmpty()) {
                        Map<String, List<WriteRequest>> send = pending;
                        var res = dynamo.batchWriteItem(r -> r.requestItems(send));
                        pending = res.hasUnprocessedItems() ? res.unprocessedItems() : Map.of();
                    }
                    return null;
                }));
            }
            for (Future<?> f : batches) f.get();
        } finally {
            pool.shutdownNow();
        }
    }

    private static Map<String, AttributeValue> notDue(int i, Instant now) {
        String tenant = "idle-" + i;
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("tenant_id", AttributeValue.fromS(tenant));
        item.put("provider", AttributeValue.fromS("generic"));
        item.put("key_id", AttributeValue.fromS("t1"));
        item.put("version", AttributeValue.fromN("1"));
        if (i % 10 == 0) {
            item.put("status", AttributeValue.fromS("needs_reauth"));
        } else {
            long expires = now.plus(Duration.ofHours(1 + i % 24)).getEpochSecond();
            item.put("status", AttributeValue.fromS("active"));
            item.put("expires_at", AttributeValue.fromN(Long.toString(expires)));
            item.put("refresh_bucket", AttributeValue.fromS(TokenStore.refreshBucket(tenant, "generic")));
            item.put("refresh_due_at", AttributeValue.fromN(Long.toString(expires - TokenStore.REFRESH_AHEAD.getSeconds())));
        }
        return item;
    }

    /** Every item DynamoDB hands back: Query and Scan items, and GetItem hits. */
    private static final class ItemsRead implements ExecutionInterceptor {
        final AtomicLong items = new AtomicLong();
        final AtomicLong scans = new AtomicLong();

        void reset() {
            items.set(0);
            scans.set(0);
        }

        @Override
        public void afterUnmarshalling(Context.AfterUnmarshalling context, ExecutionAttributes attributes) {
            if (context.response() instanceof QueryResponse q) items.addAndGet(q.count());
            if (context.response() instanceof GetItemResponse g && g.hasItem() && !g.item().isEmpty()) items.incrementAndGet();
            if (context.response() instanceof ScanResponse s) {
                scans.incrementAndGet();
                items.addAndGet(s.count());
            }
        }
    }
}
