package dev.connectors.state;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class NoncesTest {

    @Test
    void tenThousandNoncesAreUnique43CharBase64Url() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String nonce = Nonces.newNonce();
            assertThat(nonce).hasSize(43).matches("[A-Za-z0-9_-]+");
            seen.add(nonce);
        }
        assertThat(seen).hasSize(10_000);
    }

    @Test
    void carries32Bytes() {
        assertThat(Base64.getUrlDecoder().decode(Nonces.newNonce())).hasSize(32);
    }
}
