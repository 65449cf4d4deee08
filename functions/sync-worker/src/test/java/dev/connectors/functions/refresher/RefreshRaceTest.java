package dev.connectors.functions.refresher;

import dev.connectors.oauth.ScheduledRefresher;
import dev.connectors.runtime.Services;
import dev.connectors.testkit.Harness;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.Test;

import java.time.Duration;
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
 * Two workers (the refresh call JobProcessor makes) and the scheduled refresher handler, each with its own
 * clients like separate Lambdas, refresh one connection at the same moment: the provider (WireMock, a
 * rotating refresh token that works once) sees exactly one refresh, and every caller ends with the new token.
 */
class RefreshRaceTest {

    @Test
    void twoWorkersAndTheRefresherRefreshingAtOnceMakeExactlyOneProviderCall() throws Exception {
        Harness h = Harness.forFunction("TokenRefresherFunction");
        String prefix = "/race-" + UUID.randomUUID();
        String base = h.wiremock.baseUrl() + prefix;
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        // slow enough that all three are in flight together; the old refresh token works once (GitLab-style)
        h.wiremock.stubFor(post(urlEqualTo(prefix + "/token")).withRequestBody(containing("refresh_token=rt-old"))
                .willReturn(okJson("{\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\",\"token_type\":\"Bearer\","
                        + "\"expires_in\":3600}").withFixedDelay(500)));
        String tenant = "tenant-" + UUID.randomUUID();
        Connection stored = h.services().tokenStore().upsert(new Connection(tenant, "generic", ConnectionStatus.active,
                "at-old", "rt-old", "Bearer", List.of(), h.clock.instant().plus(Duration.ofMinutes(2)), Map.of(), "user-1",
                null, null, 0));

        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            Callable<Connection> worker = () -> {
                Services own = h.services(); // a separate "Lambda": its own clients and caches
                Connection seen = own.tokenStore().get(tenant, "generic").orElseThrow();
                go.await();
                return own.tokenRefresher().refresh(h.rebased("generic"), own.providerConfig("generic"), seen);
            };
            Future<Connection> w1 = pool.submit(worker);
            Future<Connection> w2 = pool.submit(worker);
            Future<Map<String, Object>> scheduled = pool.submit(() -> {
                TokenRefresherHandler handler = new TokenRefresherHandler(h.services(), id -> h.rebased(id));
                go.await();
                return handler.handleRequest(Map.of(), null);
            });
            go.countDown();

            Connection a = w1.get();
            Connection b = w2.get();
            Map<String, Object> run = scheduled.get();

            h.wiremock.verify(1, postRequestedFor(urlEqualTo(prefix + "/token")));
            assertThat(a.accessToken()).isEqualTo("at-new");
            assertThat(b.accessToken()).isEqualTo("at-new");
            assertThat(run).containsEntry("failed", 0);
            // the refresher either joined the winner or found the row no longer due: never a second call
            assertThat((Integer) run.get("refreshed") + (Integer) run.get("skipped")).isEqualTo(1);
            Connection after = h.services().tokenStore().get(tenant, "generic").orElseThrow();
            assertThat(after.accessToken()).isEqualTo("at-new");
            assertThat(after.refreshToken()).isEqualTo("rt-new");
            assertThat(after.version()).isEqualTo(stored.version() + 1);
            assertThat(after.status()).isEqualTo(ConnectionStatus.active);
            assertThat(h.services().tokenStore().refreshState(tenant, "generic").orElseThrow().leaseOwner()).isNull();
        } finally {
            pool.shutdownNow();
        }
        assertThat(ScheduledRefresher.CONCURRENCY).isEqualTo(4);
    }
}
