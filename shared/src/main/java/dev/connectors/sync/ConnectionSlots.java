package dev.connectors.sync;

import dev.connectors.dynamo.Storage;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;

import static dev.connectors.dynamo.Items.n;
import static dev.connectors.dynamo.Items.s;

/**
 * The per-connection concurrency cap: at most {@code size} deliveries of one connection (its job, or steps
 * of it) call the provider at once, so parallel steps do not trip the provider's own limit. Each slot is an
 * item of the jobs table ({@code slot#<provider>#<n>#<tenant>}: no index attributes, so no index sees it)
 * taken with a conditional write that succeeds only when the slot is free, expired or already ours. A slot
 * carries an expiry rather than a count, so a worker that dies holding one (no {@code finally} runs in a
 * killed Lambda) blocks its connection for at most {@link #HOLD}, never forever.
 */
public final class ConnectionSlots {
    /** Longer than one worker invocation (its lease is the same length), so a live holder never loses its slot. */
    public static final Duration HOLD = JobStore.LEASE;
    public static final int DEFAULT_SIZE = 2;

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final int size;

    public ConnectionSlots(DynamoDbClient dynamo, String table, Clock clock, int size) {
        if (size < 1) throw new IllegalArgumentException("connection concurrency must be at least 1: " + size);
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.size = size;
    }

    /** A slot held by one delivery. */
    public record Slot(String key, String owner) {
    }

    /** Takes a free slot of the connection for {@code owner}; empty when all {@code size} are held. */
    public Optional<Slot> acquire(String tenantId, String provider, String owner) {
        long now = clock.instant().getEpochSecond();
        long until = clock.instant().plus(HOLD).getEpochSecond();
        int first = ThreadLocalRandom.current().nextInt(size); // spread contenders over the slots
        for (int i = 0; i < size; i++) {
            String key = "slot#" + provider + "#" + ((first + i) % size) + "#" + tenantId;
            try {
                Storage.run("take connection slot", () -> dynamo.updateItem(r -> r.tableName(table)
                        .key(Map.of("job_id", s(key)))
                        .updateExpression("SET slot_owner = :o, slot_until = :u")
                        .conditionExpression("attribute_not_exists(slot_until) OR slot_until < :now OR slot_owner = :o")
                        .expressionAttributeValues(Map.of(":o", s(owner), ":u", n(until), ":now", n(now)))));
                return Optional.of(new Slot(key, owner));
            } catch (ConditionalCheckFailedException e) {
                // held: try the next one
            }
        }
        return Optional.empty();
    }

    /** Frees the slot if it is still ours (an expired one may have been taken over meanwhile). */
    public void release(Slot slot) {
        try {
            Storage.run("free connection slot", () -> dynamo.updateItem(r -> r.tableName(table)
                    .key(Map.of("job_id", s(slot.key())))
                    .updateExpression("REMOVE slot_owner, slot_until")
                    .conditionExpression("slot_owner = :o")
                    .expressionAttributeValues(Map.of(":o", s(slot.owner())))));
        } catch (ConditionalCheckFailedException e) {
            // expired and taken by another delivery: it is theirs now
        }
    }
}
