package dev.connectors.state;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC keys that sign and verify OAuth state, by key id. Rotation: every listed key verifies,
 * only the current one signs; add the new key, make it current, remove the old one once states
 * signed with it have expired (10 minutes).
 *
 * <p>Error messages and {@link #toString()} name key ids only, never key material.
 */
public final class StateKeys {
    static final int MIN_KEY_BYTES = 32; // HMAC-SHA256 key no shorter than its output (RFC 2104 §3)
    static final String ALGORITHM = "HmacSHA256";
    private static final Pattern KEY_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

    private final String currentKeyId;
    private final Map<String, SecretKeySpec> keysById;

    public StateKeys(String currentKeyId, Map<String, byte[]> keysById) {
        if (keysById == null || keysById.isEmpty()) {
            throw new IllegalArgumentException("at least one state key is required");
        }
        Map<String, SecretKeySpec> copy = new LinkedHashMap<>();
        keysById.forEach((id, key) -> {
            if (id == null || !KEY_ID.matcher(id).matches()) {
                throw new IllegalArgumentException(
                        "state key ids must be 1-64 characters from [A-Za-z0-9._-]");
            }
            if (key == null || key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("state key '" + id + "' must be at least "
                        + MIN_KEY_BYTES + " bytes, is " + (key == null ? 0 : key.length));
            }
            copy.put(id, new SecretKeySpec(key, ALGORITHM)); // SecretKeySpec copies the bytes
        });
        if (currentKeyId == null || !copy.containsKey(currentKeyId)) {
            throw new IllegalArgumentException("current state key id '" + currentKeyId
                    + "' is not among the configured key ids " + copy.keySet());
        }
        this.currentKeyId = currentKeyId;
        this.keysById = Collections.unmodifiableMap(copy);
    }

    /**
     * Reads {@code {"state_keys": {"k2": "<base64>", "k1": "<base64>"}, "state_key_current": "k2"}}
     * from the app secret; keys may be standard or URL-safe base64, padded or not.
     */
    public static StateKeys fromJson(JsonNode appSecret) {
        if (appSecret == null || !appSecret.isObject()) {
            throw new IllegalArgumentException("app secret must be a JSON object");
        }
        JsonNode keys = appSecret.get("state_keys");
        if (keys == null || !keys.isObject() || keys.isEmpty()) {
            throw new IllegalArgumentException("app secret needs a non-empty 'state_keys' object");
        }
        JsonNode current = appSecret.get("state_key_current");
        if (current == null || !current.isTextual()) {
            throw new IllegalArgumentException("app secret needs a 'state_key_current' string");
        }
        Map<String, byte[]> decoded = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : keys.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new IllegalArgumentException(
                        "state key '" + entry.getKey() + "' must be a base64 string");
            }
            decoded.put(entry.getKey(), decodeBase64(entry.getKey(), entry.getValue().asText()));
        }
        return new StateKeys(current.asText(), decoded);
    }

    private static byte[] decodeBase64(String id, String text) {
        String trimmed = text.strip();
        boolean urlSafe = trimmed.indexOf('-') >= 0 || trimmed.indexOf('_') >= 0;
        try {
            // Java's decoders accept missing padding; picking the alphabet keeps mixes invalid.
            return (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(trimmed);
        } catch (IllegalArgumentException e) {
            // no cause: the decoder's message can quote the offending character
            throw new IllegalArgumentException("state key '" + id + "' is not valid base64");
        }
    }

    public String currentKeyId() {
        return currentKeyId;
    }

    /** Every key id that verifies, the current one included. */
    public Set<String> keyIds() {
        return keysById.keySet();
    }

    SecretKeySpec current() {
        return keysById.get(currentKeyId);
    }

    Map<String, SecretKeySpec> all() {
        return keysById;
    }

    @Override
    public String toString() {
        return "StateKeys[current=" + currentKeyId + ", ids=" + keysById.keySet() + "]";
    }
}
