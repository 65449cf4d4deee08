package dev.connectors.local;

import dev.connectors.config.Settings;
import dev.connectors.sync.JobQueue;
import dev.connectors.testing.CfnTemplate;
import dev.connectors.testing.RepoRoot;
import dev.connectors.testing.TestResources;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ./run-local.sh}: the whole system on one machine, in the foreground until Ctrl-C. DynamoDB
 * and SQS stand-ins with the tables and queues of template.yaml, an HTTP server routing every HttpApi
 * route of the template to its real handler (payload 2.0, dev JWT authorizer), the SQS poller and
 * schedules for the worker functions, and the sandbox provider as the generic provider.
 */
public final class LocalRunner {
    public static final String DEV_TENANT = "dev-tenant";
    public static final String DEV_USER = "dev-user";
    /** Fixed, so a restart finds its tables again. */
    static final String PREFIX = "local-";
    private static final PrintStream OUT = System.out;

    private LocalRunner() {
    }

    /** What a run uses. {@code port} 0 picks a free port (tests). */
    public record Config(int port, Path dataDir, Path secretsFile, Path repoRoot, Duration scheduleEvery) {
        public static Config defaults() {
            Path root = RepoRoot.path();
            return new Config(8080, root.resolve(".local-data"), root.resolve("local-secrets.json"), root, Duration.ofSeconds(60));
        }

        public Config withPort(int newPort) {
            return new Config(newPort, dataDir, secretsFile, repoRoot, scheduleEvery);
        }

        public Config withDataDir(Path dir) {
            return new Config(port, dir, secretsFile, repoRoot, scheduleEvery);
        }

        public Config withSecretsFile(Path file) {
            return new Config(port, dataDir, file, repoRoot, scheduleEvery);
        }

        /** {@code --port N --data-dir DIR --secrets FILE}, or LOCAL_PORT, LOCAL_DATA_DIR, LOCAL_SECRETS_FILE; flags win. */
        static Config parse(String[] args, Map<String, String> env) {
            Config c = defaults();
            if (env.get("LOCAL_PORT") != null) c = c.withPort(port(env.get("LOCAL_PORT")));
            if (env.get("LOCAL_DATA_DIR") != null) c = c.withDataDir(Path.of(env.get("LOCAL_DATA_DIR")).toAbsolutePath());
            if (env.get("LOCAL_SECRETS_FILE") != null) c = c.withSecretsFile(Path.of(env.get("LOCAL_SECRETS_FILE")).toAbsolutePath());
            for (int i = 0; i < args.length; i++) {
                String value = i + 1 < args.length ? args[i + 1] : null;
                switch (args[i]) {
                    case "--port" -> c = c.withPort(port(value));
                    case "--data-dir" -> c = c.withDataDir(Path.of(require(value, "--data-dir")).toAbsolutePath());
                    case "--secrets" -> c = c.withSecretsFile(Path.of(require(value, "--secrets")).toAbsolutePath());
                    default -> throw new StartupException("Unknown option " + args[i] + ". Options: --port <n> (default 8080), "
                            + "--data-dir <folder> (default .local-data), --secrets <file> (default local-secrets.json)");
                }
                i++;
            }
            return c;
        }

        private static int port(String value) {
            try {
                int p = Integer.parseInt(require(value, "--port").strip());
                if (p < 1 || p > 65535) throw new NumberFormatException();
                return p;
            } catch (NumberFormatException e) {
                throw new StartupException("The port must be a number from 1 to 65535, got \"" + value + "\"");
            }
        }

        private static String require(String value, String option) {
            if (value == null || value.isBlank()) throw new StartupException(option + " needs a value");
            return value;
        }
    }

    /** A started runner. {@link #close()} stops everything it started, newest first. */
    public static final class Running implements AutoCloseable {
        private final Deque<AutoCloseable> resources;
        private final ApiServer api;
        private final SandboxProvider sandbox;
        private final LiveStatus status;
        private final List<String> summary;
        private boolean closed;

        private Running(Deque<AutoCloseable> resources, ApiServer api, SandboxProvider sandbox, LiveStatus status, List<String> summary) {
            this.resources = resources;
            this.api = api;
            this.sandbox = sandbox;
            this.status = status;
            this.summary = summary;
        }

        public int port() {
            return api.port();
        }

        public String baseUrl() {
            return "http://localhost:" + port();
        }

        public String devToken(String tenant, String user) {
            return api.devToken(tenant, user);
        }

        SandboxProvider sandbox() {
            return sandbox;
        }

        LiveStatus status() {
            return status;
        }

        /** The runner's own DynamoDB client (the load script and concurrency tests check its tables). */
        software.amazon.awssdk.services.dynamodb.DynamoDbClient dynamo() {
            return resources.stream().filter(LocalStandIns.class::isInstance).map(r -> ((LocalStandIns) r).dynamo()).findFirst().orElseThrow();
        }

        List<String> summary() {
            return summary;
        }

        @Override
        public synchronized void close() {
            if (closed) return;
            closed = true;
            closeAll(resources);
        }
    }

    public static void main(String[] args) throws InterruptedException {
        Running running;
        try {
            Config config = Config.parse(args, System.getenv());
            OUT.println("Starting the local runner (stand-ins, sandbox provider, functions from template.yaml) ...");
            running = start(config);
        } catch (StartupException e) {
            System.err.println(e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            OUT.println("Stopping: HTTP server, poller, sandbox provider, stand-ins ...");
            running.close();
            OUT.println("Stopped. Data is kept in the data folder for the next start.");
            stopped.countDown();
        }, "local-runner-shutdown"));
        running.summary().forEach(OUT::println);
        stopped.await();
    }

    public static Running start(Config config) {
        Deque<AutoCloseable> started = new ArrayDeque<>();
        try {
            Path dataDir = config.dataDir().toAbsolutePath();
            started.push(DataDirLock.acquire(dataDir));
            ApiServer api = ApiServer.bind(config.port()); // before anything slow: a taken port fails at once
            started.push(api);
            String baseUrl = "http://localhost:" + api.port();

            LocalStandIns standIns = LocalStandIns.start(config.repoRoot(), dataDir);
            started.push(standIns);
            CfnTemplate template = CfnTemplate.load(config.repoRoot().resolve("template.yaml"));
            List<String> summary = new ArrayList<>();
            TestResources resources = LocalTables.ensure(template, PREFIX, standIns.dynamo(), standIns.sqs(), summary::add);
            SandboxProvider sandbox = SandboxProvider.start(Clock.systemUTC().instant());
            started.push(sandbox);

            Path secretsFile = dataDir.resolve(LocalSecrets.FILE);
            Map<String, String> overrides = new LinkedHashMap<>();
            overrides.put(Settings.AWS_ENDPOINT_URL_DYNAMODB, standIns.dynamoEndpoint().toString());
            overrides.put(Settings.AWS_ENDPOINT_URL_SQS, standIns.sqsEndpoint().toString());
            overrides.put(Settings.AWS_REGION, "us-east-1");
            overrides.put(Settings.SECRETS_FILE, secretsFile.toString());
            overrides.put(Settings.PUBLIC_BASE_URL, baseUrl);
            overrides.put(Settings.RETURN_TO_ALLOWLIST, baseUrl + ",http://localhost:3000");

            Map<String, Map<String, String>> envs = new LinkedHashMap<>();
            template.resourcesOfType("AWS::Serverless::Function").keySet()
                    .forEach(id -> envs.put(id, LocalFunctions.environment(template, resources, id, overrides)));
            String sandboxFn = envs.entrySet().stream().filter(e -> "generic".equals(e.getValue().get(Settings.PROVIDER)))
                    .map(Map.Entry::getKey).findFirst()
                    .orElseThrow(() -> new StartupException("template.yaml has no function with PROVIDER=generic for the sandbox"));
            LocalSecrets.write(dataDir, envs.get(sandboxFn).get(Settings.APP_SECRET_ID),
                    envs.get(sandboxFn).get(Settings.PROVIDER_SECRET_ID), sandbox.secret("sandbox-client", null), config.secretsFile());

            LocalFunctions functions = LocalFunctions.create(template, resources, overrides);
            RouteTable routes = RouteTable.from(template);
            Map<String, String> globalEnv = envs.get(sandboxFn);
            LocalProviders providers = LocalProviders.of(envs, secretsFile, config.secretsFile());
            LiveStatus status = new LiveStatus(standIns.dynamo(), globalEnv.get(Settings.SYNC_JOBS_TABLE));
            api.start(routes, functions, DevJwt.loadOrCreate(dataDir, Clock.systemUTC()),
                    globalEnv.getOrDefault(Settings.TENANT_CLAIM, "tenant_id"), globalEnv.getOrDefault(Settings.USER_CLAIM, "sub"),
                    providers, status);

            List<String> workers = new ArrayList<>();
            for (SqsPoller.Source source : sqsSources(template, resources, functions, standIns)) {
                int requeued = UnfinishedJobs.requeue(standIns.dynamo(), functions.get(source.functionId()).environment()
                        .get(Settings.SYNC_JOBS_TABLE), new JobQueue(standIns.sqs(), source.queueUrl()));
                started.push(new SqsPoller(standIns.sqs(), source, e -> functions.invoke(source.functionId(), e)).start());
                workers.add(source.functionId() + " ← " + resources.prefix() + queueId(source, resources) + " (batch " + source.batchSize()
                        + ", visibility " + source.visibilityTimeout() + " s" + (requeued > 0 ? ", " + requeued + " unfinished jobs re-sent" : "") + ")");
            }
            List<String> scheduled = scheduledFunctions(template);
            started.push(new Schedules(functions, scheduled, config.scheduleEvery()));
            started.push(status.start());

            Running running = new Running(started, api, sandbox, status, summary);
            summary.addAll(Banner.lines(running, config, dataDir, routes, functions, providers, workers, scheduled));
            return running;
        } catch (RuntimeException | Error e) {
            closeAll(started); // never leave a dynalite child process or the folder lock behind
            if (e instanceof Error err) throw err;
            throw e instanceof StartupException s ? s : new StartupException("The local runner could not start: " + e, e);
        }
    }

    private static List<SqsPoller.Source> sqsSources(CfnTemplate template, TestResources resources, LocalFunctions functions,
                                                     LocalStandIns standIns) {
        List<SqsPoller.Source> out = new ArrayList<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, props) ->
                RouteTable.map(props.get("Events")).values().forEach(e -> {
                    Map<String, Object> event = RouteTable.map(e);
                    if (!"SQS".equals(event.get("Type"))) return;
                    Map<String, Object> p = RouteTable.map(event.get("Properties"));
                    Object getAtt = RouteTable.map(p.get("Queue")).get("Fn::GetAtt");
                    String queueId = String.valueOf(((List<?>) getAtt).get(0));
                    String url = resources.queueUrl(queueId);
                    String arn = standIns.sqs().getQueueAttributes(r -> r.queueUrl(url).attributeNames(QueueAttributeName.QUEUE_ARN))
                            .attributes().get(QueueAttributeName.QUEUE_ARN);
                    int batch = Integer.parseInt(String.valueOf(p.getOrDefault("BatchSize", 10)));
                    boolean partial = p.get("FunctionResponseTypes") instanceof List<?> types && types.contains("ReportBatchItemFailures");
                    out.add(new SqsPoller.Source(id, url, arn, batch, functions.get(id).timeoutSeconds(), partial));
                }));
        return out;
    }

    private static String queueId(SqsPoller.Source source, TestResources resources) {
        return resources.queueUrls().entrySet().stream().filter(e -> e.getValue().equals(source.queueUrl()))
                .map(Map.Entry::getKey).findFirst().orElse(source.queueUrl());
    }

    private static List<String> scheduledFunctions(CfnTemplate template) {
        List<String> out = new ArrayList<>();
        template.resourcesOfType("AWS::Serverless::Function").forEach((id, props) -> {
            boolean scheduled = RouteTable.map(props.get("Events")).values().stream()
                    .map(e -> RouteTable.map(e).get("Type")).anyMatch(t -> "Schedule".equals(t) || "ScheduleV2".equals(t));
            if (scheduled) out.add(id);
        });
        return out;
    }

    private static void closeAll(Deque<AutoCloseable> resources) {
        while (!resources.isEmpty()) {
            try {
                resources.pop().close();
            } catch (Exception e) {
                OUT.println("  while stopping: " + e); // keep stopping the others
            }
        }
    }
}
