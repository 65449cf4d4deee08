package dev.connectors.tokens;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Base64;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * AES-256 keys by id, from the app secret: {@code {"token_keys": {"t1": "<base64 32 bytes>"}, "token_key_current": "t1"}}.
 * The current key encrypts; every listed key decrypts, so a new key can become current without downtime.
 */
public final class TokenKeys {
    private final String currentId;
    private final Map<String, byte[]> keys;

    public TokenKeys(String currentId, Map<String, byte[]> keys) {
        if (!keys.containsKey(currentId)) {
            throw new IllegalArgumentException("token_key_current names no listed key");
        }
        keys.forEach((id, k) -> {
            if (k.length != 32) throw new IllegalArgumentException("token key " + id + " must be 32 bytes");
        });
        this.currentId = currentId;
        this.keys = Map.copyOf(keys);
    }

    public static TokenKeys fromJson(JsonNode appSecret) {
        JsonNode listed = appSecret.path("token_keys");
        if (!listed.isObject() || !appSecret.path("token_key_current").isTextual()) {
            throw new IllegalArgumentException("app secret needs token_keys and token_key_current");
        }
        Map<String, byte[]> keys = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = listed.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            keys.put(e.getKey(), decode(e.getValue().asText()));
        }
        return new TokenKeys(appSecret.get("token_key_current").asText(), keys);
    }

    private static byte[] decode(String b64) {
        String s = b64.trim();
        return s.contains("-") || s.contains("_") ? Base64.getUrlDecoder().decode(s) : Base64.getDecoder().decode(s);
    }

    public String currentId() {
        return currentId;
    }

    byte[] key(String id) {
        byte[] k = keys.get(id);
        if (k == null) throw new IllegalArgumentException("unknown token key id " + id);
        return k;
    }

    @Override
    public String toString() {
        return "TokenKeys" + keys.keySet() + " current=" + currentId;
    }
}
