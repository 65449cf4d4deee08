package dev.connectors.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * dynalite (an open-source DynamoDB implementation on LevelDB) as a Node child process on a
 * loopback port. {@link #start(Path)} is in-memory (every start is empty); {@link #start(Path, Path)}
 * keeps its LevelDB files in a folder, so tables and items survive a restart (the local runner).
 */
public final class Dynalite implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(20);

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private Dynalite(Process process, int port, Path log) {
        this.process = process;
        this.endpoint = URI.create("http://127.0.0.1:" + port);
        this.log = log;
    }

    /** Starts dynalite from {@code <repoRoot>/standins/node_modules} and waits until it accepts connections. */
    public static Dynalite start(Path repoRoot) {
        return start(repoRoot, null);
    }

    /**
     * Like {@link #start(Path)}, but persistent: LevelDB files live in {@code dataDir} (created if
     * missing). LevelDB locks the folder, so only one dynalite can use it at a time.
     */
    public static Dynalite start(Path repoRoot, Path dataDir) {
        Path cli = repoRoot.resolve("standins/node_modules/dynalite/cli.js");
        if (!Files.isRegularFile(cli)) {
            throw new IllegalStateException("dynalite is not installed (" + cli + " is missing): run `npm ci --prefix standins` in " + repoRoot);
        }
        int port = Ports.free();
        try {
            Path log = Files.createTempFile("dynalite-", ".log");
            log.toFile().deleteOnExit();
            // Table state changes are instant so tests never wait on CREATING/DELETING.
            List<String> command = new ArrayList<>(List.of("node", cli.toString(),
                    "--host", "127.0.0.1", "--port", Integer.toString(port),
                    "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0"));
            if (dataDir != null) {
                command.addAll(List.of("--path", Files.createDirectories(dataDir).toAbsolutePath().toString()));
            }
            Process process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            Dynalite dynalite = new Dynalite(process, port, log);
            dynalite.awaitPort(port);
            return dynalite;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not start `node` (is Node 20 on the PATH?)", e);
        }
    }

    private void awaitPort(int port) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!Ports.accepts(port)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("dynalite exited with " + process.exitValue() + ": " + logText());
            }
            if (System.nanoTime() > deadline) {
                close();
                throw new IllegalStateException("dynalite did not listen on port " + port + " within " + START_TIMEOUT.toSeconds()
                        + " s: " + logText() + " (if node_modules is stale, run `npm ci --prefix standins`)");
            }
            sleep(25);
        }
    }

    public URI endpoint() {
        return endpoint;
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private String logText() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for dynalite", e);
        }
    }
}
