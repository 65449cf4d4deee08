package dev.connectors.testkit;

import net.jqwik.api.lifecycle.AfterContainerHook;
import net.jqwik.api.lifecycle.BeforeContainerHook;
import net.jqwik.api.lifecycle.ContainerLifecycleContext;
import net.jqwik.api.lifecycle.PropagationMode;

/**
 * {@link SecretsLeakCheck} for the jqwik engine, whose property classes Jupiter extensions never see:
 * registered globally (META-INF/services), it captures logs before and checks for leaks after every
 * property class. A class of its own so that modules without jqwik never load jqwik types.
 */
public final class SecretsLeakHook implements BeforeContainerHook, AfterContainerHook {
    private static volatile boolean active;

    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public void beforeContainer(ContainerLifecycleContext context) {
        active = true;
        LogCapture.install();
    }

    @Override
    public void afterContainer(ContainerLifecycleContext context) {
        String leak = SecretsLeakCheck.leak();
        if (leak != null) throw new AssertionError("secret leaked after " + context.label() + ": " + leak);
    }

    static boolean active() {
        return active;
    }
}
