package dev.connectors.events;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;

/**
 * {@code X-Connectors-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>} where timestamp is
 * {@code X-Connectors-Timestamp} (Unix seconds) and the key is the UTF-8 bytes of the app secret's
 * {@code webhook_secret}. Signing the timestamp with the body lets the receiver refuse replays: reject
 * a timestamp older than a few minutes, then compare signatures in constant time.
 */
public final class WebhookSignature {
    public static final String VERSION = "v1";

    private WebhookSignature() {
    }

    public static String sign(String secret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
            return VERSION + "=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What the app does on receipt (also used by the tests): fresh timestamp and a matching v1 signature. */
    public static boolean verify(String secret, String timestampHeader, String signatureHeader, String body,
                                 Instant now, Duration tolerance) {
        if (timestampHeader == null || signatureHeader == null || !timestampHeader.matches("[0-9]{1,12}")) return false;
        long ts = Long.parseLong(timestampHeader);
        if (Math.abs(now.getEpochSecond() - ts) > tolerance.getSeconds()) return false;
        byte[] expected = sign(secret, ts, body).getBytes(StandardCharsets.UTF_8);
        for (String candidate : signatureHeader.split(",")) { // room for two signatures while a secret rotates
            if (MessageDigest.isEqual(expected, candidate.strip().getBytes(StandardCharsets.UTF_8))) return true;
        }
        return false;
    }
}
