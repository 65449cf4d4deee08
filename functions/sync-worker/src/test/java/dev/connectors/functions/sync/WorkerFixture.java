package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import dev.connectors.runtime.Services;
import dev.connectors.sync.SyncJob;
import dev.connectors.testing.StandIns;
import dev.connectors.testkit.Harness;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.sqs.model.Message;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** A connected tenant with a queued backfill job, and a way to deliver queue messages like Lambda does. */
final class WorkerFixture {
    final Harness h = Harness.forFunction("SyncWorkerFunction");
    final String tenant = "tenant-" + UUID.randomUUID();
    final String provider;
    SyncJob job;
    /** The registry entries the worker reads: the real ones rebased onto WireMock unless a test sets its own. */
    java.util.function.Function<String, dev.connectors.providers.ProviderSpec> specs = h::rebased;

    WorkerFixture(String provider, Map<String, String> providerSettings) {
        this.provider = provider;
        h.providerSecret(provider, providerSettings);
    }

    static WorkerFixture generic() {
        WorkerFixture f = new WorkerFixture("generic", Map.of());
        String base = f.h.wiremock.baseUrl() + "/generic";
        f.h.providerSecret("generic", Map.of("authorize_url", base + "/authorize", "token_url", base + "/token",
                "api_base_url", base + "/api"));
        return f;
    }

    /** How the worker calls providers: the harness's default unless a test sets another (fault tests: ProviderFault.HTTP). */
    dev.connectors.http.ProviderHttp http;

    Services services() {
        return http == null ? h.services() : h.services(http);
    }

    WorkerFixture connect(String accessToken, String refreshToken, Instant expiresAt, Map<String, String> metadata) {
        Connection c = services().tokenStore().upsert(new Connection(tenant, provider, ConnectionStatus.active, accessToken,
                refreshToken, "Bearer", List.of(), expiresAt, metadata, "user-1", null, null, 0));
        job = services().syncJobs().start(tenant, provider, "connect-v" + c.version());
        return this;
    }

    SyncWorkerHandler handler() {
        return new SyncWorkerHandler(services(), specs);
    }

    /** Receives what is on the queue now and hands it to the worker as one SQS event. */
    SQSBatchResponse deliver(TestContext context) {
        List<Message> messages = StandIns.sqs().receiveMessage(r -> r.queueUrl(h.resources.queueUrl("SyncQueue"))
                .maxNumberOfMessages(10).waitTimeSeconds(1).visibilityTimeout(1).attributeNamesWithStrings("All")).messages();
        SQSEvent event = new SQSEvent();
        event.setRecords(messages.stream().map(WorkerFixture::toRecord).toList());
        SQSBatchResponse response = handler().handleRequest(event, context);
        List<String> failed = response.getBatchItemFailures().stream().map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).toList();
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                StandIns.sqs().deleteMessage(r -> r.queueUrl(h.resources.queueUrl("SyncQueue")).receiptHandle(m.receiptHandle()));
            }
        }
        return response;
    }

    /** Hands the worker a message for the job directly (a redelivery or duplicate). */
    SQSBatchResponse deliverJobMessage(TestContext context) {
        SQSEvent event = new SQSEvent();
        SQSEvent.SQSMessage m = new SQSEvent.SQSMessage();
        m.setMessageId(UUID.randomUUID().toString());
        m.setBody(dev.connectors.sync.JobQueue.body(job.jobId()));
        event.setRecords(List.of(m));
        return handler().handleRequest(event, context);
    }

    SyncJob reload() {
        return services().jobStore().get(job.jobId()).orElseThrow();
    }

    int storedRecords(String model) {
        return StandIns.dynamo().query(r -> r.tableName(h.resources.tableName("RecordsTable"))
                .keyConditionExpression("pk = :pk")
                .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(tenant + "#" + provider + "#" + model)))
                .select("COUNT")).count();
    }

    int queueDepth(String attribute) {
        return Integer.parseInt(StandIns.sqs().getQueueAttributes(r -> r.queueUrl(h.resources.queueUrl("SyncQueue"))
                .attributeNamesWithStrings(attribute)).attributesAsStrings().get(attribute));
    }

    /** One received message as Lambda's SQS event source delivers it, without its receive count. */
    static SQSEvent event(Message m) {
        SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
        r.setMessageId(m.messageId());
        r.setReceiptHandle(m.receiptHandle());
        r.setBody(m.body());
        r.setEventSource("aws:sqs");
        SQSEvent event = new SQSEvent();
        event.setRecords(List.of(r));
        return event;
    }

    private static SQSEvent.SQSMessage toRecord(Message m) {
        SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
        r.setMessageId(m.messageId());
        r.setReceiptHandle(m.receiptHandle());
        r.setBody(m.body());
        r.setEventSource("aws:sqs");
        r.setAttributes(m.attributesAsStrings()); // ApproximateReceiveCount, as Lambda passes it
        return r;
    }

    /** Delivers what is on the queue, with a fresh context per round, until the job has finished and the queue is empty. */
    SyncJob drain(java.util.function.Supplier<TestContext> context, int maxRounds) {
        for (int round = 0; round < maxRounds; round++) {
            if (reload().status().finished() && queueDepth("ApproximateNumberOfMessages") == 0
                    && queueDepth("ApproximateNumberOfMessagesNotVisible") == 0) {
                return reload();
            }
            deliver(context.get());
        }
        throw new AssertionError("job not finished after " + maxRounds + " rounds: " + reload());
    }

    /** The stored records of a model: id → updated_at and payload (what a backfill must reproduce exactly). */
    Map<String, String> recordSet(String model) {
        Map<String, String> out = new java.util.TreeMap<>();
        StandIns.dynamo().queryPaginator(r -> r.tableName(h.resources.tableName("RecordsTable"))
                        .keyConditionExpression("pk = :pk")
                        .expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(tenant + "#" + provider + "#" + model))))
                .items().forEach(item -> out.put(item.get("record_id").s(),
                        (item.containsKey("updated_at") ? item.get("updated_at").n() : "-") + " " + item.get("payload").s()));
        return out;
    }
}
