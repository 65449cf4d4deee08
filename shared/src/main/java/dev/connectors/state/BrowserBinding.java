package dev.connectors.state;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Binds an authorization to the browser that started it (RFC 9700 §4.7.1). The JWT-authenticated authorize
 * request sets (or keeps) an HttpOnly cookie holding a random browser id; the session stores only the id's
 * SHA-256; the callback, which carries no JWT, must bring the same cookie. A victim lured to an authorization
 * URL started by an attacker's account comes back without the attacker's cookie, so the victim's provider
 * account is never connected to the attacker's tenant.
 * <p>
 * Over https the cookie is {@code __Host-} prefixed (Secure, host-only, Path=/: a sibling subdomain cannot set
 * or shadow it); the plain-http local runner uses an unprefixed name. SameSite=Lax still sends it on the
 * provider's top-level redirect to the callback.
 */
public final class BrowserBinding {
    static final String SECURE_NAME = "__Host-connectors_browser";
    static final String PLAIN_NAME = "connectors_browser";
    /** Long enough to outlive any flow; renewed by every authorize. */
    static final long MAX_AGE_SECONDS = 86_400;
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{43}");

    private final boolean secure;

    private BrowserBinding(boolean secure) {
        this.secure = secure;
    }

    /** The binding for an API served at {@code publicBaseUrl}: a Secure, prefixed cookie unless it is plain http. */
    public static BrowserBinding forBaseUrl(String publicBaseUrl) {
        return new BrowserBinding(publicBaseUrl == null || !publicBaseUrl.regionMatches(true, 0, "http:", 0, 5));
    }

    public String cookieName() {
        return secure ? SECURE_NAME : PLAIN_NAME;
    }

    /** The browser id from the request's cookies (payload 2.0 {@code cookies}, or raw Cookie headers); only well-formed values count. */
    public List<String> ids(List<String> cookieHeaders) {
        if (cookieHeaders == null) return List.of();
        String prefix = cookieName() + "=";
        return cookieHeaders.stream()
                .filter(h -> h != null)
                .flatMap(h -> Arrays.stream(h.split(";")))
                .map(String::trim)
                .filter(c -> c.startsWith(prefix))
                .map(c -> c.substring(prefix.length()))
                .filter(v -> ID.matcher(v).matches())
                .distinct()
                .toList();
    }

    /** The id to bind this authorize to: the browser's existing one, else a fresh one. */
    public String idFor(List<String> cookieHeaders) {
        return ids(cookieHeaders).stream().findFirst().orElseGet(Nonces::newNonce);
    }

    /** The Set-Cookie value that (re)places the id in the browser. */
    public String setCookie(String id) {
        return cookieName() + "=" + id + "; Path=/; Max-Age=" + MAX_AGE_SECONDS + "; HttpOnly; SameSite=Lax"
                + (secure ? "; Secure" : "");
    }

    /** What the session keeps: the browser id never reaches storage in a usable form. */
    public static String hash(String id) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(id.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available", e); // every JRE has it
        }
    }

    /** Whether one of the request's browser ids is the one the session was started with. */
    public Optional<String> matching(List<String> cookieHeaders, String sessionHash) {
        byte[] expected = sessionHash.getBytes(StandardCharsets.UTF_8);
        return ids(cookieHeaders).stream()
                .filter(id -> MessageDigest.isEqual(expected, hash(id).getBytes(StandardCharsets.UTF_8)))
                .findFirst();
    }
}
