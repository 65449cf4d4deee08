package dev.connectors.local;

import dev.connectors.log.Log;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Every on-demand benchmark, one after the other, then one table of figures against the baselines measured
 * in the same run and the targets. {@code ./bench.sh} builds the jars and runs this; arguments pick benches
 * ({@code cold callback backfill refresher size}), none means all.
 */
public final class Benches {
    private static final PrintStream OUT = System.out;
    static final List<String> ALL = List.of("cold", "callback", "backfill", "refresher", "size");
    /** The baseline jar: three SDK clients, url-connection and the JSON mapper. */
    private static final double BASELINE_JAR_MB = 12.4;

    /** One line of the table. */
    record Row(String bench, String figure, String baseline, double ratio, String target, boolean met) {
    }

    public static void main(String[] args) throws Exception {
        Set<String> chosen = new LinkedHashSet<>(args.length == 0 ? ALL : List.of(args));
        if (!ALL.containsAll(chosen)) throw new IllegalArgumentException("benches are " + ALL + ", not " + chosen);
        Log.sink(line -> { }); // the functions' JSON logs would drown the figures
        String machine = machine();
        OUT.println("Machine: " + machine);
        List<Row> rows = new ArrayList<>();
        if (chosen.contains("cold")) rows.addAll(cold());
        if (chosen.contains("callback")) rows.add(callback());
        if (chosen.contains("backfill")) rows.addAll(backfill());
        if (chosen.contains("refresher")) rows.add(refresher());
        if (chosen.contains("size")) rows.addAll(sizes());
        OUT.println();
        OUT.println("Machine: " + machine);
        OUT.println();
        OUT.println("| bench | figure | baseline (same run) | ratio | target | met |");
        OUT.println("|---|---|---|---|---|---|");
        for (Row r : rows) {
            OUT.printf("| %s | %s | %s | %s | %s | %s |%n", r.bench(), r.figure(), r.baseline(),
                    Double.isNaN(r.ratio()) ? "–" : String.format("%.2fx", r.ratio()), r.target(), r.met() ? "yes" : "**no**");
        }
        System.exit(0);
    }

    private static List<Row> cold() throws Exception {
        ColdStartBench.Result r = ColdStartBench.run(9);
        ColdStartBench.print(r);
        double primed = r.primedFirst().median() / r.warm().median();
        return List.of(
                new Row("cold start: OAuth function, init + first authorize", r.real().describe("ms"),
                        "minimal handler " + r.baseline().describe("ms") + "; JVM floor " + r.floor().describe("ms"),
                        r.ratio(), "<= 1.25x", r.ratio() <= 1.25),
                new Row("SnapStart: first request after priming", r.primedFirst().describe("ms")
                        + " (unprimed " + String.format("%.0f ms", r.unprimedFirst().median()) + ")",
                        String.format("warm request %.1f ms (%.1f ms with the first request's I/O: both secrets read)",
                                r.warm().median(), r.warmUncached().median()), primed, "<= 2x", primed <= 2));
    }

    private static Row callback() throws Exception {
        CallbackBench.Result r = CallbackBench.run(500);
        CallbackBench.print(r);
        return new Row("warm callback, p50 (p99)", String.format("%.1f ms (%.1f ms)", r.real().median(), r.real().percentile(99)),
                String.format("raw same 8 I/O %.1f ms (%.1f ms); minimal 5 I/O %.1f ms", r.raw().median(), r.raw().percentile(99),
                        r.rawMinimal().median()), r.ratio(), "<= 1.10x", r.ratio() <= 1.10);
    }

    private static List<Row> backfill() throws Exception {
        List<BackfillBench.Size> sizes = BackfillBench.run(List.of(10_000, 1_000_000));
        BackfillBench.Size small = sizes.get(0);
        BackfillBench.Size big = sizes.get(sizes.size() - 1);
        double throughput = big.workerRate() / big.rawRate();
        double heap = big.peakHeapMb() / small.peakHeapMb();
        return List.of(
                new Row(String.format("worker, 3-month backfill of %,d records", big.records()), String.format("%,.0f rec/s", big.workerRate()),
                        String.format("raw fetch + batch write %,.0f rec/s", big.rawRate()), throughput, ">= 0.8x", throughput >= 0.8),
                new Row("worker peak heap", String.format("%.1f MB at %,d records", big.peakHeapMb(), big.records()),
                        String.format("%.1f MB at %,d records", small.peakHeapMb(), small.records()), heap, "<= 1.2x", heap <= 1.2));
    }

    private static Row refresher() throws Exception {
        RefresherBench.Result r = RefresherBench.run(100_000, 100);
        RefresherBench.print(r);
        return new Row(String.format("refresher sweep over %,d connections", r.connections()),
                String.format("%,d items read", r.itemsRead()), r.due() + " due", r.ratio(), "<= 2x", r.ratio() <= 2);
    }

    private static List<Row> sizes() throws IOException {
        List<Row> rows = new ArrayList<>();
        try (Stream<Path> jars = Files.list(Path.of("functions"))) {
            for (Path module : jars.sorted().toList()) {
                try (Stream<Path> built = Files.list(module.resolve("target"))) {
                    for (Path jar : built.filter(p -> p.getFileName().toString().matches("connectors-.*\\.jar")).toList()) {
                        double mb = Files.size(jar) / 1e6;
                        rows.add(new Row("artifact " + jar.getFileName(), String.format("%.1f MB", mb),
                                String.format("issue's jar with SDK clients + Jackson: %.1f MB", BASELINE_JAR_MB), mb / BASELINE_JAR_MB, "<= 15 MB", mb <= 15));
                    }
                }
            }
        }
        rows.forEach(r -> OUT.println(r.bench() + ": " + r.figure()));
        return rows;
    }

    private static String machine() {
        String cpu = "unknown CPU";
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            cpu = lines.filter(l -> l.startsWith("model name")).findFirst().map(l -> l.replaceFirst(".*:\\s*", "")).orElse(cpu);
        } catch (IOException | RuntimeException e) {
            // not Linux: the core count and JDK still say enough
        }
        long memory = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getTotalMemorySize();
        return String.format("%s, %d cores, %.0f GB, JDK %s, load average %.1f at start", cpu, Runtime.getRuntime().availableProcessors(),
                memory / 1e9, System.getProperty("java.version"), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
    }
}
