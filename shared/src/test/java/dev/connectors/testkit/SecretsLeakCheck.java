package dev.connectors.testkit;

import dev.connectors.testing.RepoRoot;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * Registered for every test class of a module (META-INF/services + autodetection in the module's
 * junit-platform.properties): captures all structured logs from the first class on, and after each class
 * fails it when any secret of {@link SecretsWatch} appears in a log line or an {@code events/} file.
 * The failure names where, and the secret's length, never the secret.
 */
public final class SecretsLeakCheck implements BeforeAllCallback, AfterAllCallback {
    private static volatile boolean active;

    @Override
    public void beforeAll(ExtensionContext context) {
        active = true;
        LogCapture.install();
    }

    /** True once the check has run before a test class: proof that the module registered it. */
    static boolean active() {
        return active;
    }

    @Override
    public void afterAll(ExtensionContext context) {
        String leak = leak();
        if (leak != null) throw new AssertionError("secret leaked after " + context.getDisplayName() + ": " + leak);
        // the figures for the README: how much the check covered so far in this JVM
        System.out.println("secrets-leak check after " + context.getDisplayName() + ": " + SecretsWatch.secrets().size()
                + " secrets, " + LogCapture.everything().size() + " log lines, " + eventFiles().size() + " events files: clean");
    }

    /** Where the first leaked secret is, or null when nothing leaked. */
    public static String leak() {
        List<String> lines = LogCapture.everything();
        for (int i = 0; i < lines.size(); i++) {
            String s = SecretsWatch.findIn(lines.get(i));
            if (s != null) return "a " + s.length() + "-char secret in log line #" + i + " (" + event(lines.get(i)) + ")";
        }
        for (Path file : eventFiles()) {
            try {
                String s = SecretsWatch.findIn(Files.readString(file, StandardCharsets.UTF_8));
                if (s != null) return "a " + s.length() + "-char secret in " + RepoRoot.path().relativize(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return null;
    }

    /** The line's "event" name, to point at the code that logged it. */
    private static String event(String line) {
        int at = line.indexOf("\"event\":\"");
        if (at < 0) return "no event name";
        int end = line.indexOf('"', at + 9);
        return end < 0 ? "?" : line.substring(at + 9, end);
    }

    private static List<Path> eventFiles() {
        Path events = RepoRoot.path().resolve("events");
        if (!Files.isDirectory(events)) return List.of();
        try (Stream<Path> files = Files.walk(events)) {
            return files.filter(Files::isRegularFile).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
