package dev.connectors.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenCipherTest {
    private static final String TOKEN = "xoxb-plaintext-token-ünïcode";
    private static final String AAD = "tenant-a|slack|access";
    private static final byte[] K1 = key();
    private static final byte[] K2 = key();

    private final TokenCipher cipher = new TokenCipher(new TokenKeys("k1", Map.of("k1", K1)));

    @Test
    void roundTrip() {
        byte[] stored = cipher.encrypt(TOKEN, AAD);
        assertThat(cipher.decrypt(stored, "k1", AAD)).isEqualTo(TOKEN);
    }

    @Test
    void eachEncryptionUsesAFreshIvAndHidesThePlaintext() {
        byte[] a = cipher.encrypt(TOKEN, AAD);
        byte[] b = cipher.encrypt(TOKEN, AAD);

        assertThat(a).isNotEqualTo(b);
        assertThat(a.length).isEqualTo(12 + TOKEN.getBytes(StandardCharsets.UTF_8).length + 16); // IV + ct + tag
        assertThat(new String(a, StandardCharsets.ISO_8859_1)).doesNotContain("plaintext");
    }

    @ParameterizedTest
    @ValueSource(strings = {"tenant-b|slack|access", "tenant-a|gitlab|access", "tenant-a|slack|refresh", "", "tenant-a|slack|access "})
    void ciphertextBoundToAnotherContextDoesNotDecrypt(String otherAad) {
        byte[] stored = cipher.encrypt(TOKEN, AAD);
        assertDecryptFails(() -> cipher.decrypt(stored, "k1", otherAad));
    }

    @Test
    void anyAlteredByteIsDetected() {
        byte[] stored = cipher.encrypt(TOKEN, AAD);
        for (int i = 0; i < stored.length; i++) {
            byte[] altered = stored.clone();
            altered[i] ^= 0x01;
            assertDecryptFails(() -> cipher.decrypt(altered, "k1", AAD));
        }
    }

    @Test
    void truncatedOrEmptyCiphertextFailsTheSameWay() {
        byte[] stored = cipher.encrypt(TOKEN, AAD);
        for (int length : new int[]{0, 5, 12, 20, stored.length - 1}) {
            byte[] cut = java.util.Arrays.copyOf(stored, length);
            assertDecryptFails(() -> cipher.decrypt(cut, "k1", AAD));
        }
    }

    @Test
    void anUnknownKeyIdFails() {
        byte[] stored = cipher.encrypt(TOKEN, AAD);
        assertDecryptFails(() -> cipher.decrypt(stored, "k9", AAD));
    }

    @Test
    void afterRotationOldCiphertextStillDecryptsAndNewOnesUseTheNewKey() {
        byte[] old = cipher.encrypt(TOKEN, AAD);
        TokenCipher rotated = new TokenCipher(new TokenKeys("k2", Map.of("k1", K1, "k2", K2)));

        assertThat(rotated.currentKeyId()).isEqualTo("k2");
        assertThat(rotated.decrypt(old, "k1", AAD)).isEqualTo(TOKEN);
        byte[] fresh = rotated.encrypt(TOKEN, AAD);
        assertThat(rotated.decrypt(fresh, "k2", AAD)).isEqualTo(TOKEN);
        assertDecryptFails(() -> rotated.decrypt(fresh, "k1", AAD));
        assertDecryptFails(() -> cipher.decrypt(fresh, "k2", AAD)); // a reader without the new key
    }

    @Test
    void keysAreReadFromTheAppSecretInBothBase64Alphabets() throws Exception {
        byte[] urlSafe = new byte[32];
        java.util.Arrays.fill(urlSafe, (byte) 0xfb); // encodes with '-' / '_' in the URL alphabet
        String json = "{\"token_keys\":{\"t1\":\"" + Base64.getEncoder().encodeToString(K1) + "\",\"t2\":\""
                + Base64.getUrlEncoder().encodeToString(urlSafe) + "\"},\"token_key_current\":\"t2\"}";

        TokenKeys keys = TokenKeys.fromJson(new ObjectMapper().readTree(json));

        assertThat(keys.currentId()).isEqualTo("t2");
        assertThat(keys.key("t1")).isEqualTo(K1);
        assertThat(keys.key("t2")).isEqualTo(urlSafe);
        assertThat(keys.toString()).doesNotContain(Base64.getEncoder().encodeToString(K1));
    }

    @Test
    void badKeyMaterialIsRefused() {
        assertThatThrownBy(() -> new TokenKeys("k1", Map.of("k1", new byte[16]))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TokenKeys("k2", Map.of("k1", K1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TokenKeys.fromJson(new ObjectMapper().readTree("{\"token_keys\":{}}")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static void assertDecryptFails(org.assertj.core.api.ThrowableAssert.ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOf(IllegalStateException.class).hasMessageNotContaining(TOKEN);
    }

    private static byte[] key() {
        byte[] k = new byte[32];
        new SecureRandom().nextBytes(k);
        return k;
    }
}
