package dev.connectors.local;

import dev.connectors.config.Settings;
import dev.connectors.testing.CfnTemplate;
import dev.connectors.testing.StandIns;
import dev.connectors.testing.TemplateResources;
import dev.connectors.testing.TestResources;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * On-demand benchmark (never a test): starts the OAuth function in fresh JVMs the way Lambda does
 * (one jar, no warm-up) and reports init and first-request times against the local stand-ins.
 * Run: {@code mvn -q -pl local exec:java -Dexec.mainClass=dev.connectors.local.ColdStartBench}
 */
public final class ColdStartBench {
    private static final PrintStream OUT = System.out;
    private static final int RUNS = 7;

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("functions/oauth/target/connectors-oauth-function.jar").toAbsolutePath();
        Path probe = Path.of("local/target/classes").toAbsolutePath();
        if (!Files.exists(jar)) throw new IllegalStateException("build first: mvn -DskipTests install");
        TestResources resources = TemplateResources.create("bench-");
        Path secretsDir = Files.createTempDirectory("bench-secrets-");
        Map<String, String> env = new HashMap<>(LocalFunctions.environment(CfnTemplate.ofRepo(), resources, "GenericFunction", Map.of(
                Settings.AWS_ENDPOINT_URL_DYNAMODB, StandIns.dynamoEndpoint().toString(),
                Settings.AWS_ENDPOINT_URL_SQS, StandIns.sqsEndpoint().toString(),
                Settings.SECRETS_FILE, secretsDir.resolve(LocalSecrets.FILE).toString(),
                Settings.PUBLIC_BASE_URL, "http://localhost:8080",
                Settings.AWS_REGION, "us-east-1")));
        LocalSecrets.write(secretsDir, env.get(Settings.APP_SECRET_ID), env.get(Settings.PROVIDER_SECRET_ID), Map.of(
                "client_id", "bench-client", "authorize_url", "http://127.0.0.1:9/authorize",
                "token_url", "http://127.0.0.1:9/token", "api_base_url", "http://127.0.0.1:9/api"), null);

        List<long[]> runs = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            ProcessBuilder pb = new ProcessBuilder("java", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-cp", jar + ":" + probe, ColdStartChild.class.getName());
            pb.environment().putAll(env);
            pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            Process p = pb.start();
            String result = null;
            try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    if (line.startsWith("RESULT ")) result = line;
                }
            }
            p.waitFor();
            if (result == null) throw new IllegalStateException("child printed no result");
            String[] f = result.split(" ");
            runs.add(new long[]{Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[4])});
        }
        OUT.printf("OAuth function, %d fresh JVMs (%s, %d cores)%n", RUNS, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
        OUT.printf("  JVM start to main:        median %d ms%n", median(runs, 0));
        OUT.printf("  handler init:             median %d ms%n", median(runs, 1));
        OUT.printf("  first authorize request:  median %d ms (status %d)%n", median(runs, 2), runs.get(0)[3]);
        System.exit(0);
    }

    private static long median(List<long[]> runs, int column) {
        return runs.stream().mapToLong(r -> r[column]).sorted().toArray()[runs.size() / 2];
    }
}
