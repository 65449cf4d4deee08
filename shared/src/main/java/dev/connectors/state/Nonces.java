package dev.connectors.state;

import java.util.Base64;

/** Unguessable identifiers for OAuth sessions: 256 random bits, base64url without padding. */
public final class Nonces {
    static final int BYTES = 32;

    private Nonces() {
    }

    /** A fresh 43-character nonce from the alphabet {@code [A-Za-z0-9_-]}. */
    public static String newNonce() {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(SecureRandoms.nextBytes(BYTES));
    }
}
