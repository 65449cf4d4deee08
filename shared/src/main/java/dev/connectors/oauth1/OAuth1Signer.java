package dev.connectors.oauth1;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * OAuth 1.0a request signing, RFC 5849 §3.4 with HMAC-SHA1: the signature base string (method, base
 * string URI, normalised parameters) and the {@code Authorization: OAuth ...} header. Parameters are
 * given decoded; this class does all the percent-encoding (§3.6). Holds no state and logs nothing.
 */
public final class OAuth1Signer {
    /** One request parameter, decoded; names may repeat (§3.4.1.3.1). */
    public record Param(String name, String value) {
    }

    private OAuth1Signer() {
    }

    /** RFC 5849 §3.6: UTF-8, then every octet but ALPHA / DIGIT / "-" / "." / "_" / "~" as %XX (upper-case hex). */
    public static String percentEncode(String s) {
        StringBuilder out = new StringBuilder();
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xFF;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append((char) c);
            } else {
                out.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xF, 16)));
            }
        }
        return out.toString();
    }

    /** §3.4.1.2: lower-case scheme and host, the port only when not the scheme's default, the path; no query. */
    public static String baseStringUri(URI uri) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("http") && port == 80) || (scheme.equals("https") && port == 443);
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path;
    }

    /** §3.4.1.3.2: encode names and values, sort by name then value (byte order), join with = and &. */
    public static String normalizedParameters(List<Param> params) {
        List<String[]> encoded = new ArrayList<>();
        for (Param p : params) {
            if (p.name().equals("oauth_signature")) continue;
            encoded.add(new String[]{percentEncode(p.name()), percentEncode(p.value())});
        }
        encoded.sort(Comparator.<String[], String>comparing(e -> e[0]).thenComparing(e -> e[1]));
        StringJoiner out = new StringJoiner("&");
        for (String[] e : encoded) out.add(e[0] + "=" + e[1]);
        return out.toString();
    }

    /** §3.4.1.1. {@code params}: the query's, the form body's (when form-encoded) and the oauth_* protocol parameters. */
    public static String baseString(String method, URI uri, List<Param> params) {
        return method.toUpperCase(Locale.ROOT) + "&" + percentEncode(baseStringUri(uri)) + "&"
                + percentEncode(normalizedParameters(params));
    }

    /** §3.4.2: HMAC-SHA1 keyed with encoded consumer secret "&" encoded token secret (empty when none), base64. */
    public static String hmacSha1(String baseString, String consumerSecret, String tokenSecret) {
        String key = percentEncode(consumerSecret) + "&" + (tokenSecret == null ? "" : percentEncode(tokenSecret));
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return Base64.getEncoder().encodeToString(mac.doFinal(baseString.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 unavailable", e);
        }
    }

    /** The query parameters of {@code uri}, decoded as §3.4.1.3.1 describes ("+" is not a space in a query here). */
    public static List<Param> queryParams(URI uri) {
        List<Param> out = new ArrayList<>();
        String raw = uri.getRawQuery();
        if (raw == null || raw.isEmpty()) return out;
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            out.add(new Param(decode(eq < 0 ? pair : pair.substring(0, eq)), eq < 0 ? "" : decode(pair.substring(eq + 1))));
        }
        return out;
    }

    /**
     * Signs a request and returns its {@code Authorization} header value (§3.5.1).
     *
     * @param protocol the oauth_* parameters without oauth_signature (oauth_consumer_key, oauth_token, oauth_nonce, ...)
     * @param body     form body parameters (decoded), empty when the body is not form-encoded
     */
    public static String authorization(String method, URI uri, Map<String, String> protocol, List<Param> body,
                                       String consumerSecret, String tokenSecret) {
        List<Param> all = new ArrayList<>(queryParams(uri));
        all.addAll(body);
        protocol.forEach((k, v) -> all.add(new Param(k, v)));
        String signature = hmacSha1(baseString(method, uri, all), consumerSecret, tokenSecret);
        StringJoiner header = new StringJoiner(", ", "OAuth ", "");
        protocol.forEach((k, v) -> header.add(percentEncode(k) + "=\"" + percentEncode(v) + "\""));
        header.add("oauth_signature=\"" + percentEncode(signature) + "\"");
        return header.toString();
    }

    private static String decode(String s) {
        // percent-decoding only: in a URI query "+" is a literal plus (RFC 3986); form bodies decode "+" themselves
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length) {
                int hi = Character.digit(bytes[i + 1], 16);
                int lo = Character.digit(bytes[i + 2], 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi * 16 + lo);
                    i += 2;
                    continue;
                }
            }
            out.write(bytes[i]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
