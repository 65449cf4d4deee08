package dev.connectors.tokens;

import dev.connectors.dynamo.Storage;
import dev.connectors.log.Log;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.connectors.dynamo.Items.*;

/**
 * Connections in DynamoDB, keyed by (tenant_id, provider), so a tenant can only ever address its own
 * rows. Tokens are AES-GCM ciphertext bound to tenant|provider|field; writes use an optimistic version.
 */
public final class TokenStore {
    private static final Log LOG = Log.of(TokenStore.class);

    /** Another writer stored a newer version first; re-read and decide again. */
    public static final class ConcurrentUpdateException extends RuntimeException {
        ConcurrentUpdateException(String detail) {
            super(detail, null, false, false);
        }
    }

    /** The attributes {@link #list} reads: never the token ciphertext or its key id. */
    private static final List<String> SUMMARY_ATTRIBUTES = List.of("tenant_id", "provider", "status", "scopes",
            "expires_at", "metadata", "connected_by", "created_at", "updated_at");

    private final DynamoDbClient dynamo;
    private final String table;
    private final TokenCipher cipher;
    private final Clock clock;

    public TokenStore(DynamoDbClient dynamo, String table, TokenCipher cipher, Clock clock) {
        this.dynamo = dynamo;
        this.table = table;
        this.cipher = cipher;
        this.clock = clock;
    }

    /** A store for {@link #list} only: no key material is loaded, and reading or writing tokens fails. */
    public static TokenStore withoutKeys(DynamoDbClient dynamo, String table, Clock clock) {
        return new TokenStore(dynamo, table, null, clock);
    }

    /** The tenant's connections, without tokens: a Query on the tenant's partition that never fetches ciphertext. */
    public List<ConnectionSummary> list(String tenantId) {
        Map<String, String> names = new LinkedHashMap<>();
        for (int i = 0; i < SUMMARY_ATTRIBUTES.size(); i++) names.put("#a" + i, SUMMARY_ATTRIBUTES.get(i));
        List<ConnectionSummary> out = new ArrayList<>();
        Map<String, AttributeValue> start = null;
        do {
            Map<String, AttributeValue> from = start;
            var page = Storage.call("list connections", () -> dynamo.query(r -> r.tableName(table)
                    .keyConditionExpression("#a0 = :t").expressionAttributeValues(Map.of(":t", s(tenantId)))
                    .projectionExpression(String.join(", ", names.keySet())).expressionAttributeNames(names)
                    .exclusiveStartKey(from)));
            page.items().forEach(i -> out.add(summaryOf(i)));
            start = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        } while (start != null);
        return out;
    }

    public Optional<Connection> get(String tenantId, String provider) {
        Map<String, AttributeValue> item = Storage.call("read connection", () -> dynamo.getItem(r -> r.tableName(table)
                .key(key(tenantId, provider)).consistentRead(true))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    /**
     * Writes the connection if nobody wrote since it was read ({@code version}); returns it with its new version.
     * @throws ConcurrentUpdateException when the stored version moved on
     */
    public Connection save(Connection c) {
        Instant now = clock.instant();
        Connection stored = new Connection(c.tenantId(), c.provider(), c.status(), c.accessToken(), c.refreshToken(),
                c.tokenType(), c.scopes(), c.expiresAt(), c.metadata(), c.connectedBy(),
                c.createdAt() == null ? now : c.createdAt(), now, c.version() + 1, c.tokenSecret());
        PutItemRequest.Builder put = PutItemRequest.builder().tableName(table).item(toItem(stored));
        if (c.version() == 0) {
            put.conditionExpression("attribute_not_exists(tenant_id)");
        } else {
            put.conditionExpression("version = :v").expressionAttributeValues(Map.of(":v", n(c.version())));
        }
        try {
            Storage.run("write connection", () -> dynamo.putItem(put.build()));
        } catch (ConditionalCheckFailedException e) {
            throw new ConcurrentUpdateException("connection " + c.provider() + " changed since version " + c.version());
        }
        return stored;
    }

    /**
     * Stores a freshly authorized connection over whatever was there (a reconnect), keeping the
     * original creation time. Retries when a concurrent writer got in between.
     */
    public Connection upsert(Connection fresh) {
        for (int attempt = 1; ; attempt++) {
            Optional<Connection> current = get(fresh.tenantId(), fresh.provider());
            Connection next = new Connection(fresh.tenantId(), fresh.provider(), fresh.status(), fresh.accessToken(),
                    fresh.refreshToken(), fresh.tokenType(), fresh.scopes(), fresh.expiresAt(), fresh.metadata(),
                    fresh.connectedBy(), current.map(Connection::createdAt).orElse(null), null,
                    current.map(Connection::version).orElse(0L), fresh.tokenSecret());
            try {
                return save(next);
            } catch (ConcurrentUpdateException e) {
                if (attempt >= 3) throw e;
            }
        }
    }

    private Map<String, AttributeValue> key(String tenantId, String provider) {
        return Map.of("tenant_id", s(tenantId), "provider", s(provider));
    }

    private static String aad(String tenantId, String provider, String field) {
        return tenantId + "|" + provider + "|" + field;
    }

    private Map<String, AttributeValue> toItem(Connection c) {
        Map<String, AttributeValue> item = new HashMap<>(key(c.tenantId(), c.provider()));
        item.put("status", s(c.status().name()));
        item.put("key_id", s(cipher().currentKeyId()));
        if (c.accessToken() != null) {
            item.put("access_token_ct", b(cipher().encrypt(c.accessToken(), aad(c.tenantId(), c.provider(), "access"))));
        }
        if (c.refreshToken() != null) {
            item.put("refresh_token_ct", b(cipher().encrypt(c.refreshToken(), aad(c.tenantId(), c.provider(), "refresh"))));
        }
        if (c.tokenSecret() != null) {
            item.put("token_secret_ct", b(cipher().encrypt(c.tokenSecret(), aad(c.tenantId(), c.provider(), "token_secret"))));
        }
        putIfPresent(item, "token_type", c.tokenType());
        item.put("scopes", dev.connectors.dynamo.Items.list(c.scopes())); // qualified: list(String) is ours
        putIfPresent(item, "expires_at", c.expiresAt());
        item.put("metadata", map(c.metadata()));
        putIfPresent(item, "connected_by", c.connectedBy());
        putIfPresent(item, "created_at", c.createdAt());
        putIfPresent(item, "updated_at", c.updatedAt());
        item.put("version", n(c.version()));
        return item;
    }

    private static ConnectionSummary summaryOf(Map<String, AttributeValue> item) {
        return new ConnectionSummary(str(item, "tenant_id"), str(item, "provider"),
                ConnectionStatus.valueOf(str(item, "status")), strings(item, "scopes"), instant(item, "expires_at"),
                strMap(item, "metadata"), str(item, "connected_by"), instant(item, "created_at"),
                instant(item, "updated_at"));
    }

    private TokenCipher cipher() {
        if (cipher == null) throw new IllegalStateException("this token store was built without keys (listing only)");
        return cipher;
    }

    private Connection fromItem(Map<String, AttributeValue> item) {
        String tenant = str(item, "tenant_id");
        String provider = str(item, "provider");
        ConnectionStatus status = ConnectionStatus.valueOf(str(item, "status"));
        TokenCipher keys = cipher(); // outside the try: a store without keys is a bug, not an unreadable token
        String access = null;
        String refresh = null;
        String tokenSecret = null;
        try {
            String keyId = str(item, "key_id");
            byte[] a = bytes(item, "access_token_ct");
            byte[] r = bytes(item, "refresh_token_ct");
            access = a == null ? null : keys.decrypt(a, keyId, aad(tenant, provider, "access"));
            refresh = r == null ? null : keys.decrypt(r, keyId, aad(tenant, provider, "refresh"));
            byte[] ts = bytes(item, "token_secret_ct");
            tokenSecret = ts == null ? null : keys.decrypt(ts, keyId, aad(tenant, provider, "token_secret"));
        } catch (IllegalStateException | IllegalArgumentException e) {
            // unreadable tokens are as good as none: the user must reconnect; never guess
            LOG.error("connection_undecryptable", "tenant", tenant, "provider", provider, "error", e);
            status = ConnectionStatus.error;
        }
        return new Connection(tenant, provider, status, access, refresh, str(item, "token_type"),
                strings(item, "scopes"), instant(item, "expires_at"), strMap(item, "metadata"),
                str(item, "connected_by"), instant(item, "created_at"), instant(item, "updated_at"),
                num(item, "version", 0), tokenSecret);
    }
}
