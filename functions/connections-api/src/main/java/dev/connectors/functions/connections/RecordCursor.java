package dev.connectors.functions.connections;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The opaque {@code cursor} of GET /records: base64url of {@code 1:<binding>:<last record id>}, where
 * the binding is a hash of tenant, provider and model. It is not a secret or a credential: the query
 * always runs in the caller's own partition, so a forged cursor can only skip within the caller's
 * records. The binding only makes a cursor from another listing a clean 400 instead of a wrong page.
 */
final class RecordCursor {
    private static final String VERSION = "1";
    private static final int MAX_LENGTH = 2048;
    private static final int MAX_ID_BYTES = 1024; // DynamoDB's limit for a sort key

    private RecordCursor() {
    }

    static String encode(String tenant, String provider, String model, String lastRecordId) {
        String plain = VERSION + ":" + binding(tenant, provider, model) + ":" + lastRecordId;
        return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
    }

    /** The record id to continue after; invalid_request for garbage or a cursor of another listing. */
    static String decode(String cursor, String tenant, String provider, String model) {
        if (cursor.isEmpty() || cursor.length() > MAX_LENGTH) throw ApiRequest.invalid("cursor length");
        String plain;
        try {
            plain = StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(Base64.getUrlDecoder().decode(cursor))).toString();
        } catch (IllegalArgumentException | CharacterCodingException e) {
            throw ApiRequest.invalid("cursor is not base64url of UTF-8");
        }
        String[] parts = plain.split(":", 3);
        if (parts.length != 3 || !parts[0].equals(VERSION)
                || !MessageDigest.isEqual(parts[1].getBytes(StandardCharsets.UTF_8),
                        binding(tenant, provider, model).getBytes(StandardCharsets.UTF_8))) {
            throw ApiRequest.invalid("cursor of another listing or malformed");
        }
        String id = parts[2];
        int bytes = id.getBytes(StandardCharsets.UTF_8).length;
        if (bytes == 0 || bytes > MAX_ID_BYTES) throw ApiRequest.invalid("cursor record id");
        return id;
    }

    private static String binding(String tenant, String provider, String model) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest((tenant + "\n" + provider + "\n" + model).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(Arrays.copyOf(digest, 12));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
