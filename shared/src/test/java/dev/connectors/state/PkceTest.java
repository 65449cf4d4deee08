package dev.connectors.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

class PkceTest {

    @Test
    void rfc7636AppendixBVector() {
        // RFC 7636 Appendix B: these 32 octets, base64url-encoded, are the verifier.
        byte[] octets = {116, 24, (byte) 223, (byte) 180, (byte) 151, (byte) 153, (byte) 224, 37,
            79, (byte) 250, 96, 125, (byte) 216, (byte) 173, (byte) 187, (byte) 186, 22, (byte) 212,
            37, 77, 105, (byte) 214, (byte) 191, (byte) 240, 91, 88, 5, 88, 83, (byte) 132, (byte) 141,
            121};
        String verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assertThat(Base64.getUrlEncoder().withoutPadding().encodeToString(octets)).isEqualTo(verifier);
        assertThat(Pkce.challenge(verifier)).isEqualTo("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
        assertThat(Pkce.method()).isEqualTo("S256");
    }

    @Test
    void verifiersAreUnique43CharsFromTheUnreservedSet() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            String v = Pkce.newVerifier();
            assertThat(v).hasSize(43).matches("[A-Za-z0-9\\-._~]+");
            assertThat(Pkce.challenge(v)).hasSize(43).matches("[A-Za-z0-9_-]+");
            seen.add(v);
        }
        assertThat(seen).hasSize(1000);
    }

    @Test
    void acceptsFullUnreservedSetUpTo128() {
        assertThat(Pkce.challenge("a-._~".repeat(9))).hasSize(43);
        assertThat(Pkce.challenge("Z".repeat(128))).hasSize(43);
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {"", "short", "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjX",
        "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk=", "dBjftJeZ4CVP+mB92K27uhbUJU1p1r/wW1gFWFOEjXk",
        "dBjftJeZ4CVP mB92K27uhbUJU1p1r_wW1gFWFOEjXk", "ééééééééééééééééééééééééééééééééééééééééééé"})
    void rejectsBadVerifiers(String verifier) {
        assertThatThrownBy(() -> Pkce.challenge(verifier)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsVerifierLongerThan128() {
        assertThatThrownBy(() -> Pkce.challenge("a".repeat(129)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
