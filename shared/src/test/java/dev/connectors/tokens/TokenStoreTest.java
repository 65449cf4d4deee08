package dev.connectors.tokens;

import dev.connectors.testing.StandIns;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The token store against the shared DynamoDB stand-in, tables from template.yaml via the harness. */
class TokenStoreTest {
    private static final byte[] K1 = key();
    private static final byte[] K2 = key();
    private static Harness h;

    static {
        LogCapture.install();
    }

    private final String tenant = "tenant-" + UUID.randomUUID();
    private final String access = "at-" + UUID.randomUUID();
    private final String refresh = "rt-" + UUID.randomUUID();

    @BeforeAll
    static void harness() {
        h = Harness.forFunction("GenericFunction");
    }

    @Test
    void roundTripThroughTheServicesStore() {
        h.clock.advance(Duration.ofSeconds(1)); // any fixed instant; stored at second precision
        Instant now = h.clock.instant().truncatedTo(ChronoUnit.SECONDS);
        Instant expires = now.plusSeconds(3600);
        TokenStore store = h.services().tokenStore();

        Connection saved = store.save(connection(tenant, "slack", access, refresh, expires));
        Connection read = h.services().tokenStore().get(tenant, "slack").orElseThrow(); // new clients: a restart

        assertThat(saved.version()).isEqualTo(1);
        assertThat(read.accessToken()).isEqualTo(access);
        assertThat(read.refreshToken()).isEqualTo(refresh);
        assertThat(read.status()).isEqualTo(ConnectionStatus.active);
        assertThat(read.tokenType()).isEqualTo("Bearer");
        assertThat(read.scopes()).containsExactly("channels:read", "users:read");
        assertThat(read.expiresAt()).isEqualTo(expires);
        assertThat(read.metadata()).containsEntry("team_id", "T1");
        assertThat(read.connectedBy()).isEqualTo("user-7");
        assertThat(read.createdAt()).isEqualTo(now);
        assertThat(read.updatedAt()).isEqualTo(now);
        assertThat(read.version()).isEqualTo(1);
        assertThat(read.toString()).doesNotContain(access).doesNotContain(refresh);
    }

    @Test
    void aConnectionWithoutTokensOrExpiryRoundTrips() {
        TokenStore store = store("k1", Map.of("k1", K1));
        store.save(connection(tenant, "notion", access, null, null));

        Connection read = store.get(tenant, "notion").orElseThrow();
        assertThat(read.refreshToken()).isNull();
        assertThat(read.expiresAt()).isNull();
        assertThat(read.status()).isEqualTo(ConnectionStatus.active);
    }

    @Test
    void theRawItemNeverHoldsPlaintext() {
        store("k1", Map.of("k1", K1)).save(connection(tenant, "slack", access, refresh, null));

        Map<String, AttributeValue> item = raw(tenant, "slack");
        assertThat(item).containsKeys("access_token_ct", "refresh_token_ct", "key_id", "version");
        assertThat(everyValueAsText(item)).doesNotContain(access).doesNotContain(refresh);
    }

    @Test
    void ciphertextMovedToAnotherTenantsRowDoesNotDecrypt() {
        String other = tenant + "-other";
        TokenStore store = store("k1", Map.of("k1", K1));
        store.save(connection(tenant, "slack", access, refresh, null));
        store.save(connection(other, "slack", "their-access", "their-refresh", null));

        Map<String, AttributeValue> theirs = new HashMap<>(raw(other, "slack"));
        theirs.put("access_token_ct", raw(tenant, "slack").get("access_token_ct"));
        putRaw(theirs);

        assertUnreadable(store.get(other, "slack").orElseThrow());
        assertThat(LogCapture.all()).contains("connection_undecryptable").doesNotContain(access);
    }

    @Test
    void refreshCiphertextMovedIntoTheAccessFieldDoesNotDecrypt() {
        TokenStore store = store("k1", Map.of("k1", K1));
        store.save(connection(tenant, "gitlab", access, refresh, null));

        Map<String, AttributeValue> item = new HashMap<>(raw(tenant, "gitlab"));
        item.put("access_token_ct", item.get("refresh_token_ct"));
        putRaw(item);

        assertUnreadable(store.get(tenant, "gitlab").orElseThrow());
    }

    @Test
    void aTruncatedCiphertextIsUnreadableNotACrash() {
        TokenStore store = store("k1", Map.of("k1", K1));
        store.save(connection(tenant, "gitlab", access, refresh, null));

        Map<String, AttributeValue> item = new HashMap<>(raw(tenant, "gitlab"));
        byte[] ct = item.get("access_token_ct").b().asByteArray();
        item.put("access_token_ct", AttributeValue.fromB(software.amazon.awssdk.core.SdkBytes.fromByteArray(
                java.util.Arrays.copyOf(ct, 20))));
        putRaw(item);

        assertUnreadable(store.get(tenant, "gitlab").orElseThrow());
    }

    @Test
    void keyRotationKeepsOldRowsReadableAndRewritesWithTheNewKey() {
        store("k1", Map.of("k1", K1)).save(connection(tenant, "slack", access, refresh, null));
        TokenStore rotated = store("k2", Map.of("k1", K1, "k2", K2));

        Connection old = rotated.get(tenant, "slack").orElseThrow();
        assertThat(old.accessToken()).isEqualTo(access);
        assertThat(raw(tenant, "slack").get("key_id").s()).isEqualTo("k1");

        rotated.save(old);
        assertThat(raw(tenant, "slack").get("key_id").s()).isEqualTo("k2");
        assertThat(store("k2", Map.of("k2", K2)).get(tenant, "slack").orElseThrow().accessToken()).isEqualTo(access);
        assertUnreadable(store("k1", Map.of("k1", K1)).get(tenant, "slack").orElseThrow()); // k2 unknown to it
    }

    @Test
    void staleVersionsAreRefused() {
        TokenStore store = store("k1", Map.of("k1", K1));
        Connection fresh = connection(tenant, "slack", access, refresh, null);
        Connection v1 = store.save(fresh);

        assertThatThrownBy(() -> store.save(fresh)).isInstanceOf(TokenStore.ConcurrentUpdateException.class);

        Connection v2 = store.save(v1.withTokens("at-2", "rt-2", null, null));
        assertThat(v2.version()).isEqualTo(2);
        assertThatThrownBy(() -> store.save(v1.withTokens("at-lost", "rt-lost", null, null)))
                .isInstanceOf(TokenStore.ConcurrentUpdateException.class)
                .hasMessageNotContaining("at-lost");
        assertThat(store.get(tenant, "slack").orElseThrow().accessToken()).isEqualTo("at-2");
    }

    @Test
    void upsertReplacesAReconnectionAndKeepsTheCreationTime() {
        TokenStore store = store("k1", Map.of("k1", K1));
        Connection first = store.upsert(connection(tenant, "gitlab", access, refresh, null));
        h.clock.advance(Duration.ofMinutes(5));

        Connection second = store.upsert(connection(tenant, "gitlab", "at-again", "rt-again", null));

        assertThat(second.version()).isEqualTo(first.version() + 1);
        assertThat(second.createdAt()).isEqualTo(first.createdAt().truncatedTo(ChronoUnit.SECONDS)); // stored in seconds
        assertThat(second.updatedAt()).isAfter(second.createdAt());
        assertThat(store.get(tenant, "gitlab").orElseThrow().accessToken()).isEqualTo("at-again");
    }

    @Test
    void tenantsNeverSeeEachOthersConnections() {
        String other = tenant + "-other";
        TokenStore store = store("k1", Map.of("k1", K1));
        store.save(connection(tenant, "slack", access, refresh, null));
        store.save(connection(other, "slack", "their-access", "their-refresh", null));

        assertThat(store.get(tenant, "slack").orElseThrow().accessToken()).isEqualTo(access);
        assertThat(store.get(other, "slack").orElseThrow().accessToken()).isEqualTo("their-access");
        assertThat(store.get(tenant + "-third", "slack")).isEmpty();
        assertThat(store.get(tenant, "gitlab")).isEmpty();
    }

    // ------------------------------------------------------------------ helpers

    private static TokenStore store(String current, Map<String, byte[]> keys) {
        return new TokenStore(StandIns.dynamo(), table(), new TokenCipher(new TokenKeys(current, keys)), h.clock);
    }

    private static Connection connection(String tenant, String provider, String access, String refresh, Instant expires) {
        return new Connection(tenant, provider, ConnectionStatus.active, access, refresh, "Bearer",
                List.of("channels:read", "users:read"), expires, Map.of("team_id", "T1"), "user-7", null, null, 0);
    }

    private static void assertUnreadable(Connection c) {
        assertThat(c.status()).isEqualTo(ConnectionStatus.error);
        assertThat(c.accessToken()).isNull();
        assertThat(c.refreshToken()).isNull();
    }

    private static String table() {
        return h.resources.tableName("ConnectionsTable");
    }

    private static Map<String, AttributeValue> raw(String tenant, String provider) {
        return StandIns.dynamo().getItem(r -> r.tableName(table()).consistentRead(true).key(Map.of(
                "tenant_id", AttributeValue.fromS(tenant), "provider", AttributeValue.fromS(provider)))).item();
    }

    private static void putRaw(Map<String, AttributeValue> item) {
        StandIns.dynamo().putItem(r -> r.tableName(table()).item(item));
    }

    /** Strings, numbers, binaries (as bytes), lists and maps, all flattened into one text. */
    private static String everyValueAsText(Map<String, AttributeValue> item) {
        StringBuilder out = new StringBuilder();
        item.values().forEach(v -> appendText(out, v));
        return out.toString();
    }

    private static void appendText(StringBuilder out, AttributeValue v) {
        if (v.s() != null) out.append(v.s()).append('\n');
        if (v.n() != null) out.append(v.n()).append('\n');
        if (v.b() != null) out.append(new String(v.b().asByteArray(), StandardCharsets.ISO_8859_1)).append('\n');
        if (v.hasL()) v.l().forEach(e -> appendText(out, e));
        if (v.hasM()) v.m().values().forEach(e -> appendText(out, e));
    }

    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }
}
