package dev.connectors.tokens;

import dev.connectors.testing.StandIns;
import dev.connectors.testkit.Harness;
import dev.connectors.testkit.LogCapture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Token key rotation: old rows stay readable, saves re-encrypt lazily, the one-shot job re-encrypts the rest. */
class TokenReencryptionTest {
    private static final byte[] K1 = key();
    private static final byte[] K2 = key();

    static {
        LogCapture.install();
    }

    private final Harness h = Harness.forFunction("ReencryptTokensFunction");

    @Test
    void afterRotationOldRowsReadAndTheNextSaveWritesWithTheNewKey() {
        String tenant = "tenant-" + UUID.randomUUID();
        store("k1", Map.of("k1", K1)).save(connection(tenant, "slack", "at-1", "rt-1"));
        TokenStore rotated = store("k2", Map.of("k1", K1, "k2", K2));

        Connection old = rotated.get(tenant, "slack").orElseThrow();
        assertThat(old.accessToken()).isEqualTo("at-1");
        assertThat(rotated.storedKeyId(tenant, "slack")).as("reading does not write").isEqualTo("k1");

        rotated.save(old.withTokens("at-2", "rt-1", null, null));
        assertThat(rotated.storedKeyId(tenant, "slack")).isEqualTo("k2");
        assertThat(store("k2", Map.of("k2", K2)).get(tenant, "slack").orElseThrow().accessToken()).isEqualTo("at-2");
    }

    @Test
    void theOneShotJobReencryptsEveryOldRowInPlaceAndLeavesUnreadableRowsAlone() {
        TokenStore before = store("k1", Map.of("k1", K1));
        String a = "tenant-a-" + UUID.randomUUID();
        String b = "tenant-b-" + UUID.randomUUID();
        before.save(connection(a, "slack", "at-a", "rt-a"));
        Connection bv1 = before.save(connection(b, "gitlab", "at-b", "rt-b"));
        before.save(bv1.withTokens("at-b2", "rt-b2", null, null)); // version 2
        before.acquireRefreshLease(b, "gitlab", 2, "holder", Duration.ofSeconds(60));
        // a row under a key nobody has any more: must be reported, never overwritten
        store("k0", Map.of("k0", key())).save(connection(a, "notion", "at-lost", null));
        TokenStore rotated = store("k2", Map.of("k1", K1, "k2", K2));
        rotated.save(connection(b, "notion", "at-new", null)); // already current

        TokenReencryption.Result result = new TokenReencryption(rotated).run(null, () -> true);

        assertThat(result.scanned()).isEqualTo(4);
        assertThat(result.reencrypted()).isEqualTo(2);
        assertThat(result.alreadyCurrent()).isEqualTo(1);
        assertThat(result.unreadable()).isEqualTo(1);
        assertThat(result.next()).isNull();
        TokenStore onlyK2 = store("k2", Map.of("k2", K2));
        assertThat(rotated.storedKeyId(a, "slack")).isEqualTo("k2");
        assertThat(onlyK2.get(a, "slack").orElseThrow().accessToken()).isEqualTo("at-a");
        Connection gitlab = onlyK2.get(b, "gitlab").orElseThrow();
        assertThat(gitlab.accessToken()).isEqualTo("at-b2");
        assertThat(gitlab.refreshToken()).isEqualTo("rt-b2");
        assertThat(gitlab.version()).as("same tokens: same version").isEqualTo(2);
        assertThat(rotated.refreshState(b, "gitlab").orElseThrow().leaseOwner()).as("lease kept").isEqualTo("holder");
        assertThat(rotated.storedKeyId(a, "notion")).as("unreadable row untouched").isEqualTo("k0");
        assertThat(raw(a, "notion")).containsKey("access_token_ct");
        assertThat(LogCapture.all()).doesNotContain("at-a").doesNotContain("rt-b2");

        TokenReencryption.Result again = new TokenReencryption(rotated).run(null, () -> true);
        assertThat(again.reencrypted()).isZero();
    }

    @Test
    void theJobResumesFromWhereItStopped() {
        TokenStore before = store("k1", Map.of("k1", K1));
        for (int i = 0; i < TokenReencryption.PAGE + 20; i++) {
            before.save(connection("t-" + i + "-" + UUID.randomUUID(), "slack", "at-" + i, "rt-" + i));
        }
        TokenStore rotated = store("k2", Map.of("k1", K1, "k2", K2));

        TokenReencryption.Result first = new TokenReencryption(rotated).run(null, () -> false); // one page, then out of time
        assertThat(first.next()).isNotNull();
        TokenReencryption.Result rest = new TokenReencryption(rotated).run(first.next(), () -> true);

        assertThat(rest.next()).isNull();
        assertThat(first.reencrypted() + rest.reencrypted()).isEqualTo(TokenReencryption.PAGE + 20);
    }

    private TokenStore store(String current, Map<String, byte[]> keys) {
        return new TokenStore(StandIns.dynamo(), h.resources.tableName("ConnectionsTable"),
                new TokenCipher(new TokenKeys(current, new HashMap<>(keys))), h.clock);
    }

    private Map<String, AttributeValue> raw(String tenant, String provider) {
        return StandIns.dynamo().getItem(r -> r.tableName(h.resources.tableName("ConnectionsTable")).consistentRead(true)
                .key(Map.of("tenant_id", AttributeValue.fromS(tenant), "provider", AttributeValue.fromS(provider)))).item();
    }

    private static Connection connection(String tenant, String provider, String access, String refresh) {
        return new Connection(tenant, provider, ConnectionStatus.active, access, refresh, "Bearer", List.of(), null,
                Map.of(), "user-1", null, null, 0);
    }

    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }
}
