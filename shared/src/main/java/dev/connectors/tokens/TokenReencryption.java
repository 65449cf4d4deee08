package dev.connectors.tokens;

import dev.connectors.log.Log;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;
import java.util.function.BooleanSupplier;

/**
 * The one-shot maintenance job after a token-key rotation: re-encrypts every connection still under an
 * old key id with the current key, page by page, so the old key can then be removed from the app secret.
 *
 * <p>It Scans the connections table. That is deliberate and the only Scan in the system: the job has no
 * tenant to query by and must visit every row once anyway; it runs by hand, not on a schedule, reads
 * keys and key ids only (a projection), and resumes from the page where it stopped. Rows that are
 * already current are skipped; rows that do not decrypt are counted and left untouched.
 * Normal traffic re-encrypts lazily too: every {@link TokenStore#save} writes with the current key.
 */
public final class TokenReencryption {
    private static final Log LOG = Log.of(TokenReencryption.class);
    public static final int PAGE = 100;

    /** Counts, and where to resume ({@code next} null when the table is done). */
    public record Result(int scanned, int reencrypted, int alreadyCurrent, int unreadable, Map<String, AttributeValue> next) {
    }

    private final TokenStore store;

    public TokenReencryption(TokenStore store) {
        this.store = store;
    }

    public Result run(Map<String, AttributeValue> start, BooleanSupplier timeLeft) {
        String current = store.currentKeyId();
        int[] counts = new int[4]; // scanned, reencrypted, current, unreadable
        Map<String, AttributeValue> next = start;
        do {
            next = store.scanKeyIds(next, PAGE, row -> {
                counts[0]++;
                if (current.equals(row.getValue())) {
                    counts[2]++;
                    return;
                }
                switch (store.reencrypt(row.getKey().tenantId(), row.getKey().provider())) {
                    case reencrypted -> counts[1]++;
                    case unreadable -> counts[3]++;
                    default -> counts[2]++;
                }
            });
        } while (next != null && timeLeft.getAsBoolean());
        Result result = new Result(counts[0], counts[1], counts[2], counts[3], next);
        LOG.info("tokens_reencrypted", "key_id", current, "scanned", result.scanned(), "reencrypted", result.reencrypted(),
                "already_current", result.alreadyCurrent(), "unreadable", result.unreadable(), "complete", next == null);
        return result;
    }
}
