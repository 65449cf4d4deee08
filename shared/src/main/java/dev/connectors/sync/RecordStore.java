package dev.connectors.sync;

import dev.connectors.dynamo.Storage;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.connectors.dynamo.Items.*;

/**
 * Synced records, keyed by ({@code tenant#provider#model}, record id). Writes are plain puts of the
 * same key, so a page written twice (redelivery, resume after a crash) never duplicates anything.
 */
public final class RecordStore {
    /** DynamoDB items stop at 400 KB; bigger payloads are kept as a marker rather than failing the job. */
    private static final int MAX_PAYLOAD_BYTES = 350_000;
    private static final int MAX_BATCH_ATTEMPTS = 8;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;

    public RecordStore(DynamoDbClient dynamo, String table, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
    }

    /** One page of a model's records in id order; {@code lastRecordId} is set only when more may follow. */
    public record Page(List<SyncRecord> records, String lastRecordId) {
    }

    public static String partition(String tenantId, String provider, String model) {
        return tenantId + "#" + provider + "#" + model;
    }

    public void upsert(String tenantId, String provider, String model, String jobId, List<SyncRecord> records) {
        // the same id twice in one batch is an error in DynamoDB: keep the last one
        Map<String, SyncRecord> unique = new LinkedHashMap<>();
        records.forEach(r -> unique.put(r.id(), r));
        List<WriteRequest> writes = new ArrayList<>();
        String pk = partition(tenantId, provider, model);
        long now = clock.instant().getEpochSecond();
        for (SyncRecord r : unique.values()) {
            Map<String, AttributeValue> item = new LinkedHashMap<>();
            item.put("pk", s(pk));
            item.put("record_id", s(r.id()));
            putIfPresent(item, "updated_at", r.updatedAt());
            if (r.payload().getBytes(StandardCharsets.UTF_8).length <= MAX_PAYLOAD_BYTES) {
                item.put("payload", s(r.payload()));
            } else {
                item.put("payload_too_large", AttributeValue.fromBool(true));
            }
            item.put("job_id", s(jobId));
            item.put("synced_at", n(now));
            writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
        }
        for (int i = 0; i < writes.size(); i += 25) {
            writeBatch(writes.subList(i, Math.min(writes.size(), i + 25)));
        }
    }

    private void writeBatch(List<WriteRequest> batch) {
        List<WriteRequest> pending = batch;
        for (int attempt = 1; !pending.isEmpty(); attempt++) {
            List<WriteRequest> toSend = pending;
            BatchWriteItemResponse res = Storage.call("write records",
                    () -> dynamo.batchWriteItem(r -> r.requestItems(Map.of(table, toSend))));
            pending = res.unprocessedItems().getOrDefault(table, List.of());
            if (!pending.isEmpty()) {
                if (attempt >= MAX_BATCH_ATTEMPTS) {
                    throw new dev.connectors.errors.ConnectorException(dev.connectors.errors.ErrorCode.STORAGE_UNAVAILABLE,
                            "records still unprocessed after " + attempt + " attempts (throttled)");
                }
                sleep(Math.min(2000, 50L << attempt)); // throttled: back off before resending the rest
            }
        }
    }

    /** The first record id of a model after {@code afterId} (fan-out walks parents in id order). */
    public Optional<String> nextId(String tenantId, String provider, String model, String afterId) {
        Map<String, AttributeValue> values = new LinkedHashMap<>();
        values.put(":pk", s(partition(tenantId, provider, model)));
        String condition = "pk = :pk";
        if (afterId != null) {
            condition += " AND record_id > :after";
            values.put(":after", s(afterId));
        }
        String expr = condition;
        List<Map<String, AttributeValue>> items = Storage.call("read parent records", () -> dynamo.query(r -> r
                .tableName(table).keyConditionExpression(expr).expressionAttributeValues(values)
                .projectionExpression("record_id").limit(1))).items();
        return items.isEmpty() ? Optional.empty() : Optional.of(str(items.get(0), "record_id"));
    }

    /**
     * Up to {@code limit} records of a model after {@code afterRecordId} (exclusive; null = from the start).
     * Asks for one more than the limit, so the last page says so instead of ending with an empty one.
     * A payload too large to store comes back as a record with a null payload.
     */
    public Page page(String tenantId, String provider, String model, String afterRecordId, int limit) {
        String pk = partition(tenantId, provider, model);
        Map<String, AttributeValue> start = afterRecordId == null ? null : Map.of("pk", s(pk), "record_id", s(afterRecordId));
        var res = Storage.call("read records", () -> dynamo.query(r -> r.tableName(table)
                .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk", s(pk)))
                .exclusiveStartKey(start).limit(limit + 1)));
        List<SyncRecord> records = res.items().stream().limit(limit)
                .map(i -> new SyncRecord(str(i, "record_id"), instant(i, "updated_at"), str(i, "payload"))).toList();
        // more follows when the extra item came back, or when DynamoDB stopped early at its 1 MB page size
        boolean more = res.items().size() > limit || (res.hasLastEvaluatedKey() && !res.lastEvaluatedKey().isEmpty());
        return new Page(records, more && !records.isEmpty() ? records.get(records.size() - 1).id() : null);
    }

    public Optional<Map<String, AttributeValue>> get(String tenantId, String provider, String model, String id) {
        Map<String, AttributeValue> item = Storage.call("read record", () -> dynamo.getItem(r -> r.tableName(table)
                .key(Map.of("pk", s(partition(tenantId, provider, model)), "record_id", s(id))))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
