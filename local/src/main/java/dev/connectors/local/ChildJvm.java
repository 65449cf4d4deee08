package dev.connectors.local;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A bench child: a fresh JVM with the Lambda Java runtime's flags on a function's deployable jar, its
 * settings in the environment. Children report on stderr; stdout (the function's JSON logs) is dropped.
 */
final class ChildJvm {
    /** The Lambda Java runtime's JIT flags; a 1 GB function has under two vCPUs, where the JVM picks the serial GC. */
    static final List<String> LAMBDA_FLAGS = List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC");

    private ChildJvm() {
    }

    /** The function's jar plus the bench's own classes (the child mains). */
    static String classpath(String jar) {
        return Path.of(jar).toAbsolutePath() + ":" + Path.of("local/target/classes").toAbsolutePath();
    }

    /** Runs {@code main} to its end, handing every stderr line to {@code onLine} as it arrives. */
    static void run(String classpath, Map<String, String> env, Class<?> main, List<String> args, Consumer<String> onLine)
            throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        command.addAll(LAMBDA_FLAGS);
        String extra = System.getProperty("bench.childFlags", ""); // e.g. -Xlog:class+load to see what a start loads
        if (!extra.isBlank()) command.addAll(List.of(extra.trim().split("\\s+")));
        command.addAll(List.of("-cp", classpath, main.getName()));
        command.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = err.readLine()) != null; ) {
                if (lines.size() < 40) lines.add(line);
                onLine.accept(line);
            }
        }
        if (p.waitFor() != 0) {
            throw new IllegalStateException(main.getSimpleName() + " failed:\n" + String.join("\n", lines));
        }
    }
}
