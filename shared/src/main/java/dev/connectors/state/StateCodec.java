package dev.connectors.state;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signed OAuth state: {@code v1.<base64url(payload JSON)>.<base64url(HMAC-SHA256("v1." + payload))>},
 * no padding; the payload holds {@code n} nonce, {@code p} provider, {@code e} expiry (epoch
 * seconds) and {@code k} key id.
 *
 * <p>Thread-safe: a fresh {@link Mac} per call (cheap), no mutable state, nothing random.
 */
public final class StateCodec {
    public static final Duration MAX_LIFETIME = Duration.ofMinutes(10);
    public static final int MAX_LENGTH = 1024;

    private static final String VERSION = "v1";
    private static final String PREFIX = VERSION + ".";
    /** Tolerated clock difference between the instance that signed and the one that verifies. */
    private static final Duration SKEW = Duration.ofMinutes(1);
    private static final int SIGNATURE_CHARS = 43; // 32 bytes, base64url without padding
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final StateKeys keys;
    private final Clock clock;

    public StateCodec(StateKeys keys, Clock clock) {
        this.keys = Objects.requireNonNull(keys, "keys");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Signs with the current key; the expiry must lie in the next {@link #MAX_LIFETIME}. */
    public String encode(String nonce, String provider, Instant expiresAt) {
        requireText(nonce, "nonce");
        requireText(provider, "provider");
        Objects.requireNonNull(expiresAt, "expiresAt");
        Instant now = clock.instant();
        if (!expiresAt.isAfter(now)) {
            throw new IllegalArgumentException("state expiry must be in the future");
        }
        if (expiresAt.isAfter(now.plus(MAX_LIFETIME))) {
            throw new IllegalArgumentException("state expiry must be at most "
                    + MAX_LIFETIME.toMinutes() + " minutes away");
        }
        ObjectNode payload = JSON.createObjectNode()
                .put("n", nonce)
                .put("p", provider)
                .put("e", expiresAt.getEpochSecond())
                .put("k", keys.currentKeyId());
        String signed = PREFIX + B64.encodeToString(toJson(payload));
        String state = signed + "." + B64.encodeToString(hmac(keys.current(), signed));
        if (state.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("state would exceed " + MAX_LENGTH
                    + " characters; nonce or provider id is too long");
        }
        return state;
    }

    /**
     * Verifies and opens a state. Every failure is a {@link ConnectorException}: {@code
     * INVALID_STATE}, or {@code STATE_EXPIRED} for an authentic state past its expiry. The
     * detail names the failed check and never the state itself.
     */
    public StatePayload decode(String state, String expectedProvider) {
        Objects.requireNonNull(expectedProvider, "expectedProvider");
        if (state == null || state.isBlank()) {
            throw invalid("missing");
        }
        if (state.length() > MAX_LENGTH) {
            throw invalid("longer than " + MAX_LENGTH + " characters (" + state.length() + ")");
        }
        int first = state.indexOf('.');
        int second = first < 0 ? -1 : state.indexOf('.', first + 1);
        if (first < 0 || second < 0 || state.indexOf('.', second + 1) >= 0) {
            throw invalid("not three dot-separated segments");
        }
        if (!VERSION.equals(state.substring(0, first))) {
            throw invalid("unsupported version prefix");
        }
        String payloadSegment = state.substring(first + 1, second);
        String signatureSegment = state.substring(second + 1);
        if (payloadSegment.isEmpty() || !isBase64Url(payloadSegment)) {
            throw invalid("payload segment is not unpadded base64url");
        }
        if (signatureSegment.length() != SIGNATURE_CHARS || !isBase64Url(signatureSegment)) {
            throw invalid("signature segment is not a base64url HMAC-SHA256");
        }

        // Authenticate before parsing: untrusted JSON never reaches the parser.
        String signerId = verifyingKeyId(state.substring(0, second), signatureSegment);
        if (signerId == null) {
            throw invalid("bad signature (or signed with an unknown key)");
        }

        JsonNode payload = parse(payloadSegment);
        String nonce = textField(payload, "n");
        String provider = textField(payload, "p");
        String keyId = textField(payload, "k");
        JsonNode e = payload.get("e");
        if (e == null || !e.isIntegralNumber() || !e.canConvertToLong()) {
            throw invalid("payload field 'e' missing or not an integer");
        }
        if (!keys.all().containsKey(keyId)) {
            throw invalid("unknown key id '" + keyId + "'");
        }
        if (!keyId.equals(signerId)) {
            throw invalid("key id '" + keyId + "' does not match signing key '" + signerId + "'");
        }
        if (!provider.equals(expectedProvider)) {
            throw invalid("issued for provider '" + provider + "', presented to '"
                    + expectedProvider + "'");
        }
        Instant expiresAt;
        try {
            expiresAt = Instant.ofEpochSecond(e.asLong());
        } catch (DateTimeException ex) {
            throw invalid("expiry out of range");
        }
        Instant now = clock.instant();
        if (expiresAt.isAfter(now.plus(MAX_LIFETIME).plus(SKEW))) {
            throw invalid("expiry further away than the maximum lifetime");
        }
        if (!now.isBefore(expiresAt)) {
            throw new ExpiredStateException(new StatePayload(nonce, provider, expiresAt, keyId),
                    "state expired at " + expiresAt + ", now " + now);
        }
        return new StatePayload(nonce, provider, expiresAt, keyId);
    }

    /**
     * The id of the key whose HMAC matches, or null. Every key is tried, without stopping early,
     * so timing does not reveal which key matched.
     */
    private String verifyingKeyId(String signedPart, String signatureSegment) {
        // Comparing the canonical encodings (not decoded bytes) also rejects alternative spellings
        // of the same signature (non-zero trailing bits in the last base64 character).
        byte[] presented = signatureSegment.getBytes(StandardCharsets.US_ASCII);
        String match = null;
        for (Map.Entry<String, SecretKeySpec> entry : keys.all().entrySet()) {
            byte[] expected = B64.encode(hmac(entry.getValue(), signedPart));
            if (MessageDigest.isEqual(expected, presented) && match == null) {
                match = entry.getKey();
            }
        }
        return match;
    }

    private static byte[] hmac(SecretKeySpec key, String signedPart) {
        try {
            Mac mac = Mac.getInstance(StateKeys.ALGORITHM);
            mac.init(key);
            return mac.doFinal(signedPart.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e); // every JRE has it
        }
    }

    private static JsonNode parse(String payloadSegment) {
        byte[] json;
        try {
            json = Base64.getUrlDecoder().decode(payloadSegment);
        } catch (IllegalArgumentException e) {
            throw invalid("payload segment is not valid base64url");
        }
        try {
            JsonNode node = JSON.readTree(json);
            if (node == null || !node.isObject()) {
                throw invalid("payload is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw invalid("payload is not valid JSON");
        }
    }

    private static String textField(JsonNode payload, String name) {
        JsonNode node = payload.get(name);
        if (node == null || !node.isTextual() || node.asText().isBlank()) {
            throw invalid("payload field '" + name + "' missing or not a non-empty string");
        }
        return node.asText();
    }

    private static byte[] toJson(ObjectNode payload) {
        try {
            return JSON.writeValueAsBytes(payload);
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise state payload", e);
        }
    }

    private static boolean isBase64Url(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '_';
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    private static void requireText(String value, String name) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(name + " must not be blank");
        }
    }

    private static ConnectorException invalid(String check) {
        return new ConnectorException(ErrorCode.INVALID_STATE, "state rejected: " + check);
    }
}
