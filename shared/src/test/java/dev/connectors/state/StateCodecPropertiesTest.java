package dev.connectors.state;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.testkit.Hostile;
import dev.connectors.testkit.MutableClock;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * No input opens a state but one we signed: garbage, forged signatures (an attacker's key, any payload),
 * and every mutation of a genuine state end in {@code invalid_state}, never in another exception, and the
 * rejection never repeats the input.
 */
class StateCodecPropertiesTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private static final byte[] OURS = key(7);
    private static final byte[] ATTACKER = key(66);
    private final StateCodec codec = new StateCodec(new StateKeys("k1", Map.of("k1", OURS)), new MutableClock(NOW));

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) seed);
        return k;
    }

    @Property(tries = 1500, seed = Hostile.SEED)
    void hostileStringsAreInvalidState(@ForAll("hostile") String state) {
        assertRejected(state);
    }

    @Property(tries = 500, seed = Hostile.SEED)
    void anyPayloadSignedWithAnotherKeyIsInvalidState(@ForAll("payloads") String json, @ForAll("keyIds") String keyId) {
        assertRejected(sign(json.replace("KID", keyId), ATTACKER));
    }

    @Property(tries = 500, seed = Hostile.SEED)
    void everyMutationOfAGenuineStateIsInvalidState(@ForAll("nonces") String nonce, @ForAll("mutations") Mutation m) {
        String genuine = codec.encode(nonce, "slack", NOW.plusSeconds(300));
        assertThat(codec.decode(genuine, "slack").nonce()).isEqualTo(nonce);
        String mutated = m.apply(genuine);
        if (!mutated.equals(genuine)) assertRejected(mutated);
    }

    private void assertRejected(String state) {
        Throwable t = catchThrowable(() -> codec.decode(state, "slack"));
        assertThat(t).isInstanceOfSatisfying(ConnectorException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
            if (state != null && state.length() >= 6) assertThat(e.detail()).doesNotContain(state);
        });
    }

    private static String sign(String json, byte[] key) {
        String signed = "v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return signed + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    @Provide
    Arbitrary<String> hostile() {
        return Arbitraries.oneOf(Hostile.strings(),
                Hostile.assembled().map(s -> "v1." + s + "." + "A".repeat(43)),
                Hostile.assembled().map(s -> "v1." + Base64.getUrlEncoder().withoutPadding().encodeToString(s.getBytes(StandardCharsets.UTF_8)) + "." + s));
    }

    /** Well-formed and malformed payloads: the fields we read, with hostile values and types, duplicates, nesting. */
    @Provide
    Arbitrary<String> payloads() {
        Arbitrary<String> value = Arbitraries.oneOf(Hostile.assembled().map(s -> "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\""),
                Arbitraries.of("1", "-1", "1e400", "99999999999999999999", "null", "true", "{}", "[]", "\"slack\""));
        return Arbitraries.oneOf(
                value.map(v -> "{\"n\":" + v + ",\"p\":\"slack\",\"e\":" + (NOW.getEpochSecond() + 60) + ",\"k\":\"KID\"}"),
                value.map(v -> "{\"n\":\"x\",\"p\":" + v + ",\"e\":" + (NOW.getEpochSecond() + 60) + ",\"k\":\"KID\"}"),
                value.map(v -> "{\"n\":\"x\",\"p\":\"slack\",\"e\":" + v + ",\"k\":\"KID\"}"),
                Arbitraries.just("{\"n\":\"x\",\"p\":\"slack\",\"p\":\"notion\",\"e\":" + (NOW.getEpochSecond() + 60) + ",\"k\":\"KID\"}"),
                Arbitraries.just("{\"n\":\"x\",\"p\":\"slack\",\"e\":" + (NOW.getEpochSecond() + 60) + ",\"k\":\"KID\"}"),
                Hostile.strings());
    }

    @Provide
    Arbitrary<String> keyIds() {
        return Arbitraries.oneOf(Arbitraries.just("k1"), Hostile.assembled());
    }

    @Provide
    Arbitrary<String> nonces() {
        return Arbitraries.strings().withCharRange('a', 'z').numeric().ofMinLength(8).ofMaxLength(40);
    }

    /** Flip, drop, insert, truncate, extend, or swap the segments of a state. */
    record Mutation(int kind, int position, char c) {
        String apply(String s) {
            int i = Math.floorMod(position, s.length());
            return switch (kind) {
                case 0 -> s.substring(0, i) + c + s.substring(i + 1);
                case 1 -> s.substring(0, i) + s.substring(i + 1);
                case 2 -> s.substring(0, i) + c + s.substring(i);
                case 3 -> s.substring(0, i);
                case 4 -> s + c;
                default -> {
                    String[] p = s.split("\\.");
                    yield p[0] + "." + p[2] + "." + p[1];
                }
            };
        }
    }

    @Provide
    Arbitrary<Mutation> mutations() {
        return net.jqwik.api.Combinators.combine(Arbitraries.integers().between(0, 5), Arbitraries.integers(),
                Arbitraries.oneOf(Arbitraries.chars().alpha().numeric().with('-', '_', '.', '=', '%', '+', '/'), Arbitraries.chars().all()))
                .as(Mutation::new);
    }
}
