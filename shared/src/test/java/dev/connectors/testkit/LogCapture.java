package dev.connectors.testkit;

import dev.connectors.log.Log;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects every structured log line so tests can assert that no secret or token is ever logged. */
public final class LogCapture {
    private static final List<String> LINES = new CopyOnWriteArrayList<>();
    /** Every line of the test JVM, never cleared: what the secrets-leak check reads. */
    private static final java.util.Queue<String> EVERYTHING = new java.util.concurrent.ConcurrentLinkedQueue<>();

    static {
        install();
    }

    private LogCapture() {
    }

    public static void install() {
        // again on every call: a test that borrowed the sink (ProviderHttpTest) may have put the default back
        Log.sink(line -> {
            LINES.add(line);
            EVERYTHING.add(line);
        });
    }

    /** Every line captured so far, oldest first. */
    public static List<String> lines() {
        return List.copyOf(LINES);
    }

    public static String all() {
        return String.join("\n", LINES);
    }

    /** Every line logged through the capture since the JVM started, whatever tests cleared. */
    public static List<String> everything() {
        return List.copyOf(EVERYTHING);
    }

    public static void clear() {
        LINES.clear();
    }
}
