package dev.connectors.local;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * The load script (on demand, never part of the suite): starts the local runner on loopback (its own stand-ins,
 * sandbox provider and a temporary data folder), runs many connect flows through its HTTP API from a few
 * threads, spread over fewer tenants than flows so the same tenant also reconnects concurrently, then waits for
 * the backfills and checks the tables ({@link TableConsistency}). Bounded: at most 2,000 flows, 32 threads and
 * 300 s of flows. Exits 1 when a flow failed or the tables are inconsistent.
 *
 * <pre>LoadTest [flows=200] [tenants=100] [threads=8] [max-seconds=120]</pre>
 */
public final class LoadTest {
    private static final PrintStream OUT = System.out;

    private LoadTest() {
    }

    public static void main(String[] args) throws Exception {
        int flows = arg(args, 0, 200, 2_000);
        int tenants = Math.min(flows, arg(args, 1, 100, 2_000));
        int threads = arg(args, 2, 8, 32);
        Duration maxTime = Duration.ofSeconds(arg(args, 3, 120, 300));
        Path dataDir = Files.createTempDirectory("connectors-load-");
        boolean ok;
        try (LocalRunner.Running runner = LocalRunner.start(LocalRunner.Config.defaults().withPort(0).withDataDir(dataDir)
                .withSecretsFile(dataDir.resolve("none.json")))) {
            ok = run(runner, flows, tenants, threads, maxTime);
        } finally {
            deleteQuietly(dataDir);
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean run(LocalRunner.Running runner, int flows, int tenantCount, int threads, Duration maxTime) throws Exception {
        ConnectLoad load = new ConnectLoad(runner.baseUrl(), runner::devToken);
        OUT.printf("Load: %d connect flows over %d tenants, %d threads, at most %d s, against %s (JDK %s, %d cores)%n",
                flows, tenantCount, threads, maxTime.toSeconds(), runner.baseUrl(), Runtime.version(), Runtime.getRuntime().availableProcessors());
        load.run(List.of("warmup-" + UUID.randomUUID()), 1, Duration.ofSeconds(30)); // JIT and connection pools; not counted

        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> tenants = new ArrayList<>();
        for (int i = 0; i < flows; i++) tenants.add("load-" + run + "-" + (i % tenantCount));
        long start = System.nanoTime();
        List<ConnectLoad.Flow> results = load.run(tenants, threads, maxTime);
        ConnectLoad.Report report = ConnectLoad.report(results, Duration.ofNanos(System.nanoTime() - start));
        OUT.println("Flows:  " + report.summary());

        Set<String> all = new LinkedHashSet<>(tenants);
        Set<String> connected = results.stream().filter(ConnectLoad.Flow::connected).map(ConnectLoad.Flow::tenant)
                .collect(Collectors.toCollection(LinkedHashSet::new));
        TableConsistency tables = new TableConsistency(runner.dynamo(), LocalRunner.PREFIX);
        long waitStart = System.nanoTime();
        boolean drained = tables.awaitJobsFinished(all, Duration.ofSeconds(300));
        OUT.printf("Backfills: %s in %.1f s%n", drained ? "all finished" : "NOT all finished", (System.nanoTime() - waitStart) / 1e9);
        TableConsistency.Result consistency = tables.check(all, connected, flows - report.connected(), Instant.now());
        OUT.println("Tables: " + consistency.summary());
        return report.connected() == report.flows() && report.flows() == flows && drained && consistency.ok();
    }

    private static int arg(String[] args, int index, int fallback, int max) {
        if (args.length <= index) return fallback;
        int value = Integer.parseInt(args[index].strip());
        if (value < 1 || value > max) throw new IllegalArgumentException("argument " + (index + 1) + " must be 1.." + max + ", got " + value);
        return value;
    }

    private static void deleteQuietly(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder: the OS cleans it eventually
        }
    }
}
