package dev.connectors.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.regex.Pattern;

/** RFC 7636 PKCE with the S256 method; the verifier stays server-side, only the challenge travels. */
public final class Pkce {
    /** RFC 7636 §4.1: 43–128 characters from the unreserved set. */
    private static final Pattern VERIFIER = Pattern.compile("[A-Za-z0-9\\-._~]{43,128}");

    private Pkce() {
    }

    /** 32 random bytes, base64url without padding: 43 characters, as RFC 7636 §4.1 recommends. */
    public static String newVerifier() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(SecureRandoms.nextBytes(32));
    }

    /** BASE64URL(SHA256(ASCII(verifier))) without padding (RFC 7636 §4.2). */
    public static String challenge(String verifier) {
        if (verifier == null || !VERIFIER.matcher(verifier).matches()) {
            throw new IllegalArgumentException(
                    "PKCE verifier must be 43-128 characters from [A-Za-z0-9-._~]");
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e); // every JRE has it
        }
    }

    public static String method() {
        return "S256";
    }
}
