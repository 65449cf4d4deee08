package dev.connectors.sync;

import dev.connectors.config.Settings;
import dev.connectors.testkit.Harness;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The per-connection cap on dynalite: N slots, per connection, freed by their holder or by expiry. */
class ConnectionSlotsTest {
    private static Harness h;

    @BeforeAll
    static void standIns() {
        h = Harness.forFunction("SyncWorkerFunction").set(Settings.SYNC_CONNECTION_CONCURRENCY, "2");
    }

    @Test
    void atMostTheCapHoldsSlotsOfOneConnectionAndOtherConnectionsAreNotAffected() {
        ConnectionSlots slots = h.services().connectionSlots();
        String tenant = "tenant-" + UUID.randomUUID();

        Optional<ConnectionSlots.Slot> a = slots.acquire(tenant, "slack", "a");
        Optional<ConnectionSlots.Slot> b = slots.acquire(tenant, "slack", "b");

        assertThat(a).isPresent();
        assertThat(b).isPresent();
        assertThat(a.get().key()).isNotEqualTo(b.get().key());
        assertThat(slots.acquire(tenant, "slack", "c")).isEmpty();
        assertThat(slots.acquire(tenant, "gmail", "c")).isPresent();
        assertThat(slots.acquire("other-" + tenant, "slack", "c")).isPresent();

        slots.release(a.get());
        assertThat(slots.acquire(tenant, "slack", "c")).isPresent();
    }

    @Test
    void aCrashedHoldersSlotFreesItselfAfterTheHoldAndItsLateReleaseFreesNothing() {
        ConnectionSlots one = h.set(Settings.SYNC_CONNECTION_CONCURRENCY, "1").services().connectionSlots();
        h.set(Settings.SYNC_CONNECTION_CONCURRENCY, "2");
        String tenant = "tenant-" + UUID.randomUUID();
        ConnectionSlots.Slot dead = one.acquire(tenant, "slack", "dead").orElseThrow();
        assertThat(one.acquire(tenant, "slack", "waiting")).as("held, and the holder never releases it").isEmpty();

        h.clock.advance(ConnectionSlots.HOLD.minusSeconds(1));
        assertThat(one.acquire(tenant, "slack", "waiting")).as("not before the hold runs out").isEmpty();
        h.clock.advance(Duration.ofSeconds(2));
        ConnectionSlots.Slot taken = one.acquire(tenant, "slack", "waiting").orElseThrow();
        one.release(dead); // the dead holder wakes up late: the slot is someone else's now

        assertThat(taken.key()).isEqualTo(dead.key());
        assertThat(one.acquire(tenant, "slack", "third")).as("still held by its new owner").isEmpty();
    }
}
