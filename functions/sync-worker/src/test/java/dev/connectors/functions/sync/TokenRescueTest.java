package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.config.Settings;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.oauth.TokenRefresher;
import dev.connectors.runtime.Services;
import dev.connectors.testing.FaultProxy;
import dev.connectors.testing.FaultProxy.Fault;
import dev.connectors.testing.StandIns;
import dev.connectors.testkit.LogCapture;
import dev.connectors.testkit.Telemetry;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

import static com.github.tomakehurst.wiremock.client.WireMock.*;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A DynamoDB outage longer than the refresher's save attempts ({@code SAVE_ATTEMPTS} × the SDK's 3 writes), injected
 * by a {@link FaultProxy} in front of dynalite, after a provider that rotates refresh tokens (WireMock: the old one
 * works once, then invalid_grant) already spent the old one. The new tokens go to the sync queue as an encrypted
 * token rescue; once DynamoDB answers, the real worker handler applies it only to a connection still on the spent
 * grant. SQS failing too is the one case left, and it is logged and counted.
 */
class TokenRescueTest {
    private static final String PUT = "DynamoDB_20120810.PutItem";
    private static final String SEND = "AmazonSQS.SendMessage";
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        LogCapture.install();
    }

    private final String id = UUID.randomUUID().toString().substring(0, 8);
    private final String prefix = "/token-rescue-" + id;
    private final String spent = "rt-spent-" + id;
    private final String rotated = "rt-rotated-" + id;
    private final String rotatedAccess = "at-rotated-" + id;
    private FaultProxy dynamo;
    private WorkerFixture f;
    private FaultProxy.Rule outage;

    @BeforeEach
    void setUp() {
        dynamo = FaultProxy.start(StandIns.dynamoEndpoint());
        f = new WorkerFixture("generic", Map.of());
        String base = f.h.wiremock.baseUrl() + prefix;
        f.h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        f.h.set(Settings.AWS_ENDPOINT_URL_DYNAMODB, dynamo.endpoint().toString());
        // a rotating provider: the spent refresh token works exactly once
        String scenario = "rotation-" + id;
        f.h.wiremock.stubFor(post(urlEqualTo(prefix + "/token")).inScenario(scenario).whenScenarioStateIs(STARTED)
                .withRequestBody(containing("refresh_token=" + spent))
                .willReturn(okJson(tokens(rotatedAccess, rotated))).willSetStateTo("spent"));
        f.h.wiremock.stubFor(post(urlEqualTo(prefix + "/token")).inScenario(scenario).whenScenarioStateIs("spent")
                .withRequestBody(containing("refresh_token=" + spent))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":\"invalid_grant\",\"error_description\":\"refresh token already used\"}")));
        LogCapture.clear();
    }

    @AfterEach
    void stop() {
        dynamo.close();
    }

    private static String tokens(String access, String refresh) {
        return "{\"access_token\":\"" + access + "\",\"refresh_token\":\"" + refresh + "\",\"token_type\":\"Bearer\",\"expires_in\":3600}";
    }

    /** The connection before the refresh, on the refresh token the provider is about to retire. */
    private Connection connected() {
        Connection c = f.services().tokenStore().upsert(new Connection(f.tenant, "generic", ConnectionStatus.active,
                "at-old-" + id, spent, "Bearer", List.of(), f.h.clock.instant().plus(Duration.ofMinutes(2)), Map.of(),
                "user-1", null, null, 0));
        dynamo.reset();
        return c;
    }

    private Predicate<String> thisConnection() {
        return body -> body.contains(f.h.resources.tableName("ConnectionsTable")) && body.contains(f.tenant);
    }

    private Connection refresh(Connection c) {
        Services services = f.services();
        return services.tokenRefresher().refresh(f.h.rebased("generic"), services.providerConfig("generic"), c);
    }

    /** Refreshes while every write of the connection fails: the provider rotates, DynamoDB refuses for good. */
    private void refreshDuringAnOutage(Connection c) {
        outage = dynamo.fail(PUT, thisConnection(), -1, Fault.dynamoInternalError());
        assertThatThrownBy(() -> refresh(c)).isInstanceOfSatisfying(ConnectorException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.STORAGE_UNAVAILABLE));
        assertThat(outage.injected()).as("SAVE_ATTEMPTS x the SDK's 3 attempts").isEqualTo(12);
        f.h.wiremock.verify(1, postRequestedFor(urlEqualTo(prefix + "/token")));
    }

    private Connection stored() {
        return f.services().tokenStore().get(f.tenant, "generic").orElseThrow();
    }

    /** The one message on the sync queue, taken off it (a test hands it to the worker as often as it likes). */
    private Message rescueMessage() {
        String queue = f.h.resources.queueUrl("SyncQueue");
        List<Message> messages = StandIns.sqs().receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(10)
                .waitTimeSeconds(2)).messages();
        assertThat(messages).as(() -> "sync queue after events " + Telemetry.lines().stream().map(l -> l.path("event").asText()).toList())
                .hasSize(1);
        messages.forEach(m -> StandIns.sqs().deleteMessage(r -> r.queueUrl(queue).receiptHandle(m.receiptHandle())));
        return messages.get(0);
    }

    private SQSBatchResponse deliver(Message m) {
        return f.handler().handleRequest(WorkerFixture.event(m), TestContext.plenty());
    }

    private List<JsonNode> logged(String event) {
        return Telemetry.lines().stream().filter(l -> event.equals(l.path("event").asText())).toList();
    }

    @Test
    void aRotatedTokenDynamoDbRefusedIsRescuedThroughTheQueueAndTheNextRefreshUsesIt() throws IOException {
        Connection c = connected();
        refreshDuringAnOutage(c);
        assertThat(stored().refreshToken()).isEqualTo(spent); // the table still holds the spent token

        Message m = rescueMessage();
        JsonNode body = JSON.readTree(m.body());
        assertThat(body.path("type").asText()).isEqualTo("token_rescue");
        assertThat(body.path("tenant").asText()).isEqualTo(f.tenant);
        assertThat(m.body()).doesNotContain(rotated).doesNotContain(rotatedAccess).doesNotContain(spent)
                .contains("refresh_ct").contains("access_ct").contains("spent_ct");
        assertThat(logged("token_refresh_unsaved")).singleElement().satisfies(l -> assertThat(l.path("level").asText()).isEqualTo("WARN"));
        assertThat(logged("token_rescue_sent")).hasSize(1);
        assertThat(Telemetry.lines()).noneSatisfy(l -> assertThat(l.path("level").asText()).isEqualTo("ERROR")); // nothing lost
        assertThat(Telemetry.sum("TokenRescuesSent", Map.of("Provider", "generic"))).isEqualTo(1);

        // still down: the worker hands the message back to the queue, and nothing is written
        SQSBatchResponse during = deliver(m);
        assertThat(during.getBatchItemFailures()).extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                .containsExactly(m.messageId());

        outage.stop();
        assertThat(deliver(m).getBatchItemFailures()).isEmpty();

        Connection rescued = stored();
        assertThat(rescued.status()).isEqualTo(ConnectionStatus.active);
        assertThat(rescued.refreshToken()).isEqualTo(rotated);
        assertThat(rescued.accessToken()).isEqualTo(rotatedAccess);
        assertThat(rescued.version()).isEqualTo(c.version() + 1);
        assertThat(f.services().tokenStore().refreshDueAt(rescued)).isNotNull(); // back in the refresh index
        assertThat(Telemetry.sum("TokenRescuesApplied", Map.of("Provider", "generic"))).isEqualTo(1);

        // the next refresh presents the rescued token, and the provider accepts it
        f.h.wiremock.stubFor(post(urlEqualTo(prefix + "/token")).withRequestBody(containing("refresh_token=" + rotated))
                .willReturn(okJson(tokens("at-third-" + id, "rt-third-" + id))));
        Connection next = refresh(rescued);
        assertThat(next.refreshToken()).isEqualTo("rt-third-" + id);
        f.h.wiremock.verify(1, postRequestedFor(urlEqualTo(prefix + "/token")).withRequestBody(containing("refresh_token=" + rotated)));
        assertThat(stored().refreshToken()).isEqualTo("rt-third-" + id);
    }

    @Test
    void aDuplicateDeliveryChangesNothingAndALateOneNeverUndoesALaterRefresh() {
        Connection c = connected();
        refreshDuringAnOutage(c);
        outage.stop();
        Message m = rescueMessage();

        assertThat(deliver(m).getBatchItemFailures()).isEmpty();
        long afterFirst = stored().version();
        assertThat(deliver(m).getBatchItemFailures()).isEmpty(); // the same message again: SQS is at least once
        assertThat(stored().version()).isEqualTo(afterFirst);
        assertThat(stored().refreshToken()).isEqualTo(rotated);

        f.h.wiremock.stubFor(post(urlEqualTo(prefix + "/token")).withRequestBody(containing("refresh_token=" + rotated))
                .willReturn(okJson(tokens("at-third-" + id, "rt-third-" + id))));
        refresh(stored());
        assertThat(deliver(m).getBatchItemFailures()).isEmpty(); // a redrive from the DLQ, days later
        assertThat(stored().refreshToken()).isEqualTo("rt-third-" + id);
        assertThat(Telemetry.sum("TokenRescuesApplied", Map.of("Provider", "generic"))).isEqualTo(1);
        assertThat(logged("token_rescue_discarded")).extracting(l -> l.path("reason").asText())
                .containsExactly("already_applied", "superseded");
    }

    @Test
    void aReconnectInBetweenIsNeverOverwritten() {
        Connection c = connected();
        refreshDuringAnOutage(c);
        outage.stop();
        Connection reconnected = f.services().tokenStore().upsert(new Connection(f.tenant, "generic", ConnectionStatus.active,
                "at-reconnected-" + id, "rt-reconnected-" + id, "Bearer", List.of(), f.h.clock.instant().plus(Duration.ofHours(1)),
                Map.of(), "user-2", null, null, 0));

        assertThat(deliver(rescueMessage()).getBatchItemFailures()).isEmpty();

        Connection after = stored();
        assertThat(after.refreshToken()).isEqualTo("rt-reconnected-" + id);
        assertThat(after.accessToken()).isEqualTo("at-reconnected-" + id);
        assertThat(after.version()).isEqualTo(reconnected.version());
        assertThat(logged("token_rescue_discarded")).extracting(l -> l.path("reason").asText()).containsExactly("superseded");
    }

    @Test
    void aDisconnectInBetweenIsNeverResurrected() {
        Connection c = connected();
        refreshDuringAnOutage(c);
        outage.stop();
        assertThat(f.services().tokenStore().delete(f.tenant, "generic", stored().version())).isTrue();

        assertThat(deliver(rescueMessage()).getBatchItemFailures()).isEmpty();

        assertThat(f.services().tokenStore().get(f.tenant, "generic")).isEmpty();
        assertThat(logged("token_rescue_discarded")).extracting(l -> l.path("reason").asText()).containsExactly("disconnected");
    }

    @Test
    void aConnectionMarkedNeedsReauthByTheSpentTokenIsRepairedAndTheAppHearsItIsActive() {
        Connection c = connected();
        refreshDuringAnOutage(c);
        outage.stop();
        // DynamoDB is back before the rescue arrives: once the failed refresh's lease runs out, the next refresh
        // presents the spent token and is refused
        f.h.clock.advance(TokenRefresher.LEASE.plusSeconds(1));
        assertThatThrownBy(() -> refresh(stored())).isInstanceOfSatisfying(ConnectorException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_GRANT));
        Connection marked = stored();
        assertThat(marked.status()).isEqualTo(ConnectionStatus.needs_reauth);
        assertThat(f.services().tokenStore().refreshDueAt(marked)).isNull();

        assertThat(deliver(rescueMessage()).getBatchItemFailures()).isEmpty();

        Connection repaired = stored();
        assertThat(repaired.status()).isEqualTo(ConnectionStatus.active);
        assertThat(repaired.refreshToken()).isEqualTo(rotated);
        assertThat(repaired.version()).isEqualTo(marked.version() + 1);
        assertThat(logged("token_rescue_applied")).singleElement().satisfies(l -> assertThat(l.path("repaired").asBoolean()).isTrue());
        List<String> events = StandIns.sqs().receiveMessage(r -> r.queueUrl(f.h.resources.queueUrl("WebhookQueue"))
                .maxNumberOfMessages(10).waitTimeSeconds(1)).messages().stream().map(Message::body).toList();
        assertThat(events).anySatisfy(e -> assertThat(e).contains("connection.needs_reauth"));
        assertThat(events).anySatisfy(e -> assertThat(e).contains("connection.active").contains(f.tenant));
    }

    @Test
    void aRescueMovedToAnotherTenantDoesNotDecryptWritesNothingAndStaysForTheDlq() {
        Connection c = connected();
        refreshDuringAnOutage(c);
        outage.stop();
        Message m = rescueMessage();
        String other = "tenant-" + UUID.randomUUID();
        f.services().tokenStore().upsert(new Connection(other, "generic", ConnectionStatus.active, "at-other-" + id, spent,
                "Bearer", List.of(), null, Map.of(), "user-3", null, null, 0));
        Message moved = m.toBuilder().body(m.body().replace(f.tenant, other)).build();

        assertThat(deliver(moved).getBatchItemFailures()).hasSize(1); // the ciphertexts are bound to their tenant

        assertThat(f.services().tokenStore().get(other, "generic").orElseThrow().refreshToken()).isEqualTo(spent);
        assertThat(stored().refreshToken()).isEqualTo(spent);
        assertThat(logged("token_rescue_unreadable")).hasSize(1);
    }

    @Test
    void whenSqsFailsTooTheLossIsLoggedWithoutSecretsAndCounted() {
        try (FaultProxy sqs = FaultProxy.start(StandIns.sqsEndpoint())) {
            f.h.set(Settings.AWS_ENDPOINT_URL_SQS, sqs.endpoint().toString());
            String queue = f.h.resources.queueUrl("SyncQueue");
            sqs.fail(SEND, FaultProxy.mentions(queue), -1, Fault.sqsInternalError());
            Connection c = connected();

            refreshDuringAnOutage(c);

            assertThat(sqs.count(SEND, FaultProxy.mentions(queue))).isEqualTo(3);
        }
        assertThat(logged("token_refresh_lost")).singleElement().satisfies(l -> {
            assertThat(l.path("level").asText()).isEqualTo("ERROR");
            assertThat(l.path("tenant").asText()).isEqualTo(f.tenant);
            assertThat(l.path("provider").asText()).isEqualTo("generic");
            assertThat(l.path("error_code").asText()).isEqualTo("storage_unavailable");
        });
        assertThat(logged("token_rescue_sent")).isEmpty();
        assertThat(Telemetry.sum("TokenRefreshesLost", Map.of("Provider", "generic"))).isEqualTo(1);
        assertThat(LogCapture.all()).doesNotContain(rotated).doesNotContain(rotatedAccess).doesNotContain(spent)
                .doesNotContain("at-old-" + id);
    }
}
