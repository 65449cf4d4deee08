package dev.connectors.local;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

class DevJwtTest {
    private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private final Instant now = Instant.parse("2026-01-01T00:00:00Z");
    private final DevJwt jwt = new DevJwt(KEY, Clock.fixed(now, ZoneOffset.UTC));

    @Test
    void aTokenItIssuedVerifiesWithItsClaimsAsStrings() {
        String token = jwt.issue("tenant_id", "t-1", "sub", "u-1");

        var claims = DevJwt.asEventClaims(jwt.verify(token).orElseThrow());

        assertThat(claims).containsEntry("tenant_id", "t-1").containsEntry("sub", "u-1")
                .containsEntry("iss", DevJwt.ISSUER).containsEntry("exp", Long.toString(now.plus(DevJwt.LIFETIME).getEpochSecond()));
    }

    @Test
    void rejectsExpiredNotYetValidForeignAndUnsignedTokens() {
        String token = jwt.issue("tenant_id", "t-1", "sub", "u-1");
        DevJwt later = new DevJwt(KEY, Clock.fixed(now.plus(DevJwt.LIFETIME).plusSeconds(1), ZoneOffset.UTC));
        DevJwt earlier = new DevJwt(KEY, Clock.fixed(now.minus(Duration.ofMinutes(1)), ZoneOffset.UTC));
        DevJwt otherKey = new DevJwt("another key, another key, 32 by".getBytes(StandardCharsets.US_ASCII), Clock.fixed(now, ZoneOffset.UTC));
        String payload = token.split("\\.")[1];
        String none = b64("{\"alg\":\"none\"}") + "." + payload + ".";

        assertThat(later.verify(token)).isEmpty();
        assertThat(earlier.verify(token)).isEmpty();
        assertThat(otherKey.verify(token)).isEmpty();
        assertThat(jwt.verify(none)).isEmpty();
        assertThat(jwt.verify("x.y.z")).isEmpty();
        assertThat(jwt.verify("")).isEmpty();
    }

    @Test
    void checksIssuerAndAudience() {
        String header = b64("{\"alg\":\"HS256\"}");
        long exp = now.getEpochSecond() + 60;
        for (String claims : new String[]{
                "{\"iss\":\"someone-else\",\"aud\":\"connectors-local\",\"exp\":" + exp + "}",
                "{\"iss\":\"connectors-local\",\"aud\":\"other\",\"exp\":" + exp + "}",
                "{\"iss\":\"connectors-local\",\"aud\":\"connectors-local\"}"}) {
            assertThat(jwt.verify(signed(header, b64(claims)))).as(claims).isEmpty();
        }
        String arrayAud = "{\"iss\":\"connectors-local\",\"aud\":[\"x\",\"connectors-local\"],\"exp\":" + exp + "}";
        assertThat(jwt.verify(signed(header, b64(arrayAud)))).isPresent();
    }

    private static String signed(String header, String payload) {
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(KEY, "HmacSHA256"));
            byte[] sig = mac.doFinal((header + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return header + "." + payload + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String b64(String s) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }
}
