package dev.connectors.providers.quirks;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.providers.ProviderQuirk;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Shopify signs every redirect it sends: {@code hmac} is the lower-case hex HMAC-SHA256, keyed with the
 * app's client secret, of the other query parameters (as decoded) sorted by name and joined as
 * {@code name=value&...} (shopify.dev, "Implement authorization code grant manually", step "Verify the
 * installation request"; {@code signature}, a legacy parameter, is left out too). Names and values escape
 * {@code %} and {@code &} (and {@code =} in names) as Shopify's documentation describes, which changes
 * nothing for the parameters an OAuth redirect carries. The callback's {@code shop} must also be the shop the
 * flow was started for (it reaches us as the validated {@code shop} input kept in the server-side session).
 */
public final class ShopifyCallbackHmac implements ProviderQuirk {
    static final String SHOP = "shop";

    @Override
    public void verifyCallback(Map<String, List<String>> query, ProviderConfig config) {
        String given = single(query, "hmac");
        if (given == null || !given.matches("[0-9a-fA-F]{64}")) {
            throw new ConnectorException(ErrorCode.INVALID_REQUEST, "callback without a well-formed hmac");
        }
        for (Map.Entry<String, List<String>> e : query.entrySet()) {
            if (e.getValue().size() != 1) {
                throw new ConnectorException(ErrorCode.INVALID_REQUEST, "callback repeats a parameter");
            }
        }
        String expected = sign(query, config.clientSecret());
        if (!MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                given.toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII))) {
            throw new ConnectorException(ErrorCode.INVALID_STATE, "callback hmac does not match");
        }
        String shop = single(query, SHOP);
        String started = config.values().get(SHOP);
        if (shop == null || started == null || !shop.equals(started)) {
            throw new ConnectorException(ErrorCode.INVALID_STATE, "callback shop differs from the shop the flow started for");
        }
    }

    /** The hex HMAC Shopify would send for this query (its own {@code hmac} and {@code signature} left out). */
    public static String sign(Map<String, List<String>> query, String secret) {
        return hex(message(query), secret);
    }

    static String message(Map<String, List<String>> query) {
        TreeMap<String, String> sorted = new TreeMap<>();
        query.forEach((name, values) -> {
            if (!name.equals("hmac") && !name.equals("signature") && !values.isEmpty()) {
                sorted.put(escape(name).replace("=", "%3D"), escape(values.get(0)));
            }
        });
        StringBuilder out = new StringBuilder();
        sorted.forEach((name, value) -> {
            if (out.length() > 0) out.append('&');
            out.append(name).append('=').append(value);
        });
        return out.toString();
    }

    static String hex(String message, String secret) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(message.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }

    private static String escape(String s) {
        return s.replace("%", "%25").replace("&", "%26");
    }

    private static String single(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.size() != 1 || values.get(0).isEmpty() ? null : values.get(0);
    }
}
