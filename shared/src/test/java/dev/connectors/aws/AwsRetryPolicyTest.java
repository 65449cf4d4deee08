package dev.connectors.aws;

import dev.connectors.config.Settings;
import dev.connectors.testing.FaultProxy;
import dev.connectors.testing.FaultProxy.Fault;
import dev.connectors.testing.StandIns;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.DynamoDbException;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.SqsException;

import java.util.Map;
import java.util.UUID;

import static dev.connectors.testing.FaultProxy.any;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The retry policy every function gets from {@link AwsClients}, proven on the wire: the SDK's standard mode makes
 * 3 attempts for DynamoDB throttling, 5xx and SQS 5xx, then surfaces the service's error (which {@code Storage}
 * turns into storage_unavailable). The fault tests of the callback, backfill and refresh count on these numbers.
 */
class AwsRetryPolicyTest {
    private static FaultProxy dynamoProxy;
    private static FaultProxy sqsProxy;
    private static DynamoDbClient dynamo;
    private static SqsClient sqs;
    private static String queueUrl;

    @BeforeAll
    static void start() {
        dynamoProxy = FaultProxy.start(StandIns.dynamoEndpoint());
        sqsProxy = FaultProxy.start(StandIns.sqsEndpoint());
        AwsClients clients = new AwsClients(new Settings(Map.of(
                Settings.AWS_ENDPOINT_URL_DYNAMODB, dynamoProxy.endpoint().toString(),
                Settings.AWS_ENDPOINT_URL_SQS, sqsProxy.endpoint().toString())));
        dynamo = clients.dynamo();
        sqs = clients.sqs();
        queueUrl = StandIns.sqs().createQueue(r -> r.queueName("retry-policy-" + UUID.randomUUID())).queueUrl();
    }

    @AfterAll
    static void stop() {
        dynamo.close();
        sqs.close();
        dynamoProxy.close();
        sqsProxy.close();
    }

    @Test
    void throttlingIsRetriedTwiceThenSurfacesAsTheServicesException() {
        dynamoProxy.reset();
        FaultProxy.Rule outage = dynamoProxy.fail("DynamoDB_20120810.ListTables", any(), -1, Fault.dynamoThroughputExceeded());

        assertThatThrownBy(() -> dynamo.listTables()).isInstanceOf(ProvisionedThroughputExceededException.class);

        assertThat(dynamoProxy.count("DynamoDB_20120810.ListTables", any())).isEqualTo(3);
        assertThat(outage.injected()).isEqualTo(3);
    }

    @Test
    void twoThrottledOrFailedAttemptsAreInvisibleToTheCaller() {
        dynamoProxy.reset();
        dynamoProxy.fail("DynamoDB_20120810.ListTables", any(), 1, Fault.dynamoThrottling());
        dynamoProxy.fail("DynamoDB_20120810.ListTables", any(), 1, Fault.dynamoUnavailable());

        assertThat(dynamo.listTables().tableNames()).isNotNull();

        assertThat(dynamoProxy.count("DynamoDB_20120810.ListTables", any())).isEqualTo(3);
    }

    @Test
    void internalErrorsAreRetriedLikeThrottling() {
        dynamoProxy.reset();
        dynamoProxy.fail("DynamoDB_20120810.ListTables", any(), -1, Fault.dynamoInternalError());

        assertThatThrownBy(() -> dynamo.listTables())
                .isInstanceOfSatisfying(DynamoDbException.class, e -> assertThat(e.statusCode()).isEqualTo(500));

        assertThat(dynamoProxy.count("DynamoDB_20120810.ListTables", any())).isEqualTo(3);
    }

    @Test
    void aFailingSqsSendIsTriedThreeTimesAndAResetConnectionIsRetriedToo() {
        sqsProxy.reset();
        sqsProxy.fail("AmazonSQS.SendMessage", any(), -1, Fault.sqsInternalError());

        assertThatThrownBy(() -> sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("{}")))
                .isInstanceOfSatisfying(SqsException.class, e -> assertThat(e.statusCode()).isEqualTo(500));
        assertThat(sqsProxy.count("AmazonSQS.SendMessage", any())).isEqualTo(3);

        sqsProxy.reset();
        sqsProxy.fail("AmazonSQS.SendMessage", any(), 2, Fault.RESET);
        sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody("{\"n\":1}"));
        assertThat(sqsProxy.count("AmazonSQS.SendMessage", any())).isEqualTo(3);
        assertThat(StandIns.sqs().receiveMessage(r -> r.queueUrl(queueUrl).waitTimeSeconds(1)).messages())
                .singleElement().satisfies(m -> assertThat(m.body()).isEqualTo("{\"n\":1}")); // sent once, not three times
    }
}
