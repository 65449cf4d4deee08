package dev.connectors.tokens;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;

/**
 * AES-256-GCM for tokens at rest. The AAD binds a ciphertext to its tenant, provider and field, so a
 * ciphertext copied into another tenant's row (or from refresh to access token) fails to decrypt.
 * Stored form: 12-byte IV followed by ciphertext+tag; the key id is stored beside it.
 */
public final class TokenCipher {
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;

    /** Created on first use, never at class init: SnapStart would clone one seeded generator everywhere. */
    private static final class Random {
        static final SecureRandom INSTANCE = new SecureRandom();
    }

    private final TokenKeys keys;

    public TokenCipher(TokenKeys keys) {
        this.keys = keys;
    }

    public String currentKeyId() {
        return keys.currentId();
    }

    public byte[] encrypt(String plaintext, String aad) {
        try {
            byte[] iv = new byte[IV_BYTES];
            Random.INSTANCE.nextBytes(iv);
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(keys.key(keys.currentId()), "AES"), new GCMParameterSpec(TAG_BITS, iv));
            c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            return ByteBuffer.allocate(IV_BYTES + ct.length).put(iv).put(ct).array();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("token encryption failed", e);
        }
    }

    /** Throws {@link IllegalStateException} when the ciphertext was altered, moved, or the key is unknown. */
    public String decrypt(byte[] stored, String keyId, String aad) {
        if (stored == null || stored.length < IV_BYTES + TAG_BITS / 8) {
            // shorter than IV + tag: the JCE would throw ProviderException (ShortBufferException), not a checked error
            throw new IllegalStateException("token decryption failed (ciphertext too short)");
        }
        try {
            Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
            c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(keys.key(keyId), "AES"), new GCMParameterSpec(TAG_BITS, stored, 0, IV_BYTES));
            c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
            return new String(c.doFinal(stored, IV_BYTES, stored.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("token decryption failed (" + e.getClass().getSimpleName() + ")");
        }
    }
}
