package dev.connectors.testkit;

import net.jqwik.api.Example;

import static org.assertj.core.api.Assertions.assertThat;

/** The jqwik side of the leak check is registered: it ran before this property class. */
class SecretsLeakHookTest {
    @Example
    void theHookIsRegisteredForEveryPropertyClass() {
        assertThat(SecretsLeakHook.active()).isTrue();
    }
}
