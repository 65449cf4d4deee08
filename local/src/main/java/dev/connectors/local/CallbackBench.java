package dev.connectors.local;

import com.github.tomakehurst.wiremock.WireMockServer;
import dev.connectors.testing.WireMockStandIn;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;

/**
 * On-demand benchmark (never a test) of a warm OAuth callback: the real handler in a JVM with Lambda's
 * flags against the stand-ins, its token endpoint on WireMock, beside the raw sequence of the same I/O
 * ({@link CallbackBenchChild}), interleaved request by request.
 */
public final class CallbackBench {
    private static final PrintStream OUT = System.out;

    record Result(BenchStats real, BenchStats raw, BenchStats rawMinimal) {
        double ratio() {
            return real.median() / raw.median();
        }
    }

    public static void main(String[] args) throws Exception {
        print(run(args.length > 0 ? Integer.parseInt(args[0]) : 500));
        System.exit(0);
    }

    static Result run(int measured) throws Exception {
        WireMockServer wiremock = WireMockStandIn.shared();
        String base = wiremock.baseUrl() + "/cb-bench-" + System.nanoTime();
        wiremock.stubFor(post(urlEqualTo(base.substring(wiremock.baseUrl().length()) + "/token")).willReturn(okJson(
                "{\"access_token\":\"at-bench\",\"refresh_token\":\"rt-bench\",\"token_type\":\"Bearer\",\"expires_in\":3600}")));
        Map<String, String> env = BenchEnvironment.genericFunction("bench-cb-", base);
        Map<String, double[]> series = new HashMap<>();
        ChildJvm.run(ChildJvm.classpath(ColdStartBench.OAUTH_JAR), env, CallbackBenchChild.class,
                List.of(Integer.toString(Math.max(200, measured / 2)), Integer.toString(measured), base + "/token"), line -> {
                    String[] f = line.split(" ");
                    if (List.of("REAL", "RAW", "RAW5").contains(f[0])) {
                        series.put(f[0], Arrays.stream(f, 1, f.length).mapToDouble(us -> Long.parseLong(us) / 1000.0).toArray());
                    }
                });
        if (series.size() != 3) throw new IllegalStateException("callback bench printed " + series.keySet());
        return new Result(BenchStats.of(series.get("REAL")), BenchStats.of(series.get("RAW")), BenchStats.of(series.get("RAW5")));
    }

    static void print(Result r) {
        OUT.printf("Warm callback, %d requests after warm-up (JDK %s, %s)%n", r.real().sorted().length,
                System.getProperty("java.version"), String.join(" ", ChildJvm.LAMBDA_FLAGS));
        OUT.printf("  callback handler:              p50 %.2f ms, p99 %.2f ms%n", r.real().median(), r.real().percentile(99));
        OUT.printf("  raw, the handler's 8 I/O:      p50 %.2f ms, p99 %.2f ms -> %.2fx at p50, %.2fx at p99 (target <= 1.10x)%n",
                r.raw().median(), r.raw().percentile(99), r.ratio(), r.real().percentile(99) / r.raw().percentile(99));
        OUT.printf("  raw, the minimal 5 I/O:        p50 %.2f ms, p99 %.2f ms -> %.2fx at p50%n",
                r.rawMinimal().median(), r.rawMinimal().percentile(99), r.real().median() / r.rawMinimal().median());
    }
}
