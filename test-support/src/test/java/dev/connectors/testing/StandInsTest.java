package dev.connectors.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.WireMockServer;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

class StandInsTest {
    private static TestResources resources;
    private final DynamoDbClient dynamo = StandIns.dynamo();
    private final SqsClient sqs = StandIns.sqs();

    @BeforeAll
    static void createResources() {
        resources = TemplateResources.create(TemplateResources.uniquePrefix());
    }

    @Test
    void createsEveryTableAndQueueOfTheTemplateUnderThePrefix() {
        assertThat(resources.tableNames()).containsOnlyKeys("ConnectionsTable", "OAuthSessionsTable", "SyncJobsTable", "RecordsTable");
        assertThat(resources.queueUrls()).containsOnlyKeys("SyncQueue", "SyncDeadLetterQueue", "WebhookQueue", "WebhookDeadLetterQueue");
        assertThat(resources.tableName("ConnectionsTable")).isEqualTo(resources.prefix() + "ConnectionsTable");
        assertThat(dynamo.describeTable(r -> r.tableName(resources.tableName("SyncJobsTable"))).table().globalSecondaryIndexes())
                .extracting(gsi -> gsi.indexName()).containsExactlyInAnyOrder("pending-enqueue", "by-connection");
        assertThatThrownBy(() -> resources.tableName("Nope")).hasMessageContaining("known:");
    }

    @Test
    void conditionalPutAndDeleteReturningTheOldItem() {
        String table = resources.tableName("OAuthSessionsTable");
        Map<String, AttributeValue> session = Map.of("nonce", s("n-1"), "provider", s("slack"));
        dynamo.putItem(r -> r.tableName(table).item(session).conditionExpression("attribute_not_exists(nonce)"));
        assertThatThrownBy(() -> dynamo.putItem(r -> r.tableName(table).item(session).conditionExpression("attribute_not_exists(nonce)")))
                .isInstanceOf(ConditionalCheckFailedException.class);

        // single use: the first conditional delete gets the item, the second fails
        var consume = (java.util.function.Supplier<Map<String, AttributeValue>>) () -> dynamo.deleteItem(r -> r.tableName(table)
                .key(Map.of("nonce", s("n-1"))).conditionExpression("attribute_exists(nonce)").returnValues(ReturnValue.ALL_OLD)).attributes();
        assertThat(consume.get()).containsEntry("provider", s("slack"));
        assertThatThrownBy(consume::get).isInstanceOf(ConditionalCheckFailedException.class);
    }

    @Test
    void sparseGsiQuery() {
        String table = resources.tableName("SyncJobsTable");
        dynamo.putItem(r -> r.tableName(table).item(Map.of("job_id", s("j2"), "enqueue_pending", s("1"), "created_at", n(20))));
        dynamo.putItem(r -> r.tableName(table).item(Map.of("job_id", s("j1"), "enqueue_pending", s("1"), "created_at", n(10))));
        dynamo.putItem(r -> r.tableName(table).item(Map.of("job_id", s("j3"), "created_at", n(5)))); // confirmed: not indexed

        List<String> pending = dynamo.query(r -> r.tableName(table).indexName("pending-enqueue")
                        .keyConditionExpression("enqueue_pending = :p AND created_at < :t")
                        .expressionAttributeValues(Map.of(":p", s("1"), ":t", n(100))))
                .items().stream().map(item -> item.get("job_id").s()).toList();
        assertThat(pending).containsExactly("j1", "j2");
    }

    @Test
    void redriveMovesAMessageToTheDeadLetterQueueAfterMaxReceiveCount() {
        String queue = resources.queueUrl("SyncQueue");
        String dlq = resources.queueUrl("SyncDeadLetterQueue");
        sqs.sendMessage(r -> r.queueUrl(queue).messageBody("{\"job_id\":\"poison\"}"));

        for (int receive = 1; receive <= 5; receive++) { // maxReceiveCount in template.yaml
            assertThat(receive(queue)).as("receive %d", receive).singleElement()
                    .satisfies(m -> assertThat(m.body()).contains("poison"));
        }
        assertThat(receive(queue)).isEmpty();
        assertThat(receive(dlq)).singleElement().satisfies(m -> assertThat(m.body()).contains("poison"));
    }

    @Test
    void secretsManagerGetSecretValueIsAnsweredByWireMock() {
        WireMockServer wireMock = WireMockStandIn.shared();
        WireMockStandIn.stubSecret(wireMock, "connectors/slack", "{\"client_id\":\"abc\"}");
        WireMockStandIn.stubSecretNotFound(wireMock, "connectors/missing");

        try (SecretsManagerClient secrets = SecretsManagerClient.builder()
                .endpointOverride(URI.create(wireMock.baseUrl()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .build()) {
            assertThat(secrets.getSecretValue(r -> r.secretId("connectors/slack")).secretString()).isEqualTo("{\"client_id\":\"abc\"}");
            assertThatThrownBy(() -> secrets.getSecretValue(r -> r.secretId("connectors/missing")))
                    .isInstanceOf(ResourceNotFoundException.class);
        }
    }

    @Test
    void environmentOfAFunctionIsResolvedFromTheTemplate() {
        Map<String, String> env = resources.environment("SlackFunction");
        assertThat(env)
                .containsEntry("PROVIDER", "slack")
                .containsEntry("PROVIDER_SECRET_ID", "connectors/slack")
                .containsEntry("APP_SECRET_ID", "connectors/app")
                .containsEntry("CONNECTIONS_TABLE", resources.tableName("ConnectionsTable"))
                .containsEntry("SYNC_QUEUE_URL", resources.queueUrl("SyncQueue"))
                .containsEntry("TENANT_CLAIM", "tenant_id")
                .doesNotContainKey("PUBLIC_BASE_URL"); // no default: the test supplies it
        assertThat(resources.environment("SyncWorkerFunction")).doesNotContainKey("PROVIDER");
    }

    /** Visibility 0: the message is visible again at once, so each call is one more receive. */
    private List<Message> receive(String queueUrl) {
        return sqs.receiveMessage(r -> r.queueUrl(queueUrl).visibilityTimeout(0).waitTimeSeconds(1).maxNumberOfMessages(1)).messages();
    }

    private static AttributeValue s(String value) {
        return AttributeValue.fromS(value);
    }

    private static AttributeValue n(long value) {
        return AttributeValue.fromN(Long.toString(value));
    }
}
