package dev.connectors.local;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The dev stand-in for the HTTP API's JWT authorizer: HS256 tokens signed with a key kept in the
 * data folder (so tokens stay valid across restarts), verified the way API Gateway does: signature,
 * {@code iss}, {@code aud}, {@code exp}, {@code nbf}. Only the JDK's HMAC and Jackson.
 */
final class DevJwt {
    static final String ISSUER = "connectors-local";
    static final String AUDIENCE = "connectors-local";
    static final Duration LIFETIME = Duration.ofHours(24);
    private static final String KEY_FILE = "dev-jwt.key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();
    private static final String HEADER = B64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

    private final byte[] key;
    private final Clock clock;

    DevJwt(byte[] key, Clock clock) {
        this.key = key.clone();
        this.clock = clock;
    }

    static DevJwt loadOrCreate(Path dataDir, Clock clock) {
        Path file = dataDir.resolve(KEY_FILE);
        try {
            if (!Files.exists(file)) {
                byte[] fresh = new byte[32];
                new SecureRandom().nextBytes(fresh);
                Files.writeString(file, Base64.getEncoder().encodeToString(fresh));
                LocalSecrets.ownerOnly(file);
            }
            return new DevJwt(Base64.getDecoder().decode(Files.readString(file).strip()), clock);
        } catch (IOException | IllegalArgumentException e) {
            throw new StartupException("Cannot read the dev token key " + file + " (delete it to make a new one): " + e.getMessage(), e);
        }
    }

    /** A token for a tenant and user, with the claim names the functions read (TENANT_CLAIM, USER_CLAIM). */
    String issue(String tenantClaim, String tenant, String userClaim, String user) {
        long now = clock.instant().getEpochSecond();
        Map<String, Object> claims = new LinkedHashMap<>();
        claims.put("iss", ISSUER);
        claims.put("aud", AUDIENCE);
        claims.put(userClaim, user);
        claims.put(tenantClaim, tenant);
        claims.put("iat", now);
        claims.put("nbf", now);
        claims.put("exp", now + LIFETIME.toSeconds());
        try {
            String payload = B64.encodeToString(JSON.writeValueAsBytes(claims));
            return HEADER + "." + payload + "." + B64.encodeToString(mac(HEADER + "." + payload));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The verified claims, or empty for anything API Gateway's authorizer would answer 401 to. */
    Optional<JsonNode> verify(String token) {
        if (token == null) return Optional.empty();
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) return Optional.empty();
        try {
            JsonNode header = JSON.readTree(B64D.decode(parts[0]));
            // the algorithm is fixed here, never taken from the token ("alg":"none" and key confusion)
            if (header == null || !"HS256".equals(header.path("alg").asText())) return Optional.empty();
            byte[] expected = mac(parts[0] + "." + parts[1]);
            if (!MessageDigest.isEqual(expected, B64D.decode(parts[2]))) return Optional.empty();
            JsonNode claims = JSON.readTree(B64D.decode(parts[1]));
            if (claims == null || !claims.isObject()) return Optional.empty();
            long now = clock.instant().getEpochSecond();
            boolean audOk = claims.path("aud").isArray()
                    ? JSON.convertValue(claims.get("aud"), new TypeReference<java.util.List<String>>() { }).contains(AUDIENCE)
                    : AUDIENCE.equals(claims.path("aud").asText(null));
            boolean valid = ISSUER.equals(claims.path("iss").asText(null)) && audOk
                    && claims.path("exp").isNumber() && claims.get("exp").asLong() > now
                    && (!claims.has("nbf") || claims.get("nbf").isNumber() && claims.get("nbf").asLong() <= now);
            return valid ? Optional.of(claims) : Optional.empty();
        } catch (IOException | IllegalArgumentException e) {
            return Optional.empty(); // not base64url, not JSON: malformed
        }
    }

    /**
     * Claims as the HTTP API hands them to a function: every value a string; arrays as
     * {@code [a b]}, objects as JSON text.
     */
    static Map<String, String> asEventClaims(JsonNode claims) {
        Map<String, String> out = new LinkedHashMap<>();
        claims.fields().forEachRemaining(e -> {
            JsonNode v = e.getValue();
            if (v.isArray()) {
                StringBuilder b = new StringBuilder("[");
                v.forEach(item -> b.append(b.length() > 1 ? " " : "").append(item.isTextual() ? item.asText() : item.toString()));
                out.put(e.getKey(), b.append(']').toString());
            } else {
                out.put(e.getKey(), v.isValueNode() ? v.asText() : v.toString());
            }
        });
        return out;
    }

    private byte[] mac(String signingInput) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
