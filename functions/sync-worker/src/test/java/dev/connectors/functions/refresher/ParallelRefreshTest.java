package dev.connectors.functions.refresher;

import dev.connectors.runtime.Services;
import dev.connectors.testkit.Harness;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many connections refreshed at once from every side, each caller with its own clients like separate Lambdas:
 * two runs of the scheduled refresher and two workers per connection, against a provider whose refresh tokens
 * rotate and work once (WireMock, slow enough that the calls overlap). Every grant is spent exactly once and
 * every connection ends with its new pair, one version later, with no lease left behind.
 */
class ParallelRefreshTest {
    private static final int CONNECTIONS = 12;

    @Test
    void everyConnectionIsRefreshedExactlyOnceWhateverRunsAtTheSameTime() throws Exception {
        Harness h = Harness.forFunction("TokenRefresherFunction");
        String prefix = "/parallel-refresh-" + UUID.randomUUID();
        String base = h.wiremock.baseUrl() + prefix;
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<Connection> stored = new ArrayList<>();
        for (int i = 0; i < CONNECTIONS; i++) {
            String n = String.format("%02d", i);
            h.wiremock.stubFor(post(urlEqualTo(prefix + "/token")).withRequestBody(containing("refresh_token=rt-old-" + n))
                    .willReturn(okJson("{\"access_token\":\"at-new-" + n + "\",\"refresh_token\":\"rt-new-" + n
                            + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}").withFixedDelay(150)));
            stored.add(h.services().tokenStore().upsert(new Connection("tenant-" + run + "-" + n, "generic", ConnectionStatus.active,
                    "at-old-" + n, "rt-old-" + n, "Bearer", List.of(), h.clock.instant().plus(Duration.ofMinutes(2)), Map.of(),
                    "user-1", null, null, 0)));
        }

        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Map<String, Object>>> scheduled = new ArrayList<>();
            for (int s = 0; s < 2; s++) {
                scheduled.add(pool.submit(() -> {
                    TokenRefresherHandler handler = new TokenRefresherHandler(h.services(), id -> h.rebased(id));
                    go.await();
                    return handler.handleRequest(Map.of(), null);
                }));
            }
            List<Future<Connection>> workers = new ArrayList<>();
            for (Connection c : stored) {
                for (int w = 0; w < 2; w++) {
                    Callable<Connection> worker = () -> {
                        Services own = h.services();
                        go.await();
                        return own.tokenRefresher().refresh(h.rebased("generic"), own.providerConfig("generic"), c);
                    };
                    workers.add(pool.submit(worker));
                }
            }
            go.countDown();

            for (Future<Connection> w : workers) {
                Connection got = w.get();
                assertThat(got.accessToken()).startsWith("at-new-"); // its own new token or the winner's, never the spent one
            }
            for (Future<Map<String, Object>> s : scheduled) assertThat(s.get()).containsEntry("failed", 0);
        } finally {
            pool.shutdownNow();
        }

        h.wiremock.verify(CONNECTIONS, postRequestedFor(urlEqualTo(prefix + "/token")));
        for (Connection before : stored) {
            String n = before.accessToken().substring("at-old-".length());
            h.wiremock.verify(1, postRequestedFor(urlEqualTo(prefix + "/token")).withRequestBody(containing("refresh_token=rt-old-" + n)));
            Connection after = h.services().tokenStore().get(before.tenantId(), "generic").orElseThrow();
            assertThat(after.accessToken()).isEqualTo("at-new-" + n);
            assertThat(after.refreshToken()).isEqualTo("rt-new-" + n);
            assertThat(after.version()).isEqualTo(before.version() + 1);
            assertThat(h.services().tokenStore().refreshState(before.tenantId(), "generic").orElseThrow().leaseOwner()).isNull();
        }
    }
}
