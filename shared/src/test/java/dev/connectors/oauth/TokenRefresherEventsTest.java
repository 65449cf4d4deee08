package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.aws.AwsClients;
import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.events.AppEvent;
import dev.connectors.testkit.Harness;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import dev.connectors.tokens.TokenStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The refresher tells the app when a connection needs re-authorization: one connection.needs_reauth event on
 * the webhook queue (ElasticMQ, queue from template.yaml) per transition, however often the grant is found dead.
 */
class TokenRefresherEventsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private Harness h;
    private String tokenPath;
    private final String tenant = "tenant-" + UUID.randomUUID();

    @BeforeEach
    void setUp() {
        h = Harness.forFunction("TokenRefresherFunction");
        String prefix = "/re-" + UUID.randomUUID();
        tokenPath = prefix + "/token";
        String base = h.wiremock.baseUrl() + prefix;
        h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
    }

    @Test
    void invalidGrantMarksNeedsReauthAndEnqueuesExactlyOneEvent() {
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
        TokenStore store = h.services().tokenStore();
        Connection c = store.upsert(connection("rt-dead"));
        TokenRefresher refresher = h.services().tokenRefresher(); // as the worker and the scheduled refresher build it

        assertThatThrownBy(() -> refresher.refresh(h.rebased("generic"), h.services().providerConfig("generic"), c))
                .isInstanceOf(ConnectorException.class)
                .satisfies(e -> assertThat(((ConnectorException) e).code()).isEqualTo(ErrorCode.INVALID_GRANT));
        Connection marked = store.get(tenant, "generic").orElseThrow();
        assertThat(marked.status()).isEqualTo(ConnectionStatus.needs_reauth);
        // found dead again (a worker holding the old row, a job that ends on it): already announced
        refresher.markNeedsReauth(marked);

        List<JsonNode> events = events();
        assertThat(events).hasSize(1);
        JsonNode e = events.get(0);
        assertThat(e.path("type").asText()).isEqualTo(AppEvent.CONNECTION_NEEDS_REAUTH).isEqualTo("connection.needs_reauth");
        assertThat(e.path("tenantId").asText()).isEqualTo(tenant);
        assertThat(e.path("provider").asText()).isEqualTo("generic");
        assertThat(e.path("data").path("status").asText()).isEqualTo("needs_reauth");
        assertThat(e.toString()).doesNotContain("rt-dead").doesNotContain("at-1");
        h.wiremock.verify(1, postRequestedFor(urlEqualTo(tokenPath)));
    }

    @Test
    void aConnectionWithoutARefreshTokenIsMarkedAndAnnouncedOnce() {
        TokenStore store = h.services().tokenStore();
        Connection c = store.upsert(connection(null));
        TokenRefresher refresher = h.services().tokenRefresher();

        assertThatThrownBy(() -> refresher.refresh(h.rebased("generic"), h.services().providerConfig("generic"), c))
                .isInstanceOf(ConnectorException.class);

        assertThat(store.get(tenant, "generic").orElseThrow().status()).isEqualTo(ConnectionStatus.needs_reauth);
        assertThat(events()).extracting(e -> e.path("type").asText()).containsExactly("connection.needs_reauth");
    }

    @Test
    void withoutAPublisherTheRefresherStillMarksTheConnection() {
        h.wiremock.stubFor(post(urlEqualTo(tokenPath)).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_grant\"}")));
        TokenStore store = h.services().tokenStore();
        Connection c = store.upsert(connection("rt-dead"));
        TokenRefresher quiet = new TokenRefresher(h.services().oauth(), store, h.clock); // the default: no events

        assertThatThrownBy(() -> quiet.refresh(h.rebased("generic"), h.services().providerConfig("generic"), c))
                .isInstanceOf(ConnectorException.class);

        assertThat(store.get(tenant, "generic").orElseThrow().status()).isEqualTo(ConnectionStatus.needs_reauth);
        assertThat(events()).isEmpty();
    }

    private Connection connection(String refreshToken) {
        return new Connection(tenant, "generic", ConnectionStatus.active, "at-1", refreshToken, "Bearer", List.of(),
                h.clock.instant().plus(Duration.ofMinutes(10)), Map.of(), "u", null, null, 0);
    }

    /** Everything on this harness's own webhook queue (its resources have a unique prefix). */
    private List<JsonNode> events() {
        SqsClient sqs = new AwsClients(h.settings()).sqs();
        String url = h.settings().require(Settings.WEBHOOK_QUEUE_URL);
        List<JsonNode> out = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            var messages = sqs.receiveMessage(r -> r.queueUrl(url).maxNumberOfMessages(10).waitTimeSeconds(1)).messages();
            if (messages.isEmpty()) break;
            for (var m : messages) {
                try {
                    out.add(JSON.readTree(m.body()));
                } catch (IOException ex) {
                    throw new UncheckedIOException(ex);
                }
            }
        }
        return out;
    }
}
