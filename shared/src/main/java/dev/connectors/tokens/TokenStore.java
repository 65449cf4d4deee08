package dev.connectors.tokens;

import dev.connectors.dynamo.Storage;
import dev.connectors.log.Log;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.PutItemRequest;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

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

    /** Sparse GSI of the refresher: only active connections with a refresh token and a due time carry its keys. */
    public static final String REFRESH_INDEX = "refresh-due";
    /** Fixed shards of the index's partition key ("due#0".."due#3"), so no single GSI partition takes every write. */
    public static final int REFRESH_SHARDS = 4;
    /**
     * How long before expiry (or the idle limit) a connection becomes due: three runs of the 5-minute
     * schedule, so one failed or late run never lets a token lapse.
     */
    public static final Duration REFRESH_AHEAD = Duration.ofMinutes(15);

    /** The refresh lease and failure counters of a connection (never tokens). */
    public record RefreshState(String leaseOwner, Instant leaseUntil, int failures, String lastError, Instant dueAt) {
    }

    /** A connection key as the refresh index returns it. */
    public record Key(String tenantId, String provider) {
    }

    /** One page of due keys, and where the next page starts (null at the end). */
    public record DuePage(List<Key> keys, Map<String, AttributeValue> next) {
    }

    /** Outcome of re-encrypting one row with the current key. */
    public enum Reencryption { reencrypted, already_current, unreadable, gone }

    /** The attributes {@link #list} reads: never the token ciphertext or its key id. */
    private static final List<String> SUMMARY_ATTRIBUTES = List.of("tenant_id", "provider", "status", "scopes",
            "expires_at", "metadata", "connected_by", "created_at", "updated_at");

    private final DynamoDbClient dynamo;
    private final String table;
    private final TokenCipher cipher;
    private final Clock clock;
    /** Refresh tokens unused this long are refreshed even without an expiry (null: never, the default). */
    private final Duration idleRefresh;

    public TokenStore(DynamoDbClient dynamo, String table, TokenCipher cipher, Clock clock) {
        this(dynamo, table, cipher, clock, null);
    }

    public TokenStore(DynamoDbClient dynamo, String table, TokenCipher cipher, Clock clock, Duration idleRefresh) {
        this.dynamo = dynamo;
        this.table = table;
        this.cipher = cipher;
        this.clock = clock;
        this.idleRefresh = idleRefresh;
    }

    public Duration idleRefresh() {
        return idleRefresh;
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

    /**
     * Deletes the connection (tokens and all) if it is still at {@code version}: a reconnect or refresh
     * that happened since it was read is never deleted blindly. False when it changed or is gone.
     */
    public boolean delete(String tenantId, String provider, long version) {
        try {
            Storage.run("delete connection", () -> dynamo.deleteItem(r -> r.tableName(table).key(key(tenantId, provider))
                    .conditionExpression("version = :v").expressionAttributeValues(Map.of(":v", n(version)))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
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
        Instant due = refreshDueAt(c);
        if (due != null) { // sparse: everything else stays out of the refresher's index
            item.put("refresh_bucket", s(refreshBucket(c.tenantId(), c.provider())));
            item.put("refresh_due_at", n(due.getEpochSecond()));
        }
        return item;
    }

    /**
     * When the refresher should renew this connection: {@link #REFRESH_AHEAD} before its expiry, or (with
     * an idle policy) before its last write plus that period, whichever is first. A failed refresh moves
     * it to the back-off's retry time instead ({@link #recordRefreshFailure}). Null when it cannot or need
     * not be refreshed: such rows stay out of the index.
     */
    public Instant refreshDueAt(Connection c) {
        if (c.status() != ConnectionStatus.active || c.refreshToken() == null) return null;
        Instant idle = idleRefresh == null || c.updatedAt() == null ? null : c.updatedAt().plus(idleRefresh);
        Instant limit = c.expiresAt() == null ? idle : idle == null || c.expiresAt().isBefore(idle) ? c.expiresAt() : idle;
        return limit == null ? null : limit.minus(REFRESH_AHEAD);
    }

    public static String refreshBucket(String tenantId, String provider) {
        return "due#" + Math.floorMod((tenantId + "|" + provider).hashCode(), REFRESH_SHARDS);
    }

    // ------------------------------------------------------------------ refresh index, lease, failures

    /**
     * One page of connections due at or before {@code cutoff} in one shard of the sparse index: a Query that
     * reads only due items, so its cost follows the number due, never the number of connections.
     * @return the keys, and the start key of the next page (null at the end)
     */
    public DuePage dueBefore(int shard, Instant cutoff, int limit,
                                                                       Map<String, AttributeValue> start) {
        var page = Storage.call("query due connections", () -> dynamo.query(r -> r.tableName(table).indexName(REFRESH_INDEX)
                .keyConditionExpression("refresh_bucket = :b AND refresh_due_at <= :c")
                .expressionAttributeValues(Map.of(":b", s("due#" + shard), ":c", n(cutoff.getEpochSecond())))
                .limit(limit).exclusiveStartKey(start)));
        List<Key> keys = page.items().stream().map(i -> new Key(str(i, "tenant_id"), str(i, "provider"))).toList();
        Map<String, AttributeValue> next = page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
        return new DuePage(keys, next);
    }

    /**
     * Takes the refresh lease on version {@code version} of the connection: a conditional write that
     * succeeds only when nobody holds an unexpired lease and nobody wrote since that version.
     * @return the state with the lease, or empty when another holds it or the version moved on
     */
    public Optional<RefreshState> acquireRefreshLease(String tenantId, String provider, long version, String owner, Duration ttl) {
        Instant now = clock.instant();
        try {
            Map<String, AttributeValue> after = Storage.call("lease connection refresh", () -> dynamo.updateItem(r -> r
                    .tableName(table).key(key(tenantId, provider))
                    .updateExpression("SET refresh_lease_owner = :o, refresh_lease_until = :u")
                    .conditionExpression("version = :v AND (attribute_not_exists(refresh_lease_until) OR refresh_lease_until < :now)")
                    .expressionAttributeValues(Map.of(":o", s(owner), ":u", n(now.plus(ttl).toEpochMilli()),
                            ":v", n(version), ":now", n(now.toEpochMilli())))
                    .returnValues(ReturnValue.ALL_NEW))).attributes();
            return Optional.of(refreshStateOf(after));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /**
     * Counts a transient refresh failure, keeps its error code, releases the holder's lease, and moves the
     * connection's place in the refresh index to {@code retryAt} (the back-off). Tokens and version are untouched.
     */
    public void recordRefreshFailure(String tenantId, String provider, String owner, String errorCode, Instant retryAt) {
        Map<String, AttributeValue> values = new HashMap<>(Map.of(":one", n(1), ":zero", n(0), ":e", s(errorCode),
                ":at", n(clock.instant().getEpochSecond()), ":due", n(retryAt.getEpochSecond())));
        StringBuilder condition = new StringBuilder("attribute_exists(tenant_id)");
        if (owner != null) {
            condition.append(" AND refresh_lease_owner = :o");
            values.put(":o", s(owner));
        }
        try {
            Storage.run("record refresh failure", () -> dynamo.updateItem(r -> r.tableName(table).key(key(tenantId, provider))
                    .updateExpression("SET refresh_failures = if_not_exists(refresh_failures, :zero) + :one, "
                            + "last_refresh_error = :e, last_refresh_error_at = :at, refresh_due_at = :due "
                            + "REMOVE refresh_lease_owner, refresh_lease_until")
                    .conditionExpression(condition.toString()).expressionAttributeValues(values)));
        } catch (ConditionalCheckFailedException ignored) {
            // the row was rewritten meanwhile (a refresh or reconnect won): its fresh state needs no back-off
        }
    }

    /** Lease and failure counters, read consistently; empty when the connection does not exist. */
    public Optional<RefreshState> refreshState(String tenantId, String provider) {
        Map<String, AttributeValue> item = Storage.call("read refresh state", () -> dynamo.getItem(r -> r.tableName(table)
                .key(key(tenantId, provider)).consistentRead(true)
                .projectionExpression("version, refresh_lease_owner, refresh_lease_until, refresh_failures, last_refresh_error, refresh_due_at"))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(refreshStateOf(item));
    }

    private static RefreshState refreshStateOf(Map<String, AttributeValue> item) {
        long until = num(item, "refresh_lease_until", -1);
        return new RefreshState(str(item, "refresh_lease_owner"), until < 0 ? null : Instant.ofEpochMilli(until),
                (int) num(item, "refresh_failures", 0), str(item, "last_refresh_error"), instant(item, "refresh_due_at"));
    }

    // ------------------------------------------------------------------ key rotation

    /** The key id a row is encrypted with (null when the row does not exist). */
    public String storedKeyId(String tenantId, String provider) {
        Map<String, AttributeValue> item = Storage.call("read key id", () -> dynamo.getItem(r -> r.tableName(table)
                .key(key(tenantId, provider)).consistentRead(true).projectionExpression("key_id"))).item();
        return item == null ? null : str(item, "key_id");
    }

    /**
     * Re-encrypts one row's ciphertexts with the current key, in place: an UpdateItem conditioned on the
     * version and old key id, so tokens, version, lease and counters stay as they are. A row that does not
     * decrypt is left alone (never overwritten with nothing).
     */
    public Reencryption reencrypt(String tenantId, String provider) {
        TokenCipher keys = cipher();
        for (int attempt = 1; ; attempt++) {
            Map<String, AttributeValue> item = Storage.call("read connection", () -> dynamo.getItem(r -> r.tableName(table)
                    .key(key(tenantId, provider)).consistentRead(true))).item();
            if (item == null || item.isEmpty()) return Reencryption.gone;
            String oldKey = str(item, "key_id");
            if (keys.currentKeyId().equals(oldKey)) return Reencryption.already_current;
            Map<String, AttributeValue> values = new HashMap<>();
            List<String> sets = new ArrayList<>();
            try {
                for (Map.Entry<String, String> f : CIPHERTEXTS.entrySet()) {
                    byte[] ct = bytes(item, f.getKey());
                    if (ct == null) continue;
                    String aad = aad(tenantId, provider, f.getValue());
                    values.put(":" + f.getValue(), b(keys.encrypt(keys.decrypt(ct, oldKey, aad), aad)));
                    sets.add(f.getKey() + " = :" + f.getValue());
                }
            } catch (IllegalStateException | IllegalArgumentException e) {
                LOG.error("connection_undecryptable", "tenant", tenantId, "provider", provider, "error", e);
                return Reencryption.unreadable;
            }
            sets.add("key_id = :k");
            values.put(":k", s(keys.currentKeyId()));
            values.put(":v", item.get("version"));
            values.put(":old", item.containsKey("key_id") ? item.get("key_id") : s(""));
            try {
                Storage.run("re-encrypt connection", () -> dynamo.updateItem(r -> r.tableName(table).key(key(tenantId, provider))
                        .updateExpression("SET " + String.join(", ", sets))
                        .conditionExpression("version = :v AND key_id = :old").expressionAttributeValues(values)));
                return Reencryption.reencrypted;
            } catch (ConditionalCheckFailedException e) {
                if (attempt >= 3) throw new ConcurrentUpdateException("connection " + provider + " kept changing during re-encryption");
            }
        }
    }

    /**
     * Every row's key, key id first, one Scan page at a time. Only for the one-shot re-encryption job:
     * without a tenant there is no partition to query, and the job must visit every row once anyway.
     * @return the start key of the next page, null when the table is done
     */
    public Map<String, AttributeValue> scanKeyIds(Map<String, AttributeValue> start, int pageSize,
                                                  Consumer<Map.Entry<Key, String>> row) {
        var page = Storage.call("scan connections", () -> dynamo.scan(r -> r.tableName(table).limit(pageSize)
                .projectionExpression("tenant_id, provider, key_id").exclusiveStartKey(start)));
        page.items().forEach(i -> row.accept(Map.entry(new Key(str(i, "tenant_id"), str(i, "provider")), String.valueOf(str(i, "key_id")))));
        return page.hasLastEvaluatedKey() && !page.lastEvaluatedKey().isEmpty() ? page.lastEvaluatedKey() : null;
    }

    public String currentKeyId() {
        return cipher().currentKeyId();
    }

    private static final Map<String, String> CIPHERTEXTS = Map.of(
            "access_token_ct", "access", "refresh_token_ct", "refresh", "token_secret_ct", "token_secret");

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
