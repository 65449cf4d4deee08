package dev.connectors.testkit;

import dev.connectors.log.Log;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Collects every structured log line so tests can assert that no secret or token is ever logged. */
public final class LogCapture {
    private static final List<String> LINES = new CopyOnWriteArrayList<>();

    static {
        Log.sink(LINES::add);
    }

    private LogCapture() {
    }

    public static void install() {
        // again on every call: a test that borrowed the sink (ProviderHttpTest) may have put the default back
        Log.sink(LINES::add);
    }

    /** Every line captured so far, oldest first. */
    public static List<String> lines() {
        return List.copyOf(LINES);
    }

    public static String all() {
        return String.join("\n", LINES);
    }

    public static void clear() {
        LINES.clear();
    }
}
