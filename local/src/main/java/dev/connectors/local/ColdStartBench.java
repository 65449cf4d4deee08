package dev.connectors.local;


import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * On-demand benchmark (never a test) of a cold start: fresh JVMs with Lambda's flags, interleaved round by
 * round so machine noise hits every variant alike:
 * <ul>
 *   <li>floor: a hello world ({@link ColdStartFloor});</li>
 *   <li>baseline: the same SDK clients and JSON mapper making the same calls with no logic ({@link ColdStartBaseline});</li>
 *   <li>real: the OAuth function's deployable jar building its handler and serving a first authorize
 *       ({@link ColdStartChild}): its secret reads go to Secrets Manager (WireMock), its session write to dynalite;</li>
 *   <li>primed: the same after the SnapStart priming hook ran (what a restored snapshot starts from), then warm requests;</li>
 *   <li>warm with the secrets cache off: warm requests making the first request's I/O (two secret reads and a write).</li>
 * </ul>
 * Times are wall clock from process start to the first response, as the user of a Connect button waits.
 */
public final class ColdStartBench {
    private static final PrintStream OUT = System.out;
    static final int WARM_REQUESTS = 200;
    static final String OAUTH_JAR = "functions/oauth/target/connectors-oauth-function.jar";

    record Result(BenchStats floor, BenchStats baseline, BenchStats real, BenchStats realInit, BenchStats realFirst,
                  BenchStats baselineInit, BenchStats baselineFirst, BenchStats primedFirst, BenchStats unprimedFirst,
                  BenchStats warm, BenchStats warmUncached) {
        double ratio() {
            return real.median() / baseline.median();
        }
    }

    public static void main(String[] args) throws Exception {
        print(run(args.length > 0 ? Integer.parseInt(args[0]) : 9));
        System.exit(0);
    }

    static Result run(int rounds) throws Exception {
        Map<String, String> env = BenchEnvironment.genericFunction("bench-cs-", "http://127.0.0.1:9");
        String cp = ChildJvm.classpath(OAUTH_JAR);

        Map<String, List<long[]>> runs = new LinkedHashMap<>();
        for (String v : List.of("floor", "baseline", "real", "primed")) runs.put(v, new ArrayList<>());
        List<Long> warm = new ArrayList<>();
        List<Long> warmUncached = new ArrayList<>();
        Map<String, String> uncached = new java.util.HashMap<>(env);
        uncached.put(dev.connectors.config.Settings.SECRETS_TTL_SECONDS, "0"); // every request reads both secrets, as a first one does
        launch(cp, env, ColdStartBaseline.class, List.of()); // pages the jar into the OS cache; not counted
        for (int round = 0; round < rounds; round++) {
            runs.get("floor").add(launch(cp, env, ColdStartFloor.class, List.of()).first());
            runs.get("baseline").add(launch(cp, env, ColdStartBaseline.class, List.of()).first());
            runs.get("real").add(launch(cp, env, ColdStartChild.class, List.of()).first());
            Launch primed = launch(cp, env, ColdStartChild.class, List.of(Integer.toString(WARM_REQUESTS), "primed"));
            runs.get("primed").add(primed.first());
            warm.add(settledMedian(primed));
            warmUncached.add(settledMedian(launch(cp, uncached, ColdStartChild.class, List.of(Integer.toString(WARM_REQUESTS)))));
        }
        return new Result(column(runs.get("floor"), 0), column(runs.get("baseline"), 0), column(runs.get("real"), 0),
                column(runs.get("real"), 1), column(runs.get("real"), 2), column(runs.get("baseline"), 1), column(runs.get("baseline"), 2),
                column(runs.get("primed"), 2), column(runs.get("real"), 2), BenchStats.of(warm.stream().map(us -> us / 1000.0).toList()),
                BenchStats.of(warmUncached.stream().map(us -> us / 1000.0).toList()));
    }

    /** The median of a JVM's second half of warm requests (after the JIT settled), in µs. */
    private static long settledMedian(Launch launch) {
        long[] settled = Arrays.copyOfRange(launch.warmMicros(), WARM_REQUESTS / 2, WARM_REQUESTS);
        return (long) BenchStats.of(Arrays.stream(settled).asDoubleStream().toArray()).median();
    }

    static void print(Result r) {
        OUT.printf("Cold start, %d interleaved rounds of fresh JVMs (JDK %s, %d cores, %s)%n", r.floor().sorted().length,
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), String.join(" ", ChildJvm.LAMBDA_FLAGS));
        OUT.printf("  JVM floor (hello world):             %s%n", r.floor().describe("ms"));
        OUT.printf("  baseline (SDK clients + Jackson):    %s; init %s, first request %s%n", r.baseline().describe("ms"),
                r.baselineInit().describe("ms"), r.baselineFirst().describe("ms"));
        OUT.printf("  real OAuth function, first authorize: %s; init %s, first request %s%n", r.real().describe("ms"),
                r.realInit().describe("ms"), r.realFirst().describe("ms"));
        OUT.printf("  real / baseline: %.2fx (target <= 1.25x)%n", r.ratio());
        OUT.printf("SnapStart priming (simulated: the hook runs after init, before the first request)%n");
        OUT.printf("  first request, primed:   %s%n", r.primedFirst().describe("ms"));
        OUT.printf("  first request, unprimed: %s%n", r.unprimedFirst().describe("ms"));
        OUT.printf("  warm request (median of each JVM's last %d): %.1f ms; primed first / warm = %.1fx (target <= 2x)%n",
                WARM_REQUESTS / 2, r.warm().median(), r.primedFirst().median() / r.warm().median());
        OUT.printf("  warm request reading both secrets too (the first request's I/O): %.1f ms; primed first / that = %.1fx%n",
                r.warmUncached().median(), r.primedFirst().median() / r.warmUncached().median());
    }

    /** One fresh JVM: {@code first} is {total_ms, init_ms, first_request_ms}; {@code warmMicros} in order. */
    record Launch(long[] first, long[] warmMicros) {
    }

    static Launch launch(String classpath, Map<String, String> env, Class<?> main, List<String> args) throws Exception {
        long start = System.nanoTime();
        long[][] first = {null};
        long[][] warm = {new long[0]};
        ChildJvm.run(classpath, env, main, args, line -> {
            if (line.startsWith("FIRST ")) {
                long total = (System.nanoTime() - start) / 1_000_000;
                String[] f = line.split(" ");
                if (!f[3].equals("200")) throw new IllegalStateException(main.getSimpleName() + " answered " + f[3]);
                first[0] = new long[]{total, Long.parseLong(f[1]), Long.parseLong(f[2])};
            } else if (line.startsWith("WARM ")) {
                warm[0] = Arrays.stream(line.substring(5).split(" ")).mapToLong(Long::parseLong).toArray();
            }
        });
        if (first[0] == null) throw new IllegalStateException(main.getSimpleName() + " printed no result");
        return new Launch(first[0], warm[0]);
    }

    private static BenchStats column(List<long[]> runs, int column) {
        return BenchStats.of(runs.stream().map(r -> r[column]).toList());
    }
}
