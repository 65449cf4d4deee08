package dev.connectors.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.LocalSecondaryIndex;
import software.amazon.awssdk.services.dynamodb.model.Projection;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Creates the template's DynamoDB tables and SQS queues under a name prefix, so the schema lives
 * only in template.yaml and test classes never see each other's data.
 *
 * <p>Taken from the template: key schema, attribute definitions, GSIs/LSIs and projections; queue
 * timeouts, retention, delay, FIFO settings and the redrive policy (its {@code !GetAtt Dlq.Arn} is
 * resolved to the ARN the server reports: ElasticMQ's carry the region "elasticmq"). Left out
 * because they do not change behaviour under test, or dynalite lacks them: TTL (dynalite has no
 * UpdateTimeToLive), SSE, PITR, streams, tags, queue encryption. Tables are always on-demand.
 */
public final class TemplateResources {
    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9_-]{0,40}");
    private static final Duration ACTIVE_TIMEOUT = Duration.ofMinutes(2); // real DynamoDB takes seconds; dynalite none
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> QUEUE_ATTRIBUTES = Set.of("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds",
            "MaximumMessageSize", "ReceiveMessageWaitTimeSeconds", "FifoQueue", "ContentBasedDeduplication");
    private static CfnTemplate repoTemplate;

    private TemplateResources() {}

    /** A prefix like {@code t1a2b3c4d-}, unique enough to share one real AWS account between runs. */
    public static String uniquePrefix() {
        return "t" + Integer.toHexString(ThreadLocalRandom.current().nextInt() | 0x10000000) + "-";
    }

    /** The repository's template.yaml on the shared {@link StandIns}. */
    public static TestResources create(String prefix) {
        return create(repoTemplate(), prefix, StandIns.dynamo(), StandIns.sqs());
    }

    public static TestResources create(CfnTemplate template, String prefix, DynamoDbClient dynamo, SqsClient sqs) {
        return create(template, prefix, dynamo, sqs, false);
    }

    /**
     * Like {@link #create(CfnTemplate, String, DynamoDbClient, SqsClient)}, but keeps tables that
     * already exist (with their items) instead of failing: for a persistent store reused across
     * restarts under a fixed prefix. An existing table is not compared with the template.
     * Queues are created as usual (CreateQueue with the same attributes returns the existing queue).
     */
    public static TestResources createMissing(CfnTemplate template, String prefix, DynamoDbClient dynamo, SqsClient sqs) {
        return create(template, prefix, dynamo, sqs, true);
    }

    private static TestResources create(CfnTemplate template, String prefix, DynamoDbClient dynamo, SqsClient sqs,
                                        boolean keepExisting) {
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix must match " + PREFIX + " (valid in table and queue names): " + prefix);
        }
        Set<String> existing = keepExisting ? Set.copyOf(dynamo.listTablesPaginator().tableNames().stream().toList()) : Set.of();
        Map<String, String> tables = new LinkedHashMap<>();
        template.resourcesOfType("AWS::DynamoDB::Table").forEach((id, props) -> {
            tables.put(id, prefix + id);
            if (!existing.contains(prefix + id)) {
                dynamo.createTable(tableRequest(prefix + id, props));
            }
        });
        tables.values().forEach(name -> awaitActive(dynamo, name)); // created together, awaited together
        return new TestResources(template, prefix, tables, createQueues(template, prefix, sqs));
    }

    private static synchronized CfnTemplate repoTemplate() {
        if (repoTemplate == null) {
            repoTemplate = CfnTemplate.ofRepo();
        }
        return repoTemplate;
    }

    // ------------------------------------------------------------------ DynamoDB

    private static CreateTableRequest tableRequest(String name, Map<String, Object> props) {
        CreateTableRequest.Builder request = CreateTableRequest.builder()
                .tableName(name)
                .billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(keySchema(props.get("KeySchema")))
                .attributeDefinitions(maps(props.get("AttributeDefinitions")).stream()
                        .map(a -> AttributeDefinition.builder()
                                .attributeName(text(a, "AttributeName"))
                                .attributeType(text(a, "AttributeType"))
                                .build())
                        .toList());
        List<GlobalSecondaryIndex> gsis = maps(props.get("GlobalSecondaryIndexes")).stream()
                .map(i -> GlobalSecondaryIndex.builder()
                        .indexName(text(i, "IndexName"))
                        .keySchema(keySchema(i.get("KeySchema")))
                        .projection(projection(i.get("Projection")))
                        .build())
                .toList();
        List<LocalSecondaryIndex> lsis = maps(props.get("LocalSecondaryIndexes")).stream()
                .map(i -> LocalSecondaryIndex.builder()
                        .indexName(text(i, "IndexName"))
                        .keySchema(keySchema(i.get("KeySchema")))
                        .projection(projection(i.get("Projection")))
                        .build())
                .toList();
        if (!gsis.isEmpty()) { // an empty list is sent as [] and rejected
            request.globalSecondaryIndexes(gsis);
        }
        if (!lsis.isEmpty()) {
            request.localSecondaryIndexes(lsis);
        }
        return request.build();
    }

    private static List<KeySchemaElement> keySchema(Object keys) {
        return maps(keys).stream()
                .map(k -> KeySchemaElement.builder().attributeName(text(k, "AttributeName")).keyType(text(k, "KeyType")).build())
                .toList();
    }

    private static Projection projection(Object value) {
        Map<String, Object> projection = CfnTemplate.map(value);
        Projection.Builder builder = Projection.builder().projectionType(String.valueOf(projection.getOrDefault("ProjectionType", "KEYS_ONLY")));
        if (projection.get("NonKeyAttributes") instanceof List<?> attributes) {
            builder.nonKeyAttributes(attributes.stream().map(String::valueOf).toList());
        }
        return builder.build();
    }

    private static void awaitActive(DynamoDbClient dynamo, String table) {
        long deadline = System.nanoTime() + ACTIVE_TIMEOUT.toNanos();
        long pauseMillis = 20;
        while (true) {
            TableDescription description = dynamo.describeTable(r -> r.tableName(table)).table();
            boolean active = description.tableStatus() == TableStatus.ACTIVE
                    && description.globalSecondaryIndexes().stream().allMatch(i -> i.indexStatus() == IndexStatus.ACTIVE);
            if (active) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("Table " + table + " not ACTIVE after " + ACTIVE_TIMEOUT + ": " + description.tableStatus());
            }
            sleep(pauseMillis);
            pauseMillis = Math.min(pauseMillis * 2, 1000);
        }
    }

    // ------------------------------------------------------------------ SQS

    /** Dead-letter queues first: a redrive policy needs its target's ARN. */
    private static Map<String, String> createQueues(CfnTemplate template, String prefix, SqsClient sqs) {
        Map<String, Map<String, Object>> pending = new LinkedHashMap<>(template.resourcesOfType("AWS::SQS::Queue"));
        Map<String, String> urls = new LinkedHashMap<>();
        Map<String, String> arns = new LinkedHashMap<>();
        while (!pending.isEmpty()) {
            List<String> ready = new ArrayList<>();
            pending.forEach((id, props) -> {
                String target = deadLetterTarget(props);
                if (target == null || arns.containsKey(target)) {
                    ready.add(id);
                }
            });
            if (ready.isEmpty()) {
                throw new IllegalStateException("Queues whose RedrivePolicy names no queue of the template (or a cycle): " + pending.keySet());
            }
            for (String id : ready) {
                Map<String, Object> props = pending.remove(id);
                boolean fifo = Boolean.parseBoolean(String.valueOf(props.get("FifoQueue")));
                String url = sqs.createQueue(r -> r.queueName(prefix + id + (fifo ? ".fifo" : ""))
                        .attributes(queueAttributes(props, arns))).queueUrl();
                urls.put(id, url);
                arns.put(id, sqs.getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                        .attributes().get(QueueAttributeName.QUEUE_ARN));
            }
        }
        return urls;
    }

    private static Map<QueueAttributeName, String> queueAttributes(Map<String, Object> props, Map<String, String> arns) {
        Map<QueueAttributeName, String> attributes = new EnumMap<>(QueueAttributeName.class);
        props.forEach((name, value) -> {
            if (QUEUE_ATTRIBUTES.contains(name)) {
                attributes.put(QueueAttributeName.fromValue(name), String.valueOf(value));
            }
        });
        Map<String, Object> redrive = CfnTemplate.map(props.get("RedrivePolicy"));
        if (!redrive.isEmpty()) {
            Map<String, String> policy = Map.of(
                    "deadLetterTargetArn", arns.get(deadLetterTarget(props)),
                    "maxReceiveCount", String.valueOf(redrive.get("maxReceiveCount")));
            attributes.put(QueueAttributeName.REDRIVE_POLICY, json(policy));
        }
        return attributes;
    }

    /** Logical id of the queue named by {@code deadLetterTargetArn: !GetAtt Dlq.Arn}, or null. */
    private static String deadLetterTarget(Map<String, Object> props) {
        Object target = CfnTemplate.map(props.get("RedrivePolicy")).get("deadLetterTargetArn");
        if (target == null) {
            return null;
        }
        if (CfnTemplate.map(target).get("Fn::GetAtt") instanceof List<?> getAtt && getAtt.size() == 2 && "Arn".equals(getAtt.get(1))) {
            return String.valueOf(getAtt.get(0));
        }
        throw new IllegalStateException("deadLetterTargetArn must be !GetAtt <Queue>.Arn of a queue in the template, got " + target);
    }

    // ------------------------------------------------------------------ helpers

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Object value) {
        return value instanceof List<?> list ? (List<Map<String, Object>>) list : List.of();
    }

    private static String text(Map<String, Object> map, String key) {
        Object value = map.get(key);
        if (value == null) {
            throw new IllegalStateException("Missing " + key + " in " + map);
        }
        return String.valueOf(value);
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for a table", e);
        }
    }
}
