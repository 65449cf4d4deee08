package dev.connectors.oauth;

import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.runtime.Services;
import dev.connectors.testing.FaultProxy;
import dev.connectors.testing.FaultProxy.Fault;
import dev.connectors.testing.StandIns;
import dev.connectors.testkit.Harness;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * DynamoDB failing around a refresh whose provider rotates the refresh token (the old one works once), injected
 * by a {@link FaultProxy} in front of dynalite: the rotated token is never dropped while storage comes back within
 * the refresher's save attempts ({@code TokenRefresher.SAVE_ATTEMPTS} × the SDK's 3), and a refresh that cannot
 * take its lease never spends the refresh token at all.
 */
class RefreshAwsFaultsTest {
    private static final String PUT = "DynamoDB_20120810.PutItem";
    private static final String UPDATE = "DynamoDB_20120810.UpdateItem";
    private final String tenant = "tenant-" + UUID.randomUUID();
    private FaultProxy proxy;
    private Harness h;
    private String tokenPath;

    @BeforeEach
    void setUp() {
        proxy = FaultProxy.start(StandIns.dynamoEndpoint());
        h = Harness.forFunction("TokenRefresherFunction");
        h.set(Settings.AWS_ENDPOINT_URL_DYNAMODB, proxy.endpoint().toString());
        String prefix = "/refresh-faults-" + UUID.randomUUID();
        tokenPath = prefix + "/token";
        String base = h.wiremock.baseUrl() + prefix;
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).withRequestBody(containing("refresh_token=rt-old"))
                .willReturn(okJson("{\"access_token\":\"at-new\",\"refresh_token\":\"rt-new\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
    }

    @AfterEach
    void stop() {
        proxy.close();
    }

    /** The connection before the refresh; the proxy forgets this setup's requests so counts start at the refresh. */
    private Connection connected() {
        Connection c = h.services().tokenStore().upsert(new Connection(tenant, "generic", ConnectionStatus.active, "at-old", "rt-old",
                "Bearer", List.of(), h.clock.instant().plus(Duration.ofMinutes(2)), Map.of(), "user-1", null, null, 0));
        proxy.reset();
        return c;
    }

    private Predicate<String> thisConnection() {
        return body -> body.contains(h.resources.tableName("ConnectionsTable")) && body.contains(tenant);
    }

    @Test
    void aRotatedTokenWhoseSaveIsThrottledIsRetriedUntilItIsStored() {
        Connection c = connected();
        // the first save attempt's 3 SDK attempts and two of the second's: the refresher must not give up
        FaultProxy.Rule throttled = proxy.fail(PUT, thisConnection(), 5, Fault.dynamoThroughputExceeded());
        Services services = h.services();

        Connection refreshed = services.tokenRefresher().refresh(h.rebased("generic"), services.providerConfig("generic"), c);

        assertThat(refreshed.refreshToken()).isEqualTo("rt-new");
        assertThat(throttled.injected()).isEqualTo(5);
        assertThat(proxy.count(PUT, thisConnection())).isEqualTo(6);
        h.wiremock.verify(1, postRequestedFor(urlEqualTo(tokenPath))); // the rotating grant was spent exactly once
        Connection stored = h.services().tokenStore().get(tenant, "generic").orElseThrow();
        assertThat(stored.accessToken()).isEqualTo("at-new");
        assertThat(stored.refreshToken()).isEqualTo("rt-new");
        assertThat(stored.version()).isEqualTo(c.version() + 1);
    }

    @Test
    void serverErrorsOnTheSaveAreRetriedTheSameWay() {
        Connection c = connected();
        proxy.fail(PUT, thisConnection(), 4, Fault.dynamoInternalError());
        Services services = h.services();

        Connection refreshed = services.tokenRefresher().refresh(h.rebased("generic"), services.providerConfig("generic"), c);

        assertThat(refreshed.refreshToken()).isEqualTo("rt-new");
        assertThat(proxy.count(PUT, thisConnection())).isEqualTo(5);
        assertThat(h.services().tokenStore().get(tenant, "generic").orElseThrow().refreshToken()).isEqualTo("rt-new");
    }

    @Test
    void aRefreshThatCannotTakeItsLeaseNeverSpendsTheRefreshToken() {
        Connection c = connected();
        proxy.fail(UPDATE, thisConnection(), -1, Fault.dynamoThrottling());
        Services services = h.services();

        assertThatThrownBy(() -> services.tokenRefresher().refresh(h.rebased("generic"), services.providerConfig("generic"), c))
                .isInstanceOfSatisfying(ConnectorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE);
                    assertThat(e.code().retryable()).isTrue();
                });

        assertThat(proxy.count(UPDATE, thisConnection())).isEqualTo(3);
        h.wiremock.verify(0, postRequestedFor(urlEqualTo(tokenPath)));
        proxy.reset();
        assertThat(h.services().tokenStore().get(tenant, "generic").orElseThrow().refreshToken()).isEqualTo("rt-old"); // still valid
    }
}
