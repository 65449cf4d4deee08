package dev.connectors.functions.oauth;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Collects each parameterized checklist result (provider × check) and, after the class, prints the
 * matrix and writes it to target/provider-checklist.md, so one glance shows which provider fails what.
 */
final class ChecklistReport implements TestWatcher, AfterAllCallback {
    private final Map<String, Map<String, String>> results = new TreeMap<>();
    private final Set<String> checks = new LinkedHashSet<>();

    private void record(ExtensionContext context, String outcome) {
        String check = context.getRequiredTestMethod().getName();
        String provider = context.getDisplayName().replaceAll("^\\[\\d+]\\s*", "").replace("\"", "");
        checks.add(check);
        results.computeIfAbsent(provider, p -> new ConcurrentHashMap<>()).put(check, outcome);
    }

    @Override
    public void testSuccessful(ExtensionContext context) {
        record(context, "pass");
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        record(context, "FAIL");
    }

    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        record(context, "aborted");
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        record(context, "disabled");
    }

    @Override
    public void afterAll(ExtensionContext context) {
        StringBuilder table = new StringBuilder("| provider | ").append(String.join(" | ", checks)).append(" |\n|---|");
        checks.forEach(c -> table.append("---|"));
        table.append('\n');
        results.forEach((provider, byCheck) -> {
            table.append("| ").append(provider).append(" | ");
            checks.forEach(c -> table.append(byCheck.getOrDefault(c, "-")).append(" | "));
            table.append('\n');
        });
        System.out.println("Provider checklist (provider × check):\n" + table);
        try {
            Path out = Path.of("target", "provider-checklist.md");
            Files.createDirectories(out.getParent());
            Files.writeString(out, table.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
