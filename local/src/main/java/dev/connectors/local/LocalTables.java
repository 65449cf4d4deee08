package dev.connectors.local;

import dev.connectors.testing.CfnTemplate;
import dev.connectors.testing.TemplateResources;
import dev.connectors.testing.TestResources;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;
import software.amazon.awssdk.services.sqs.SqsClient;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Tables and queues from template.yaml under a fixed prefix, created only when missing so a restart
 * keeps the data. A kept table whose keys or indexes no longer match the template (the template
 * changed since it was created) is rebuilt with its items copied over: dynalite cannot add an index
 * to an existing table, and the functions would fail on the missing index.
 */
final class LocalTables {
    private LocalTables() {
    }

    static TestResources ensure(CfnTemplate template, String prefix, DynamoDbClient dynamo, SqsClient sqs, Consumer<String> say) {
        Map<String, List<Map<String, AttributeValue>>> saved = new LinkedHashMap<>();
        template.resourcesOfType("AWS::DynamoDB::Table").forEach((id, props) -> {
            String name = prefix + id;
            TableDescription existing;
            try {
                existing = dynamo.describeTable(r -> r.tableName(name)).table();
            } catch (ResourceNotFoundException e) {
                return;
            }
            if (!shape(existing).equals(shape(props))) {
                List<Map<String, AttributeValue>> items = new ArrayList<>();
                dynamo.scanPaginator(r -> r.tableName(name)).items().forEach(items::add);
                dynamo.deleteTable(r -> r.tableName(name));
                saved.put(name, items);
            }
        });
        TestResources resources = TemplateResources.createMissing(template, prefix, dynamo, sqs);
        saved.forEach((name, items) -> {
            for (int i = 0; i < items.size(); i += 25) {
                List<WriteRequest> batch = items.subList(i, Math.min(i + 25, items.size())).stream()
                        .map(item -> WriteRequest.builder().putRequest(p -> p.item(item)).build()).toList();
                Map<String, List<WriteRequest>> pending = Map.of(name, batch);
                while (!pending.isEmpty()) {
                    Map<String, List<WriteRequest>> request = pending;
                    pending = dynamo.batchWriteItem(r -> r.requestItems(request)).unprocessedItems();
                }
            }
            say.accept("Rebuilt " + name + ": its keys or indexes changed in template.yaml (" + items.size() + " items kept)");
        });
        return resources;
    }

    /** Key schema and index key schemas, as comparable text. */
    private static String shape(TableDescription t) {
        Map<String, String> indexes = new TreeMap<>();
        t.globalSecondaryIndexes().forEach(i -> indexes.put(i.indexName(), keys(i.keySchema())));
        t.localSecondaryIndexes().forEach(i -> indexes.put(i.indexName(), keys(i.keySchema())));
        return keys(t.keySchema()) + indexes;
    }

    private static String shape(Map<String, Object> props) {
        Map<String, String> indexes = new TreeMap<>();
        for (String kind : List.of("GlobalSecondaryIndexes", "LocalSecondaryIndexes")) {
            if (props.get(kind) instanceof List<?> list) {
                for (Object o : list) {
                    Map<String, Object> index = RouteTable.map(o);
                    indexes.put(String.valueOf(index.get("IndexName")), keys(index.get("KeySchema")));
                }
            }
        }
        return keys(props.get("KeySchema")) + indexes;
    }

    private static String keys(List<KeySchemaElement> keys) {
        StringBuilder b = new StringBuilder();
        keys.forEach(k -> b.append(k.attributeName()).append(':').append(k.keyTypeAsString()).append(' '));
        return b.toString();
    }

    private static String keys(Object templateKeys) {
        StringBuilder b = new StringBuilder();
        if (templateKeys instanceof List<?> list) {
            for (Object o : list) {
                Map<String, Object> k = RouteTable.map(o);
                b.append(k.get("AttributeName")).append(':').append(k.get("KeyType")).append(' ');
            }
        }
        return b.toString();
    }
}
