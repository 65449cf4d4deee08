package dev.connectors.state;

import dev.connectors.testkit.MutableClock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StateCodecTest {
    private static final Instant NOW = Instant.parse("2025-06-01T12:00:00Z");
    private static final byte[] K1 = key(1);
    private static final byte[] K2 = key(2);

    private final MutableClock clock = new MutableClock(NOW);

    private static byte[] key(int seed) {
        byte[] k = new byte[32];
        Arrays.fill(k, (byte) seed);
        return k;
    }

    private static StateKeys keys(String current, Object... idsAndKeys) {
        Map<String, byte[]> map = new LinkedHashMap<>();
        for (int i = 0; i < idsAndKeys.length; i += 2) {
            map.put((String) idsAndKeys[i], (byte[]) idsAndKeys[i + 1]);
        }
        return new StateKeys(current, map);
    }

    private StateCodec codec(StateKeys keys) {
        return new StateCodec(keys, clock);
    }

    private StateCodec k1Codec() {
        return codec(keys("k1", "k1", K1));
    }

    private static ConnectorException rejection(Runnable call) {
        return catchThrowableOfType(ConnectorException.class, call::run);
    }

    /** Builds a state by hand, signing arbitrary payload JSON with the given key. */
    private static String forge(String json, byte[] key) throws Exception {
        String signed = "v1." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(json.getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        return signed + "." + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(mac.doFinal(signed.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void roundTrip() {
        StateCodec codec = k1Codec();
        Instant expiry = NOW.plus(Duration.ofMinutes(10));
        String state = codec.encode("nonce-123", "slack", expiry);

        assertThat(state).startsWith("v1.").matches("v1\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}");
        assertThat(codec.decode(state, "slack"))
                .isEqualTo(new StatePayload("nonce-123", "slack", expiry, "k1"));
    }

    @Test
    void payloadIsTheDocumentedJson() throws Exception {
        String state = k1Codec().encode("n1", "notion", NOW.plusSeconds(60));
        byte[] json = Base64.getUrlDecoder().decode(state.split("\\.")[1]);
        assertThat(new ObjectMapper().readTree(json).toString())
                .isEqualTo("{\"n\":\"n1\",\"p\":\"notion\",\"e\":" + (NOW.getEpochSecond() + 60)
                        + ",\"k\":\"k1\"}");
    }

    @Test
    void flippingAnyCharacterOfAnySegmentIsInvalid() {
        StateCodec codec = k1Codec();
        String state = codec.encode(Nonces.newNonce(), "slack", NOW.plusSeconds(300));
        for (int i = 0; i < state.length(); i++) {
            char c = state.charAt(i);
            if (c == '.') {
                continue;
            }
            // swap to a different character of the same alphabet so only the content changes
            char flipped = c == 'A' ? 'B' : (c == 'v' ? 'w' : 'A');
            String tampered = state.substring(0, i) + flipped + state.substring(i + 1);
            ConnectorException e = rejection(() -> codec.decode(tampered, "slack"));
            assertThat(e).as("flip at %d", i).isNotNull();
            assertThat(e.code()).as("flip at %d", i).isEqualTo(ErrorCode.INVALID_STATE);
        }
    }

    @Test
    void lastSignatureCharacterWithSameDecodedBytesIsInvalid() {
        // The last of 43 base64 characters carries 4 bits; its 2 spare bits must be zero.
        StateCodec codec = k1Codec();
        String state = codec.encode("n", "slack", NOW.plusSeconds(300));
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char last = state.charAt(state.length() - 1);
        char sibling = alphabet.charAt(alphabet.indexOf(last) ^ 1);
        String variant = state.substring(0, state.length() - 1) + sibling;
        assertThat(Base64.getUrlDecoder().decode(variant.substring(variant.lastIndexOf('.') + 1)))
                .isEqualTo(Base64.getUrlDecoder().decode(state.substring(state.lastIndexOf('.') + 1)));
        assertThat(rejection(() -> codec.decode(variant, "slack")).code())
                .isEqualTo(ErrorCode.INVALID_STATE);
    }

    @Test
    void signatureFromAnotherKeyIsInvalid() {
        String fromOther = codec(keys("k1", "k1", K2)).encode("n", "slack", NOW.plusSeconds(60));
        ConnectorException e = rejection(() -> k1Codec().decode(fromOther, "slack"));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(e.detail()).contains("signature");
    }

    @Test
    void unknownKeyIdIsInvalid() throws Exception {
        long exp = NOW.getEpochSecond() + 60;
        // signed with a key we no longer have
        String unknownSigner = codec(keys("k9", "k9", K2)).encode("n", "slack", NOW.plusSeconds(60));
        assertThat(rejection(() -> k1Codec().decode(unknownSigner, "slack")).code())
                .isEqualTo(ErrorCode.INVALID_STATE);
        // signed with a known key but naming an unknown one
        String wrongId = forge("{\"n\":\"n\",\"p\":\"slack\",\"e\":" + exp + ",\"k\":\"k9\"}", K1);
        ConnectorException e = rejection(() -> k1Codec().decode(wrongId, "slack"));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(e.detail()).contains("unknown key id");
        // naming a known key other than the one that signed
        StateCodec both = codec(keys("k1", "k1", K1, "k2", K2));
        String mislabelled = forge("{\"n\":\"n\",\"p\":\"slack\",\"e\":" + exp + ",\"k\":\"k2\"}", K1);
        assertThat(rejection(() -> both.decode(mislabelled, "slack")).code())
                .isEqualTo(ErrorCode.INVALID_STATE);
    }

    @Test
    void expiredStateIsStateExpired() {
        StateCodec codec = k1Codec();
        String state = codec.encode("n", "slack", NOW.plus(Duration.ofMinutes(10)));
        clock.advance(Duration.ofMinutes(10).minusSeconds(1));
        assertThat(codec.decode(state, "slack").nonce()).isEqualTo("n");
        clock.advance(Duration.ofSeconds(1));
        assertThat(rejection(() -> codec.decode(state, "slack")).code())
                .isEqualTo(ErrorCode.STATE_EXPIRED);
    }

    @Test
    void expiredButForgedIsInvalidNotExpired() {
        StateCodec codec = k1Codec();
        String state = codec.encode("n", "slack", NOW.plusSeconds(60));
        clock.advance(Duration.ofHours(1));
        String tampered = state.substring(0, state.length() - 2) + "AA";
        assertThat(rejection(() -> codec.decode(tampered, "slack")).code())
                .isEqualTo(ErrorCode.INVALID_STATE);
    }

    @Test
    void slackStateReplayedAtNotionCallbackIsInvalid() {
        StateCodec codec = k1Codec();
        String slackState = codec.encode("n", "slack", NOW.plusSeconds(60));
        ConnectorException e = rejection(() -> codec.decode(slackState, "notion"));
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(e.detail()).contains("provider");
    }

    @Test
    void signedPayloadWithBadFieldsIsInvalid() throws Exception {
        long exp = NOW.getEpochSecond() + 60;
        for (String json : new String[] {
                "[]", "\"x\"", "{}", "not json",
                "{\"p\":\"slack\",\"e\":" + exp + ",\"k\":\"k1\"}",
                "{\"n\":1,\"p\":\"slack\",\"e\":" + exp + ",\"k\":\"k1\"}",
                "{\"n\":\"\",\"p\":\"slack\",\"e\":" + exp + ",\"k\":\"k1\"}",
                "{\"n\":\"n\",\"p\":\"slack\",\"e\":\"" + exp + "\",\"k\":\"k1\"}",
                "{\"n\":\"n\",\"p\":\"slack\",\"e\":1.5,\"k\":\"k1\"}",
                "{\"n\":\"n\",\"p\":\"slack\",\"e\":99999999999999999999999,\"k\":\"k1\"}",
                "{\"n\":\"n\",\"p\":\"slack\",\"e\":" + Long.MAX_VALUE + ",\"k\":\"k1\"}",
                "{\"n\":\"n\",\"p\":\"slack\",\"e\":" + (exp + 3600) + ",\"k\":\"k1\"}",
                "{\"n\":\"n\",\"p\":\"slack\",\"e\":" + exp + "}",
                "{\"n\":\"n\",\"n\":\"m\",\"p\":\"slack\",\"e\":" + exp + ",\"k\":\"k1\"}"}) {
            String state = forge(json, K1);
            ConnectorException e = rejection(() -> k1Codec().decode(state, "slack"));
            assertThat(e).as(json).isNotNull();
            assertThat(e.code()).as(json).isEqualTo(ErrorCode.INVALID_STATE);
        }
    }

    @Test
    void rotation() {
        String oldState = codec(keys("k1", "k1", K1)).encode("n", "slack", NOW.plusSeconds(60));

        StateCodec rotated = codec(keys("k2", "k2", K2, "k1", K1));
        assertThat(rotated.decode(oldState, "slack").keyId()).isEqualTo("k1");
        String newState = rotated.encode("n2", "slack", NOW.plusSeconds(60));
        assertThat(rotated.decode(newState, "slack").keyId()).isEqualTo("k2");

        StateCodec retired = codec(keys("k2", "k2", K2));
        assertThat(rejection(() -> retired.decode(oldState, "slack")).code())
                .isEqualTo(ErrorCode.INVALID_STATE);
        assertThat(retired.decode(newState, "slack").nonce()).isEqualTo("n2");
    }

    static Stream<String> garbage() {
        return Stream.of(null, "", "   ", "v1..", "v1...", "v2.a.b", "v1.a", "v1.a.b.c", ".a.b",
                "x".repeat(5000), "v1." + "a".repeat(2000) + ".b", "v1.ü.ö", "€.🔑.✓", "v1.%00.x",
                "v1.\u0000.\u0000", "v1.YQ==.YQ", "v1.a.a", "V1.abc.def", " v1.abc.def", "v1.abc.def ",
                "v1.abc." + "A".repeat(43), "v1.abc." + "A".repeat(44), "v1." + "A".repeat(5) + "."
                        + "A".repeat(43), "v1.e30." + "A".repeat(42) + "=", "v1.!!!." + "A".repeat(43));
    }

    @ParameterizedTest
    @MethodSource("garbage")
    void garbageIsInvalidStateAndNeverAnotherException(String state) {
        assertThatThrownBy(() -> k1Codec().decode(state, "slack"))
                .isInstanceOfSatisfying(ConnectorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_STATE);
                    if (state != null && state.length() > 3) {
                        assertThat(e.detail()).doesNotContain(state);
                    }
                });
    }

    @Test
    void detailNeverContainsTheStateOrItsSegments() {
        StateCodec codec = k1Codec();
        String state = codec.encode("secret-nonce", "slack", NOW.plusSeconds(60));
        String[] segments = state.split("\\.");
        String tampered = state.substring(0, state.length() - 1)
                + (state.endsWith("A") ? "B" : "A");
        clock.advance(Duration.ofMinutes(5));
        for (Runnable call : new Runnable[] {
                () -> codec.decode(tampered, "slack"),
                () -> codec.decode(state, "notion"),
                () -> { clock.advance(Duration.ofHours(1)); codec.decode(state, "slack"); }}) {
            String detail = rejection(call).detail();
            assertThat(detail).doesNotContain(state, segments[1], segments[2], "secret-nonce");
        }
    }

    @Test
    void encodeRejectsExpiryBeyondTenMinutesOrInThePast() {
        StateCodec codec = k1Codec();
        assertThatThrownBy(() -> codec.encode("n", "slack", NOW.plus(Duration.ofMinutes(10)).plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode("n", "slack", NOW))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode("", "slack", NOW.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> codec.encode("n".repeat(2000), "slack", NOW.plusSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(codec.encode("n", "slack", NOW.plus(Duration.ofMinutes(10)))).isNotBlank();
    }

    @Test
    void keysValidateWithoutPrintingKeyMaterial() {
        byte[] shortKey = "short-key-material-0123456789".getBytes(StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> keys("k1", "k1", shortKey))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("k1").hasMessageContaining("32")
                .hasMessageNotContaining("short-key-material");
        assertThatThrownBy(() -> keys("k2", "k1", K1))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("k2");
        assertThatThrownBy(() -> new StateKeys("k1", Map.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(keys("k2", "k2", K2, "k1", K1).toString())
                .contains("k1", "k2").doesNotContain(Base64.getEncoder().encodeToString(K1));
    }

    @Test
    void keysFromJsonAcceptStandardAndUrlSafeBase64() throws Exception {
        byte[] awkward = new byte[48];
        for (int i = 0; i < awkward.length; i++) {
            awkward[i] = (byte) (0xfb + i); // yields '+', '/' (standard) or '-', '_' (URL-safe)
        }
        String standard = Base64.getEncoder().encodeToString(awkward);
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(K1);
        assertThat(standard).containsAnyOf("+", "/");
        var json = new ObjectMapper().readTree("{\"state_keys\":{\"k2\":\"" + standard + "\",\"k1\":\""
                + urlSafe + "\"},\"state_key_current\":\"k2\"}");
        StateKeys keys = StateKeys.fromJson(json);
        assertThat(keys.currentKeyId()).isEqualTo("k2");
        assertThat(keys.keyIds()).containsExactly("k2", "k1");

        // the parsed keys really are those bytes: a state signed by k1 from raw bytes verifies
        String state = codec(keys("k1", "k1", K1)).encode("n", "slack", NOW.plusSeconds(60));
        assertThat(codec(keys).decode(state, "slack").keyId()).isEqualTo("k1");
    }

    @Test
    void keysFromJsonRejectsBadConfigWithoutEchoingValues() throws Exception {
        ObjectMapper m = new ObjectMapper();
        String good = Base64.getEncoder().encodeToString(K1);
        for (String json : new String[] {
                "{}", "[]",
                "{\"state_keys\":{},\"state_key_current\":\"k1\"}",
                "{\"state_keys\":{\"k1\":\"" + good + "\"}}",
                "{\"state_keys\":{\"k1\":\"" + good + "\"},\"state_key_current\":\"k2\"}",
                "{\"state_keys\":{\"k1\":42},\"state_key_current\":\"k1\"}",
                "{\"state_keys\":{\"k1\":\"not*base64!secretish\"},\"state_key_current\":\"k1\"}",
                "{\"state_keys\":{\"k1\":\"c2hvcnQ=\"},\"state_key_current\":\"k1\"}"}) {
            assertThatThrownBy(() -> StateKeys.fromJson(m.readTree(json))).as(json)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageNotContaining("secretish").hasMessageNotContaining(good)
                    .hasMessageNotContaining("c2hvcnQ");
        }
        assertThatThrownBy(() -> StateKeys.fromJson(null)).isInstanceOf(IllegalArgumentException.class);
    }
}
