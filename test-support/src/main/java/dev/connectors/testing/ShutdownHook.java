package dev.connectors.testing;

import java.util.ArrayDeque;
import java.util.Deque;

/** Stops the shared stand-ins when the test JVM exits, newest first. */
final class ShutdownHook {
    private static final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private static boolean installed;

    private ShutdownHook() {}

    static synchronized <T extends AutoCloseable> T closeAtExit(T resource) {
        if (!installed) {
            Runtime.getRuntime().addShutdownHook(new Thread(ShutdownHook::closeAll, "stand-ins-shutdown"));
            installed = true;
        }
        resources.push(resource);
        return resource;
    }

    private static synchronized void closeAll() {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                System.err.println("stand-ins: shutdown failed: " + e); // keep stopping the others
            }
        }
    }
}
