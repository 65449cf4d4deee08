package dev.connectors.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.aws.AwsClients;
import dev.connectors.config.Settings;
import dev.connectors.http.ProviderHttp;
import dev.connectors.runtime.Services;
import dev.connectors.sync.SyncJob;
import dev.connectors.testing.CfnTemplate;
import dev.connectors.testing.StandIns;
import dev.connectors.testing.TemplateResources;
import dev.connectors.testing.TestResources;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * On-demand benchmark (never a test) of the 3-month backfill: the local stand-ins (dynalite, ElasticMQ),
 * a fake provider generating N records over the window in pages of 100 ({@link BenchProvider}), and the
 * real sync worker (its Lambda jar, in a child JVM with a small heap, one per size). Reports the worker's
 * records/second beside the raw rate of the same HTTP fetches and DynamoDB batch writes done directly,
 * and the worker's peak heap per history size.
 * Run (after {@code mvn -q -o install -DskipTests}):
 * {@code mvn -q -o -pl local exec:java -Dexec.mainClass=dev.connectors.local.BackfillBench -Dexec.args="10000 200000"}
 */
public final class BackfillBench {
    private static final PrintStream OUT = System.out;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHILD_HEAP = System.getProperty("bench.xmx", "64m");

    /** One history size: the worker's and the raw records/second, the worker's peak and live heap in MB. */
    record Size(int records, double workerRate, double rawRate, double peakHeapMb, double liveHeapMb) {
    }

    public static void main(String[] args) throws Exception {
        List<Integer> sizes = new ArrayList<>();
        for (String a : args.length == 0 ? new String[]{"10000", "200000"} : args) sizes.add(Integer.parseInt(a.replace("_", "")));
        run(sizes);
        System.exit(0);
    }

    static List<Size> run(List<Integer> sizes) throws Exception {
        List<Size> results = new ArrayList<>();
        Path jar = Path.of("functions/sync-worker/target/connectors-sync-worker.jar").toAbsolutePath();
        Path probe = Path.of("local/target/classes").toAbsolutePath();
        if (!Files.exists(jar)) throw new IllegalStateException("build first: mvn -DskipTests install");

        TestResources resources = TemplateResources.create("bench-bf-");
        Path secretsDir = Files.createTempDirectory("bench-bf-secrets-");
        Map<String, String> overrides = Map.of(
                Settings.AWS_ENDPOINT_URL_DYNAMODB, StandIns.dynamoEndpoint().toString(),
                Settings.AWS_ENDPOINT_URL_SQS, StandIns.sqsEndpoint().toString(),
                Settings.SECRETS_FILE, secretsDir.resolve(LocalSecrets.FILE).toString(),
                Settings.PUBLIC_BASE_URL, "http://localhost:8080",
                Settings.AWS_REGION, "us-east-1");
        CfnTemplate template = CfnTemplate.ofRepo();
        Map<String, String> workerEnv = new HashMap<>(LocalFunctions.environment(template, resources, "SyncWorkerFunction", overrides));
        Map<String, String> genericEnv = LocalFunctions.environment(template, resources, "GenericFunction", overrides);
        workerEnv.putIfAbsent(Settings.APP_SECRET_ID, genericEnv.get(Settings.APP_SECRET_ID));

        try (BenchProvider provider = BenchProvider.start(Instant.now().minusSeconds(60))) {
            LocalSecrets.write(secretsDir, genericEnv.get(Settings.APP_SECRET_ID), genericEnv.get(Settings.PROVIDER_SECRET_ID), Map.of(
                    "client_id", "bench-client", "authorize_url", "http://127.0.0.1:9/authorize",
                    "token_url", "http://127.0.0.1:9/token", "api_base_url", provider.apiBase().toString()), null);
            Services services = new Services(new Settings(workerEnv), Clock.systemUTC(), ProviderHttp.defaults());
            OUT.printf("3-month backfill benchmark (JDK %s, %d cores; stand-ins: dynalite + ElasticMQ; pages of 100 records of ~330 B;"
                    + " worker in a child JVM with -Xmx%s -XX:+UseSerialGC)%n", System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), CHILD_HEAP);

            DynamoDbClient dynamo = new AwsClients(new Settings(workerEnv)).dynamo();
            raw(provider, 2_000, dynamo, workerEnv.get(Settings.RECORDS_TABLE)); // JIT warm-up of this JVM

            for (int n : sizes) {
                Raw raw = raw(provider, n, dynamo, workerEnv.get(Settings.RECORDS_TABLE));
                OUT.printf("raw,    %,d records: HTTP fetch+parse %,.0f rec/s; DynamoDB BatchWriteItem (25/batch) %,.0f rec/s;"
                        + " both, page after page %,.0f rec/s%n", n, raw.fetchRate(), raw.writeRate(), raw.combinedRate());
                provider.size(n);
                String tenant = "bench-" + n + "-" + System.nanoTime();
                services.tokenStore().upsert(new Connection(tenant, "generic", ConnectionStatus.active, "bench-token", null,
                        "Bearer", List.of(), null, Map.of(), "bench", null, null, 0));
                SyncJob job = services.syncJobs().start(tenant, "generic", "bench-" + n);
                String[] result = child(jar, probe, workerEnv, job.jobId());
                long records = Long.parseLong(result[2]);
                double seconds = Double.parseDouble(result[4]);
                OUT.printf("worker, %,d records: %s, %,d records in %s pages, %.1f s, %,.0f rec/s;"
                                + " peak heap %.1f MB, max live heap after GC %.1f MB (%s GCs)%n",
                        n, result[1], records, result[3], seconds, records / seconds,
                        Long.parseLong(result[5]) / 1048576.0, Long.parseLong(result[6]) / 1048576.0, result[7]);
                results.add(new Size(n, records / seconds, raw.combinedRate(), Long.parseLong(result[5]) / 1048576.0,
                        Long.parseLong(result[6]) / 1048576.0));
            }
        }
        return results;
    }

    private static String[] child(Path jar, Path probe, Map<String, String> env, String jobId) throws Exception {
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx" + CHILD_HEAP, "-XX:+UseSerialGC",
                "-cp", jar + ":" + probe, BackfillBenchChild.class.getName(), jobId);
        pb.environment().putAll(env);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD); // the worker's JSON log lines
        Process p = pb.start();
        String result = null;
        List<String> other = new ArrayList<>();
        try (BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = err.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) result = line;
                else if (other.size() < 40) other.add(line);
            }
        }
        p.waitFor();
        if (result == null) throw new IllegalStateException("worker JVM printed no result:\n" + String.join("\n", other));
        return result.split(" ");
    }

    record Raw(double fetchRate, double writeRate, double combinedRate) {
    }

    /**
     * The same pages fetched and parsed directly, each page's items batch-written directly right after (as the
     * worker does, minus everything else): the fetch and write times are summed separately.
     */
    private static Raw raw(BenchProvider provider, int n, DynamoDbClient dynamo, String table) throws Exception {
        provider.size(n);
        Instant end = Instant.now();
        Instant start = end.atZone(ZoneOffset.UTC).minusMonths(3).toInstant();
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        String pk = "raw-" + System.nanoTime() + "#generic#records";
        String cursor = null;
        long fetchNanos = 0;
        long writeNanos = 0;
        long fetched = 0;
        do {
            long t0 = System.nanoTime();
            String url = provider.apiBase() + "/records?updated_after=" + enc(start.toString()) + "&updated_before=" + enc(end.toString())
                    + "&limit=100" + (cursor == null ? "" : "&cursor=" + enc(cursor));
            HttpResponse<byte[]> res = http.send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer raw").GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            JsonNode page = JSON.readTree(res.body());
            JsonNode records = page.path("records");
            fetched += records.size();
            cursor = page.path("next_cursor").isTextual() ? page.path("next_cursor").asText() : null;
            long t1 = System.nanoTime();
            fetchNanos += t1 - t0;
            List<WriteRequest> writes = new ArrayList<>();
            for (JsonNode r : records) {
                Map<String, AttributeValue> item = new LinkedHashMap<>();
                item.put("pk", AttributeValue.fromS(pk));
                item.put("record_id", AttributeValue.fromS(r.path("id").asText()));
                item.put("updated_at", AttributeValue.fromN(Long.toString(Instant.parse(r.path("updated_at").asText()).getEpochSecond())));
                item.put("payload", AttributeValue.fromS(r.toString()));
                item.put("job_id", AttributeValue.fromS("raw"));
                item.put("synced_at", AttributeValue.fromN(Long.toString(Instant.now().getEpochSecond())));
                writes.add(WriteRequest.builder().putRequest(PutRequest.builder().item(item).build()).build());
            }
            for (int i = 0; i < writes.size(); i += 25) {
                List<WriteRequest> batch = writes.subList(i, Math.min(writes.size(), i + 25));
                while (!batch.isEmpty()) {
                    List<WriteRequest> send = batch;
                    batch = dynamo.batchWriteItem(b -> b.requestItems(Map.of(table, send))).unprocessedItems().getOrDefault(table, List.of());
                }
            }
            writeNanos += System.nanoTime() - t1;
        } while (cursor != null);
        return new Raw(fetched / (fetchNanos / 1e9), fetched / (writeNanos / 1e9), fetched / ((fetchNanos + writeNanos) / 1e9));
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
