package dev.connectors.state;

import dev.connectors.dynamo.Storage;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static dev.connectors.dynamo.Items.*;

/**
 * OAuth sessions in DynamoDB with a TTL attribute. {@link #consume} is a conditional claim that
 * returns the item, so each state works exactly once even under concurrent callbacks.
 * TTL deletion is late (and absent in dynalite), so callers check {@code expiresAt} themselves.
 */
public final class OAuthSessionStore {
    private final DynamoDbClient dynamo;
    private final String table;

    public OAuthSessionStore(DynamoDbClient dynamo, String table) {
        this.dynamo = dynamo;
        this.table = table;
    }

    public void put(OAuthSession s) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put("nonce", s(s.nonce()));
        item.put("provider", s(s.provider()));
        item.put("tenant_id", s(s.tenantId()));
        putIfPresent(item, "user_id", s.userId());
        putIfPresent(item, "return_to", s.returnTo());
        putIfPresent(item, "code_verifier", s.codeVerifier());
        putIfPresent(item, "request_token", s.requestToken());
        putIfPresent(item, "request_token_secret", s.requestTokenSecret());
        putIfPresent(item, "browser_hash", s.browserHash());
        item.put("inputs", map(s.inputs()));
        item.put("expires_at", n(s.expiresAt().getEpochSecond()));
        item.put("ttl", n(s.expiresAt().getEpochSecond() + 3600));
        Storage.run("write oauth session", () -> dynamo.putItem(r -> r.tableName(table).item(item)
                .conditionExpression("attribute_not_exists(nonce)")));
    }

    /**
     * Claims, removes and returns the session; empty when it never existed or was already used. The claim is a
     * conditional write naming this call, not a bare conditional delete: when DynamoDB applies a write but its
     * answer is lost, the SDK retries it, and a retried delete would find the item gone and turn the user's own
     * first use into "already used". A retried claim finds its own name and goes on.
     */
    public Optional<OAuthSession> consume(String nonce) {
        String claim = java.util.UUID.randomUUID().toString();
        Map<String, AttributeValue> item;
        try {
            item = Storage.call("consume oauth session", () -> dynamo.updateItem(r -> r.tableName(table)
                    .key(Map.of("nonce", s(nonce)))
                    .updateExpression("SET consumed_by = :c")
                    .conditionExpression("attribute_exists(nonce) AND attribute_not_exists(consumed_by)")
                    .expressionAttributeValues(Map.of(":c", s(claim)))
                    .returnValues(ReturnValue.ALL_NEW))).attributes();
        } catch (ConditionalCheckFailedException e) {
            item = Storage.call("read oauth session", () -> dynamo.getItem(r -> r.tableName(table)
                    .key(Map.of("nonce", s(nonce))).consistentRead(true))).item();
            if (item == null || !claim.equals(str(item, "consumed_by"))) return Optional.empty(); // used by someone else
        }
        Map<String, AttributeValue> old = item;
        try {
            Storage.run("delete oauth session", () -> dynamo.deleteItem(r -> r.tableName(table).key(Map.of("nonce", s(nonce)))));
        } catch (dev.connectors.errors.ConnectorException e) {
            // claimed already, so it can never be used again; TTL removes it
        }
        return Optional.of(new OAuthSession(str(old, "nonce"), str(old, "provider"), str(old, "tenant_id"),
                str(old, "user_id"), str(old, "return_to"), str(old, "code_verifier"), strMap(old, "inputs"), instant(old, "expires_at"),
                str(old, "request_token"), str(old, "request_token_secret"), str(old, "browser_hash")));
    }
}
