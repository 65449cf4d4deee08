package dev.connectors.system;

import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.config.Settings;
import dev.connectors.functions.connections.ConnectionsApiHandler;
import dev.connectors.functions.webhooks.WebhookSenderHandler;
import dev.connectors.functions.oauth.ApiKeyHandler;
import dev.connectors.functions.oauth.LinkTokenHandler;
import dev.connectors.functions.oauth.OAuthHandler;
import dev.connectors.functions.refresher.ReencryptTokensHandler;
import dev.connectors.functions.refresher.TokenRefresherHandler;
import dev.connectors.functions.sync.JobReconcilerHandler;
import dev.connectors.functions.sync.SyncWorkerHandler;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.testing.ProviderScaffold;
import dev.connectors.testing.RepoRoot;
import dev.connectors.tokens.TokenStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static dev.connectors.system.Template.getAtt;
import static dev.connectors.system.Template.integer;
import static dev.connectors.system.Template.list;
import static dev.connectors.system.Template.map;
import static dev.connectors.system.Template.ref;
import static dev.connectors.system.Template.refTarget;
import static dev.connectors.system.Template.sub;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * template.yaml ↔ AWS's SAM schema, and template.yaml ↔ the code: the registry's providers, the
 * handler classes, {@link Settings}, the modules sam build builds, and the keys and indexes the stores use.
 */
class TemplateTest {
    private static final Template TEMPLATE = Template.load();

    /** Settings each handler cannot run without (beyond them: optional ones with defaults). */
    private static final Map<Class<?>, List<String>> REQUIRED_SETTINGS = Map.of(
            OAuthHandler.class, List.of(Settings.PROVIDER, Settings.PROVIDER_SECRET_ID, Settings.CONNECTIONS_TABLE,
                    Settings.OAUTH_SESSIONS_TABLE, Settings.SYNC_JOBS_TABLE, Settings.SYNC_QUEUE_URL,
                    Settings.APP_SECRET_ID, Settings.PUBLIC_BASE_URL, Settings.WEBHOOK_QUEUE_URL),
            // reads no provider secret: the tenant brings the key; the app secret only encrypts it
            ApiKeyHandler.class, List.of(Settings.PROVIDER, Settings.CONNECTIONS_TABLE, Settings.SYNC_JOBS_TABLE,
                    Settings.SYNC_QUEUE_URL, Settings.APP_SECRET_ID),
            LinkTokenHandler.class, List.of(Settings.PROVIDER, Settings.PROVIDER_SECRET_ID, Settings.CONNECTIONS_TABLE,
                    Settings.OAUTH_SESSIONS_TABLE, Settings.SYNC_JOBS_TABLE, Settings.SYNC_QUEUE_URL, Settings.APP_SECRET_ID),
            SyncWorkerHandler.class, List.of(Settings.CONNECTIONS_TABLE, Settings.SYNC_JOBS_TABLE, Settings.RECORDS_TABLE,
                    Settings.SYNC_QUEUE_URL, Settings.APP_SECRET_ID, Settings.PROVIDER_SECRET_IDS, Settings.WEBHOOK_QUEUE_URL),
            JobReconcilerHandler.class, List.of(Settings.SYNC_JOBS_TABLE, Settings.SYNC_QUEUE_URL),
            TokenRefresherHandler.class, List.of(Settings.CONNECTIONS_TABLE, Settings.APP_SECRET_ID, Settings.PROVIDER_SECRET_IDS,
                    Settings.SYNC_QUEUE_URL),
            ReencryptTokensHandler.class, List.of(Settings.CONNECTIONS_TABLE, Settings.APP_SECRET_ID),
            // DELETE decrypts the token it revokes and may need client credentials; POST .../sync enqueues a job
            ConnectionsApiHandler.class, List.of(Settings.CONNECTIONS_TABLE, Settings.SYNC_JOBS_TABLE, Settings.RECORDS_TABLE,
                    Settings.SYNC_QUEUE_URL, Settings.APP_SECRET_ID, Settings.PROVIDER_SECRET_IDS, Settings.WEBHOOK_QUEUE_URL),
            WebhookSenderHandler.class, List.of(Settings.APP_SECRET_ID, Settings.WEBHOOK_URL));

    /** Settings that name a resource of the template, and the resource they must reference. */
    private static final Map<String, String> RESOURCE_SETTINGS = Map.of(
            Settings.CONNECTIONS_TABLE, "ConnectionsTable",
            Settings.OAUTH_SESSIONS_TABLE, "OAuthSessionsTable",
            Settings.SYNC_JOBS_TABLE, "SyncJobsTable",
            Settings.RECORDS_TABLE, "RecordsTable",
            Settings.SYNC_QUEUE_URL, "SyncQueue",
            Settings.WEBHOOK_QUEUE_URL, "WebhookQueue");

    /** arn:…:secret:${Param}-* (Secrets Manager appends "-" and six random characters to the name). */
    private static final Pattern SECRET_ARN = Pattern.compile(
            "arn:\\$\\{AWS::Partition}:secretsmanager:\\$\\{AWS::Region}:\\$\\{AWS::AccountId}:secret:\\$\\{(\\w+)}-(\\*|\\?{6})");

    static List<String> providerIds() {
        return ProviderRegistry.allIds();
    }

    // ================================================================ AWS's SAM schema

    @Test
    void templateIsValidAgainstAwsSamSchema() {
        List<SamSchema.Problem> problems = SamSchema.validate(TEMPLATE.root);
        problems.forEach(p -> System.out.println("SAM schema: " + p));
        assertThat(problems).as("template.yaml against sam.schema.json").isEmpty();
    }

    @Test
    void schemaCheckFailsOnAMisspelledPropertyOrUnknownEventTypeAndNamesTheResource() {
        Map<String, Object> broken = deepCopy(TEMPLATE.root);
        Map<String, Object> slack = map(map(map(broken.get("Resources")).get("SlackFunction")).get("Properties"));
        slack.put("Timeoutt", 30);
        Map<String, Object> notionCallback = map(map(map(map(map(broken.get("Resources")).get("NotionFunction"))
                .get("Properties")).get("Events")).get("Callback"));
        notionCallback.put("Type", "HttpApiGateway");

        List<SamSchema.Problem> problems = SamSchema.validate(broken);
        problems.forEach(p -> System.out.println("SAM schema (expected): " + p));

        assertThat(problems).extracting(SamSchema.Problem::resource)
                .contains("SlackFunction", "NotionFunction")
                .doesNotContain("GitlabFunction", "GenericFunction", "SyncWorkerFunction", "HttpApi");
        assertThat(problems).anySatisfy(p -> assertThat(p.toString()).startsWith("SlackFunction").contains("Timeoutt"));
        assertThat(problems).anySatisfy(p -> assertThat(p.toString()).startsWith("NotionFunction").contains("HttpApiGateway")
                .contains("/Events/Callback/"));
    }

    // ================================================================ providers ↔ functions

    @Test
    void theGeneratedProviderPartsOfTheTemplateAndEventsAreCurrent() throws Exception {
        Path root = RepoRoot.path();
        String template = Files.readString(root.resolve("template.yaml"));
        List<ProviderScaffold.Provider> providers = ProviderScaffold.providers(root);
        assertThat(ProviderScaffold.render(template, providers))
                .as("template.yaml is stale: run ProviderScaffold (see its javadoc)").isEqualTo(template);
        for (ProviderScaffold.Provider p : providers) {
            ProviderScaffold.events(p).forEach((name, json) -> {
                Path file = root.resolve("events").resolve(p.function()).resolve(name);
                try {
                    assertThat(Files.exists(file) ? Files.readString(file) : null)
                            .as("%s is stale: run ProviderScaffold", file).isEqualTo(json);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
        }
    }

    /** The flow decides the handler and the routes; "jwt" routes use the HttpApi's default authorizer, "public" opt out. */
    private record Routes(Class<?> handler, Map<String, String> routes) {
        static Routes of(String provider) {
            ProviderSpec spec = ProviderRegistry.load(provider);
            return switch (spec.authTypeOrDefault()) {
                case ProviderSpec.API_KEY -> new Routes(ApiKeyHandler.class, Map.of("PUT /connections/" + provider, "jwt"));
                case ProviderSpec.LINK_TOKEN -> new Routes(LinkTokenHandler.class, Map.of(
                        "GET /oauth/" + provider + "/authorize", "jwt", "POST /oauth/" + provider + "/callback", "jwt"));
                // the callback is public: the signed state is its credential
                default -> new Routes(OAuthHandler.class, Map.of(
                        "GET /oauth/" + provider + "/authorize", "jwt", "GET /oauth/" + provider + "/callback", "public"));
            };
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerIds")
    void everyProviderHasExactlyOneFunctionWithItsRoutesAndOwnSecret(String provider) {
        List<String> serving = TEMPLATE.functions().keySet().stream()
                .filter(id -> provider.equals(TEMPLATE.environment(id).get(Settings.PROVIDER))).toList();
        assertThat(serving).as("functions with PROVIDER=%s", provider).hasSize(1);
        String function = serving.get(0);
        Routes expected = Routes.of(provider);
        assertThat(TEMPLATE.handlerClass(function)).as("%s handler", function).isEqualTo(expected.handler().getName());

        // routes of its flow, each behind the default (JWT) authorizer or explicitly public
        Map<String, Map<String, Object>> routes = httpApiRoutes(function);
        assertThat(routes.keySet()).as("%s routes", function).containsExactlyInAnyOrderElementsOf(expected.routes().keySet());
        expected.routes().forEach((route, auth) -> assertThat(map(routes.get(route).get("Auth")).get("Authorizer"))
                .as("%s: %s", route, auth.equals("jwt") ? "must use the HttpApi's default JWT authorizer" : "is public")
                .isEqualTo(auth.equals("jwt") ? null : "NONE"));
        assertThat(TEMPLATE.managedPolicies(function)).as("%s: no managed policies (they grant too much)", function).isEmpty();

        if (expected.handler() == ApiKeyHandler.class) {
            assertThat(TEMPLATE.ownVariables(function)).as("%s reads no provider secret", function)
                    .doesNotContainKey(Settings.PROVIDER_SECRET_ID);
            assertThat(secretParamsReadBy(function)).as("secrets %s may read", function).containsExactly(appSecretParam());
            return;
        }
        // its own secret, and a role that reads only that one and the app secret
        Object secretId = TEMPLATE.ownVariables(function).get(Settings.PROVIDER_SECRET_ID);
        String secretParam = refTarget(secretId);
        assertThat(secretParam).as("%s PROVIDER_SECRET_ID must be !Ref a parameter", function).isNotNull();
        assertThat(TEMPLATE.parameters()).containsKey(secretParam);
        assertThat(map(TEMPLATE.parameters().get(secretParam)).get("Default"))
                .isEqualTo("connectors/" + ProviderRegistry.load(provider).secretName());
        assertThat(secretParamsReadBy(function)).as("secrets %s may read", function)
                .containsExactlyInAnyOrder(secretParam, appSecretParam());
    }

    @Test
    void everyFunctionWithAProviderServesARegisteredOne() {
        Map<String, Object> providers = new LinkedHashMap<>();
        TEMPLATE.functions().keySet().forEach(id -> {
            Object provider = TEMPLATE.environment(id).get(Settings.PROVIDER);
            if (provider != null) providers.put(id, provider);
        });
        assertThat(providers.values()).as("PROVIDER of the template's functions").doesNotHaveDuplicates()
                .allSatisfy(p -> assertThat(ProviderRegistry.allIds()).contains(String.valueOf(p)));
        assertThat(TEMPLATE.globalVariables()).as("PROVIDER is per function, never global").doesNotContainKey(Settings.PROVIDER);
    }

    @Test
    void everyRouteIsServedByOneFunctionOnTheOneHttpApiWithAJwtDefaultAuthorizer() {
        Map<String, String> owner = new HashMap<>();
        for (String function : TEMPLATE.functions().keySet()) {
            for (String route : httpApiRoutes(function).keySet()) {
                String previous = owner.put(route, function);
                assertThat(previous).as("%s is routed to both %s and %s", route, previous, function).isNull();
            }
        }
        Map<String, Object> auth = map(TEMPLATE.properties("HttpApi").get("Auth"));
        String defaultAuthorizer = String.valueOf(auth.get("DefaultAuthorizer"));
        Map<String, Object> jwt = map(map(map(auth.get("Authorizers")).get(defaultAuthorizer)).get("JwtConfiguration"));
        assertThat(jwt).as("default authorizer %s is a JWT authorizer", defaultAuthorizer).containsKeys("issuer", "audience");
    }

    /** The browser-binding cookie crosses origins only with credentials, and credentials only for the app's own origins. */
    @Test
    void corsAllowsCredentialsForTheAppOriginsOnlyAndEveryFunctionKnowsTheBindingMode() {
        Map<String, Object> cors = map(TEMPLATE.properties("HttpApi").get("CorsConfiguration"));
        assertThat(cors.get("AllowCredentials")).isEqualTo(true);
        assertThat(String.valueOf(cors.get("AllowOrigins"))).contains("ReturnToAllowlist").doesNotContain("*");
        assertThat(String.valueOf(cors.get("AllowHeaders")).toLowerCase()).contains("authorization");
        assertThat(refTarget(TEMPLATE.globalVariables().get(Settings.BROWSER_BINDING))).isEqualTo("BrowserBinding");
        Map<String, Object> parameter = map(TEMPLATE.parameters().get("BrowserBinding"));
        assertThat(parameter.get("Default")).isEqualTo("cookie");
    }

    @Test
    void theWorkerHasASecretIdForEveryProviderAndReadsOnlyThose() {
        String worker = sqsConsumerOf(syncQueue());
        String ids = sub(TEMPLATE.ownVariables(worker).get(Settings.PROVIDER_SECRET_IDS));
        assertThat(ids).as("%s PROVIDER_SECRET_IDS (!Sub provider=${Param},…)", worker).isNotNull();
        Map<String, String> byProvider = new LinkedHashMap<>();
        for (String pair : ids.split(",")) {
            Matcher m = Pattern.compile("([a-z0-9_]+)=\\$\\{(\\w+)}").matcher(pair.trim());
            assertThat(m.matches()).as("entry '%s' of PROVIDER_SECRET_IDS", pair).isTrue();
            byProvider.put(m.group(1), m.group(2));
        }
        // API-key providers have no provider secret: the key is in the connection
        assertThat(byProvider.keySet()).containsExactlyInAnyOrderElementsOf(ProviderRegistry.allIds().stream()
                .filter(id -> !ProviderSpec.API_KEY.equals(ProviderRegistry.load(id).authTypeOrDefault())).toList());
        byProvider.forEach((provider, param) -> assertThat(map(TEMPLATE.parameters().get(param)).get("Default"))
                .as("default of %s", param).isEqualTo("connectors/" + ProviderRegistry.load(provider).secretName()));

        Set<String> expected = new TreeSet<>(byProvider.values());
        expected.add(appSecretParam());
        assertThat(secretParamsReadBy(worker)).containsExactlyInAnyOrderElementsOf(expected);
    }

    // ================================================================ handlers

    @Test
    void everyHandlerIsARequestHandlerTheRuntimeCanConstruct() throws Exception {
        for (String function : TEMPLATE.functions().keySet()) {
            Class<?> handler = Class.forName(TEMPLATE.handlerClass(function));
            assertThat(RequestHandler.class).as("%s: %s implements RequestHandler", function, handler.getName())
                    .isAssignableFrom(handler);
            assertThat(TEMPLATE.handlerMethod(function)).as("%s handler method", function).isEqualTo("handleRequest");
            assertThat(handler.getConstructor()).as("%s: the runtime needs a public no-arg constructor", function).isNotNull();
            assertThat(String.valueOf(TEMPLATE.functionProperty(function, "Runtime").orElse(null))).startsWith("java");
        }
    }

    // ================================================================ environment ↔ Settings

    @Test
    void everyEnvironmentVariableIsASettingTheCodeReads() {
        Map<String, Set<String>> unknown = new LinkedHashMap<>();
        TEMPLATE.globalVariables().keySet().stream().filter(k -> !Settings.FUNCTION_KEYS.contains(k))
                .forEach(k -> unknown.computeIfAbsent("Globals", x -> new TreeSet<>()).add(k));
        for (String function : TEMPLATE.functions().keySet()) {
            TEMPLATE.ownVariables(function).keySet().stream().filter(k -> !Settings.FUNCTION_KEYS.contains(k))
                    .forEach(k -> unknown.computeIfAbsent(function, x -> new TreeSet<>()).add(k));
        }
        assertThat(unknown).as("variables not in Settings.FUNCTION_KEYS").isEmpty();
    }

    @Test
    void everyFunctionGetsTheSettingsItsHandlerRequiresPointingAtTheRightResources() throws Exception {
        for (String function : TEMPLATE.functions().keySet()) {
            Class<?> handler = Class.forName(TEMPLATE.handlerClass(function));
            List<String> required = REQUIRED_SETTINGS.get(handler);
            assertThat(required).as("REQUIRED_SETTINGS lists %s (a new handler: say what it needs)", handler.getName()).isNotNull();
            Map<String, Object> env = TEMPLATE.environment(function);
            assertThat(env).as("%s environment", function).containsKeys(required.toArray(String[]::new));
            for (String key : required) {
                String resource = RESOURCE_SETTINGS.get(key);
                if (resource != null) {
                    assertThat(env.get(key)).as("%s %s", function, key).isEqualTo(ref(resource));
                }
            }
            assertThat(env.get(Settings.APP_SECRET_ID)).isEqualTo(ref(appSecretParam()));
            if (required.contains(Settings.PUBLIC_BASE_URL)) {
                assertThat(env.get(Settings.PUBLIC_BASE_URL)).isEqualTo(ref("PublicBaseUrl"));
            }
        }
    }

    @Test
    void everyFunctionMayUseTheTablesAndQueueItIsGiven() throws Exception {
        for (String function : TEMPLATE.functions().keySet()) {
            List<String> required = REQUIRED_SETTINGS.get(Class.forName(TEMPLATE.handlerClass(function)));
            Set<String> tables = new TreeSet<>();
            Set<String> queues = new TreeSet<>();
            for (Map.Entry<String, Map<String, Object>> policy : TEMPLATE.policyTemplates(function)) {
                if (policy.getKey().startsWith("DynamoDB")) tables.add(refTarget(policy.getValue().get("TableName")));
                if (policy.getKey().equals("SQSSendMessagePolicy")) {
                    queues.add(String.valueOf(list(map(policy.getValue().get("QueueName")).get("Fn::GetAtt")).get(0)));
                }
            }
            for (String key : required) {
                String resource = RESOURCE_SETTINGS.get(key);
                if (resource == null) continue;
                if (key.endsWith("_QUEUE_URL")) {
                    assertThat(queues).as("%s sends to %s: SQSSendMessagePolicy", function, resource).contains(resource);
                } else {
                    assertThat(tables).as("%s uses %s: a DynamoDB policy", function, resource).contains(resource);
                }
            }
        }
    }

    // ================================================================ CodeUri ↔ Maven build

    /*
     * sam build (aws-lambda-builders' java_maven workflow) copies the CodeUri directory alone to a scratch
     * directory, runs `mvn clean install` and `mvn dependency:copy-dependencies -DincludeScope=runtime` there,
     * and packages target/classes at the artifact's root and the copied jars in lib/. The parent POM and
     * connectors-shared come from the local repository (`mvn install` first).
     */

    @Test
    void everyCodeUriIsAFunctionModuleWhoseSamBuildHoldsItsHandler() {
        Path root = RepoRoot.path();
        List<String> modules = MavenPom.read(root.resolve("pom.xml")).modules();
        Map<String, String> moduleByArtifact = new HashMap<>();
        for (String module : modules) moduleByArtifact.put(MavenPom.read(root.resolve(module).resolve("pom.xml")).artifactId(), module);

        for (String function : TEMPLATE.functions().keySet()) {
            String codeUri = String.valueOf(TEMPLATE.functionProperty(function, "CodeUri").orElse(null));
            assertThat(modules).as("%s CodeUri %s is a module directory of the root pom", function, codeUri).contains(codeUri);
            MavenPom pom = MavenPom.read(root.resolve(codeUri).resolve("pom.xml"));
            assertThat(pom.parentArtifactId()).as("parent of %s", codeUri).isEqualTo("connectors-parent");
            assertThat(pom.packaging()).as("packaging of %s (the builder needs target/classes)", codeUri).isEqualTo("jar");

            Set<String> packaged = new TreeSet<>(Set.of(codeUri));
            pom.dependencies().stream().filter(MavenPom.Dependency::onRuntimeClasspath)
                    .map(d -> moduleByArtifact.get(d.artifactId())).filter(m -> m != null).forEach(packaged::add);

            Class<?> handler = classOf(TEMPLATE.handlerClass(function));
            assertThat(sourceModule(root, modules, handler)).as("%s's handler is compiled by its CodeUri module", function)
                    .isEqualTo(codeUri);
            List<Class<?>> needed = new ArrayList<>(handlerTypes(handler));
            needed.add(Settings.class);
            for (Class<?> type : needed) {
                String owner = sourceModule(root, modules, type);
                if (owner == null) continue; // a third-party class: it comes with the module's declared dependencies
                assertThat(packaged).as("%s needs %s from %s: the CodeUri module or a non-test dependency of it",
                        function, type.getSimpleName(), owner).contains(owner);
            }
        }
    }

    @Test
    void aBuildOutsideTheRepositoryLikeSamBuildSkipsTheTests() {
        Path root = RepoRoot.path();
        String prefix = "${maven.multiModuleProjectDirectory}/";
        MavenPom.Profile profile = MavenPom.read(root.resolve("pom.xml")).profiles().stream()
                .filter(p -> p.missingFile() != null && p.missingFile().startsWith(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("root pom: no profile activated when a file of the build root is missing"));
        // the marker exists here, so builds started in the repository keep their tests; a scratch copy lacks it
        assertThat(root.resolve(profile.missingFile().substring(prefix.length()))).as("marker of profile %s", profile.id()).exists();
        assertThat(profile.properties()).as("profile %s", profile.id()).containsEntry("skipTests", "true");
    }

    /** The module whose src/main/java holds the type's source, or null for a class from a third-party jar. */
    private static String sourceModule(Path root, List<String> modules, Class<?> type) {
        Class<?> top = type;
        while (top.getEnclosingClass() != null) top = top.getEnclosingClass();
        String source = "src/main/java/" + top.getName().replace('.', '/') + ".java";
        return modules.stream().filter(m -> Files.isRegularFile(root.resolve(m).resolve(source))).findFirst().orElse(null);
    }

    private static Class<?> classOf(String name) {
        try {
            return Class.forName(name);
        } catch (ClassNotFoundException e) {
            throw new AssertionError("handler class " + name + " is not on the classpath", e);
        }
    }

    // ================================================================ tables, queues, events

    @Test
    void tablesHaveTheKeysAndIndexesTheCodeUses() {
        assertKeys("ConnectionsTable", List.of("tenant_id:S", "provider:S"));
        assertKeys("OAuthSessionsTable", List.of("nonce:S"));
        assertKeys("SyncJobsTable", List.of("job_id:S"));
        assertKeys("RecordsTable", List.of("pk:S", "record_id:S"));

        Map<String, Object> sessions = TEMPLATE.properties("OAuthSessionsTable");
        assertThat(map(sessions.get("TimeToLiveSpecification")))
                .containsEntry("AttributeName", "ttl").containsEntry("Enabled", true);

        Map<String, Object> pending = list(TEMPLATE.properties("SyncJobsTable").get("GlobalSecondaryIndexes")).stream()
                .map(Template::map).filter(i -> "pending-enqueue".equals(i.get("IndexName"))).findFirst()
                .orElseThrow(() -> new AssertionError("SyncJobsTable has no GSI pending-enqueue (the reconciler queries it)"));
        assertThat(keyNames(pending.get("KeySchema"))).containsExactly("enqueue_pending", "created_at");
        assertThat(attributeTypes("SyncJobsTable")).containsEntry("enqueue_pending", "S").containsEntry("created_at", "N");

        Map<String, Object> byConnection = list(TEMPLATE.properties("SyncJobsTable").get("GlobalSecondaryIndexes")).stream()
                .map(Template::map).filter(i -> "by-connection".equals(i.get("IndexName"))).findFirst()
                .orElseThrow(() -> new AssertionError("SyncJobsTable has no GSI by-connection (JobStore.latestFor queries it)"));
        assertThat(keyNames(byConnection.get("KeySchema"))).containsExactly("tenant_provider", "created_at");
        assertThat(map(byConnection.get("Projection")).get("ProjectionType")).as("latestFor reads whole jobs").isEqualTo("ALL");
        assertThat(attributeTypes("SyncJobsTable")).containsEntry("tenant_provider", "S");
    }

    @Test
    void theConnectionsTableHasTheSparseRefreshIndexTheRefresherQueries() {
        Map<String, Object> due = list(TEMPLATE.properties("ConnectionsTable").get("GlobalSecondaryIndexes")).stream()
                .map(Template::map).filter(i -> TokenStore.REFRESH_INDEX.equals(i.get("IndexName"))).findFirst()
                .orElseThrow(() -> new AssertionError("ConnectionsTable has no GSI " + TokenStore.REFRESH_INDEX));
        assertThat(keyNames(due.get("KeySchema"))).containsExactly("refresh_bucket", "refresh_due_at");
        assertThat(attributeTypes("ConnectionsTable")).containsEntry("refresh_bucket", "S").containsEntry("refresh_due_at", "N");
        // the refresher re-reads each due row (consistent, decrypted): keys are all it needs from the index
        assertThat(map(due.get("Projection")).get("ProjectionType")).isEqualTo("KEYS_ONLY");
    }

    @Test
    void theTokenRefresherRunsOnAScheduleAndReadsTheSameSecretsAsTheWorker() {
        List<String> refreshers = TEMPLATE.functions().keySet().stream()
                .filter(f -> TEMPLATE.handlerClass(f).equals(TokenRefresherHandler.class.getName())).toList();
        assertThat(refreshers).hasSize(1);
        String refresher = refreshers.get(0);
        String worker = sqsConsumerOf(syncQueue());
        assertThat(TEMPLATE.events(refresher).values()).extracting(e -> e.get("Type")).as("%s events", refresher)
                .containsAnyOf("Schedule", "ScheduleV2");
        assertThat(TEMPLATE.ownVariables(refresher).get(Settings.PROVIDER_SECRET_IDS))
                .isEqualTo(TEMPLATE.ownVariables(worker).get(Settings.PROVIDER_SECRET_IDS));
        assertThat(secretParamsReadBy(refresher)).containsExactlyInAnyOrderElementsOf(secretParamsReadBy(worker));
        // connections only, plus connection.needs_reauth events to the webhook queue and token rescues to the sync queue
        assertThat(TEMPLATE.policyTemplates(refresher)).extracting(Map.Entry::getKey)
                .containsOnly("DynamoDBCrudPolicy", "SQSSendMessagePolicy");
        assertThat(TEMPLATE.policyTemplates(refresher).stream().filter(p -> p.getKey().equals("SQSSendMessagePolicy"))
                .map(p -> String.valueOf(list(map(p.getValue().get("QueueName")).get("Fn::GetAtt")).get(0))).toList())
                .containsExactlyInAnyOrder("WebhookQueue", "SyncQueue");
        assertThat(TEMPLATE.managedPolicies(refresher)).isEmpty();
        assertThat(httpApiRoutes(refresher)).isEmpty();

        List<String> reencrypt = TEMPLATE.functions().keySet().stream()
                .filter(f -> TEMPLATE.handlerClass(f).equals(ReencryptTokensHandler.class.getName())).toList();
        assertThat(reencrypt).hasSize(1);
        assertThat(TEMPLATE.events(reencrypt.get(0))).as("one-shot, invoked by hand").isEmpty();
        assertThat(secretParamsReadBy(reencrypt.get(0))).containsExactly(appSecretParam());
    }

    @Test
    void theConnectionsApiServesItsRoutesAndReadsTheSameProviderSecretsAsTheWorker() {
        List<String> functions = TEMPLATE.functions().keySet().stream()
                .filter(f -> TEMPLATE.handlerClass(f).equals(ConnectionsApiHandler.class.getName())).toList();
        assertThat(functions).hasSize(1);
        String api = functions.get(0);
        String worker = sqsConsumerOf(syncQueue());
        // revoking needs client credentials: the same generated secret list as the worker, plus the app secret
        assertThat(TEMPLATE.ownVariables(api).get(Settings.PROVIDER_SECRET_IDS))
                .isEqualTo(TEMPLATE.ownVariables(worker).get(Settings.PROVIDER_SECRET_IDS));
        assertThat(secretParamsReadBy(api)).containsExactlyInAnyOrderElementsOf(secretParamsReadBy(worker));
        assertThat(TEMPLATE.policyTemplates(api)).extracting(Map.Entry::getKey).as("%s policies", api)
                .containsOnly("DynamoDBReadPolicy", "DynamoDBCrudPolicy", "SQSSendMessagePolicy");
        assertThat(TEMPLATE.managedPolicies(api)).isEmpty();
        Map<String, Map<String, Object>> routes = httpApiRoutes(api);
        assertThat(routes).containsOnlyKeys("GET /connections", "GET /sync-jobs/{id}", "GET /records",
                "DELETE /connections/{provider}", "POST /connections/{provider}/sync");
        routes.forEach((route, props) -> assertThat(map(props.get("Auth")).get("Authorizer"))
                .as("%s uses the default JWT authorizer", route).isNull());
    }

    @Test
    void webhooksGoThroughTheirOwnQueueWithADeadLetterQueueAndPartialBatchFailures() {
        String queue = refTarget(TEMPLATE.globalVariables().get(Settings.WEBHOOK_QUEUE_URL));
        assertThat(queue).isEqualTo("WebhookQueue");
        String sender = sqsConsumerOf(queue);
        assertThat(TEMPLATE.handlerClass(sender)).isEqualTo(WebhookSenderHandler.class.getName());
        Map<String, Object> props = TEMPLATE.properties(queue);
        int timeout = integer(TEMPLATE.functionProperty(sender, "Timeout").orElse(3));
        assertThat(integer(props.getOrDefault("VisibilityTimeout", 30))).isGreaterThanOrEqualTo(6 * timeout);
        Map<String, Object> redrive = map(props.get("RedrivePolicy"));
        String dlq = String.valueOf(list(map(redrive.get("deadLetterTargetArn")).get("Fn::GetAtt")).get(0));
        assertThat(TEMPLATE.typeOf(dlq)).isEqualTo("AWS::SQS::Queue");
        assertThat(integer(redrive.get("maxReceiveCount"))).isBetween(3, 20);
        for (String q : List.of(queue, dlq)) {
            assertThat(TEMPLATE.properties(q).get("SqsManagedSseEnabled")).as("%s encrypted at rest", q).isEqualTo(true);
        }
        Map<String, Object> sqs = TEMPLATE.events(sender).values().stream().filter(e -> "SQS".equals(e.get("Type")))
                .map(e -> map(e.get("Properties"))).findFirst().orElseThrow();
        assertThat(list(sqs.get("FunctionResponseTypes"))).containsExactly("ReportBatchItemFailures");
        assertThat(TEMPLATE.environment(sender).get(Settings.WEBHOOK_URL)).isEqualTo(ref("WebhookUrl"));
        assertThat(secretParamsReadBy(sender)).as("the webhook secret is in the app secret").containsExactly(appSecretParam());
        // every function that raises events may send to the queue
        for (String function : TEMPLATE.functions().keySet()) {
            String handler = TEMPLATE.handlerClass(function);
            boolean emits = handler.equals(OAuthHandler.class.getName()) || handler.equals(SyncWorkerHandler.class.getName())
                    || handler.equals(ConnectionsApiHandler.class.getName())
                    || handler.equals(TokenRefresherHandler.class.getName()); // connection.needs_reauth
            if (!emits) continue;
            assertThat(TEMPLATE.policyTemplates(function).stream().filter(p -> p.getKey().equals("SQSSendMessagePolicy"))
                    .map(p -> String.valueOf(list(map(p.getValue().get("QueueName")).get("Fn::GetAtt")).get(0))).toList())
                    .as("%s sends events", function).contains(queue);
        }
    }

    @Test
    void everyTableIsOnDemandEncryptedAndDefinesExactlyItsKeyAttributes() {
        TEMPLATE.ofType("AWS::DynamoDB::Table").forEach((table, props) -> {
            assertThat(props.get("BillingMode")).as("%s BillingMode", table).isEqualTo("PAY_PER_REQUEST");
            assertThat(map(props.get("SSESpecification")).get("SSEEnabled")).as("%s SSE", table).isEqualTo(true);
            // CloudFormation rejects AttributeDefinitions that no key schema uses, and keys that are not defined
            Set<String> keys = new TreeSet<>(keyNames(props.get("KeySchema")));
            for (Object index : list(props.get("GlobalSecondaryIndexes"))) keys.addAll(keyNames(map(index).get("KeySchema")));
            for (Object index : list(props.get("LocalSecondaryIndexes"))) keys.addAll(keyNames(map(index).get("KeySchema")));
            assertThat(attributeTypes(table).keySet()).as("%s AttributeDefinitions", table).containsExactlyInAnyOrderElementsOf(keys);
        });
    }

    @Test
    void theSyncQueueOutlivesTheWorkerAndRedrivesPoisonToTheDeadLetterQueue() {
        String queue = syncQueue();
        String worker = sqsConsumerOf(queue);
        Map<String, Object> props = TEMPLATE.properties(queue);
        int workerTimeout = integer(TEMPLATE.functionProperty(worker, "Timeout").orElse(3));
        assertThat(workerTimeout).as("%s Timeout (Lambda maximum 900)", worker).isLessThanOrEqualTo(900);
        assertThat(integer(props.getOrDefault("VisibilityTimeout", 30)))
                .as("%s VisibilityTimeout ≥ 6 × %s Timeout (%d s)", queue, worker, workerTimeout)
                .isGreaterThanOrEqualTo(6 * workerTimeout);

        Map<String, Object> redrive = map(props.get("RedrivePolicy"));
        String dlq = String.valueOf(list(map(redrive.get("deadLetterTargetArn")).get("Fn::GetAtt")).get(0));
        assertThat(redrive.get("deadLetterTargetArn")).isEqualTo(getAtt(dlq, "Arn"));
        assertThat(TEMPLATE.typeOf(dlq)).as("dead-letter target %s", dlq).isEqualTo("AWS::SQS::Queue");
        assertThat(integer(redrive.get("maxReceiveCount"))).as("maxReceiveCount").isBetween(3, 10);
        // AWS: a DLQ's retention should exceed the source's, or messages expire on arrival (default 4 days)
        assertThat(integer(TEMPLATE.properties(dlq).getOrDefault("MessageRetentionPeriod", 345600)))
                .isGreaterThan(integer(props.getOrDefault("MessageRetentionPeriod", 345600)));
        for (String q : List.of(queue, dlq)) {
            Map<String, Object> p = TEMPLATE.properties(q);
            assertThat(Boolean.TRUE.equals(p.get("SqsManagedSseEnabled")) || p.containsKey("KmsMasterKeyId"))
                    .as("%s encrypted at rest", q).isTrue();
        }
    }

    @Test
    void theWorkerReportsPartialBatchFailuresAndTheReconcilerRunsOnASchedule() {
        String worker = sqsConsumerOf(syncQueue());
        assertThat(TEMPLATE.handlerClass(worker)).isEqualTo(SyncWorkerHandler.class.getName());
        Map<String, Object> sqs = TEMPLATE.events(worker).values().stream().filter(e -> "SQS".equals(e.get("Type")))
                .map(e -> map(e.get("Properties"))).findFirst().orElseThrow();
        assertThat(list(sqs.get("FunctionResponseTypes"))).as("%s SQS event FunctionResponseTypes", worker)
                .containsExactly("ReportBatchItemFailures");

        List<String> reconcilers = TEMPLATE.functions().keySet().stream()
                .filter(f -> TEMPLATE.handlerClass(f).equals(JobReconcilerHandler.class.getName())).toList();
        assertThat(reconcilers).hasSize(1);
        assertThat(TEMPLATE.events(reconcilers.get(0)).values()).extracting(e -> e.get("Type"))
                .as("%s events", reconcilers.get(0)).containsAnyOf("Schedule", "ScheduleV2");
    }

    @Test
    void httpFunctionsFinishWithinApiGatewaysIntegrationTimeout() {
        for (String function : TEMPLATE.functions().keySet()) {
            if (!httpApiRoutes(function).isEmpty()) {
                assertThat(integer(TEMPLATE.functionProperty(function, "Timeout").orElse(3)))
                        .as("%s Timeout (HTTP API integrations end at 30 s)", function).isLessThanOrEqualTo(29);
            }
        }
    }

    // ================================================================ SnapStart

    /**
     * Every Java function starts from a SnapStart snapshot (primed by runtime.Priming): SnapStart applies to
     * published versions only, so each also publishes one behind an alias, and SAM points every event
     * source (HTTP API routes, SQS, schedules) at that alias. A reference to the bare function (Ref or
     * GetAtt Arn) would reach $LATEST, which never has a snapshot.
     */
    @Test
    void everyJavaFunctionHasSnapStartOnAPublishedAliasAndNothingBypassesTheAlias() {
        for (String function : TEMPLATE.functions().keySet()) {
            if (!String.valueOf(TEMPLATE.functionProperty(function, "Runtime").orElse("")).startsWith("java")) continue;
            assertThat(Template.map(TEMPLATE.functionProperty(function, "SnapStart").orElse(null)).get("ApplyOn"))
                    .as("%s SnapStart.ApplyOn", function).isEqualTo("PublishedVersions");
            assertThat(String.valueOf(TEMPLATE.functionProperty(function, "AutoPublishAlias").orElse("")))
                    .as("%s AutoPublishAlias", function).matches("[A-Za-z][A-Za-z0-9_-]*");
        }
        List<String> bare = new ArrayList<>();
        collectFunctionReferences(TEMPLATE.root, bare);
        assertThat(bare).as("references to a function itself instead of its alias").isEmpty();
    }

    private static void collectFunctionReferences(Object node, List<String> found) {
        if (node instanceof Map<?, ?> m) {
            if (m.get("Ref") instanceof String id && TEMPLATE.functions().containsKey(id)) found.add("Ref " + id);
            if (m.get("Fn::GetAtt") instanceof List<?> att && !att.isEmpty() && TEMPLATE.functions().containsKey(String.valueOf(att.get(0)))) {
                found.add("GetAtt " + att);
            }
            if (m.get("Fn::Sub") instanceof String sub) {
                Matcher vars = Pattern.compile("\\$\\{([A-Za-z0-9]+)[.}]").matcher(sub);
                while (vars.find()) if (TEMPLATE.functions().containsKey(vars.group(1))) found.add("Sub " + sub);
            }
            m.values().forEach(v -> collectFunctionReferences(v, found));
        } else if (node instanceof List<?> l) {
            l.forEach(v -> collectFunctionReferences(v, found));
        }
    }

    // ================================================================ outputs

    @ParameterizedTest(name = "{0}")
    @MethodSource("providerIds")
    void theStackOutputsTheCallbackUrlToRegisterWithTheProvider(String provider) {
        String expected = "${PublicBaseUrl}/oauth/" + provider + "/callback";
        List<String> outputs = TEMPLATE.outputs().entrySet().stream()
                .filter(o -> expected.equals(sub(map(o.getValue()).get("Value")))).map(Map.Entry::getKey).toList();
        // only redirect flows have a URL to register; API keys and link tokens never send the browser back to us
        boolean redirect = Routes.of(provider).handler() == OAuthHandler.class;
        assertThat(outputs).as("outputs with Value !Sub %s", expected).hasSize(redirect ? 1 : 0);
    }

    // ================================================================ helpers

    /** "GET /path" → the HttpApi event's Properties, for the function's HttpApi events on the template's HttpApi. */
    private static Map<String, Map<String, Object>> httpApiRoutes(String function) {
        Map<String, Map<String, Object>> routes = new LinkedHashMap<>();
        TEMPLATE.events(function).forEach((name, event) -> {
            if (!"HttpApi".equals(event.get("Type"))) return;
            Map<String, Object> props = map(event.get("Properties"));
            assertThat(props.get("ApiId")).as("%s event %s ApiId", function, name).isEqualTo(ref("HttpApi"));
            routes.put(String.valueOf(props.get("Method")).toUpperCase() + " " + props.get("Path"), props);
        });
        return routes;
    }

    /** Template parameters named by the function's Secrets Manager statements; fails on anything broader. */
    private static Set<String> secretParamsReadBy(String function) {
        Set<String> params = new LinkedHashSet<>();
        for (Map<String, Object> statement : TEMPLATE.statements(function)) {
            List<String> actions = list(statement.get("Action")).stream().map(String::valueOf).toList();
            if (actions.stream().noneMatch(a -> a.toLowerCase().startsWith("secretsmanager:") || a.equals("*"))) continue;
            assertThat(actions).as("%s Secrets Manager actions", function).containsExactly("secretsmanager:GetSecretValue");
            assertThat(statement.get("Effect")).isEqualTo("Allow");
            for (Object resource : list(statement.get("Resource"))) {
                String arn = sub(resource);
                Matcher m = SECRET_ARN.matcher(arn == null ? String.valueOf(resource) : arn);
                if (!m.matches()) {
                    fail(function + " may read secret " + resource + ": expected !Sub arn:…:secret:${<SecretNameParameter>}-*");
                }
                params.add(m.group(1));
            }
        }
        for (Map.Entry<String, Map<String, Object>> policy : TEMPLATE.policyTemplates(function)) {
            assertThat(policy.getKey()).as("%s policy template", function).doesNotContainIgnoringCase("secret");
        }
        return params;
    }

    private static String appSecretParam() {
        String param = refTarget(TEMPLATE.globalVariables().get(Settings.APP_SECRET_ID));
        assertThat(param).as("Globals APP_SECRET_ID is !Ref a parameter").isNotNull();
        return param;
    }

    private static String syncQueue() {
        return refTarget(TEMPLATE.globalVariables().get(Settings.SYNC_QUEUE_URL));
    }

    /** The one function with an SQS event on the queue. */
    private static String sqsConsumerOf(String queue) {
        List<String> consumers = TEMPLATE.functions().keySet().stream()
                .filter(f -> TEMPLATE.events(f).values().stream().anyMatch(e -> "SQS".equals(e.get("Type"))
                        && getAtt(queue, "Arn").equals(map(e.get("Properties")).get("Queue"))))
                .toList();
        assertThat(consumers).as("functions consuming %s", queue).hasSize(1);
        return consumers.get(0);
    }

    private static void assertKeys(String table, List<String> expected) {
        Map<String, String> types = attributeTypes(table);
        List<String> actual = keyNames(TEMPLATE.properties(table).get("KeySchema")).stream()
                .map(k -> k + ":" + types.get(k)).toList();
        assertThat(actual).as("%s KeySchema (HASH, RANGE)", table).containsExactlyElementsOf(expected);
    }

    /** Key attribute names, HASH first. */
    private static List<String> keyNames(Object keySchema) {
        return list(keySchema).stream().map(Template::map)
                .sorted((a, b) -> String.valueOf(a.get("KeyType")).compareTo(String.valueOf(b.get("KeyType")))) // HASH < RANGE
                .map(k -> String.valueOf(k.get("AttributeName"))).toList();
    }

    private static Map<String, String> attributeTypes(String table) {
        return list(TEMPLATE.properties(table).get("AttributeDefinitions")).stream().map(Template::map)
                .collect(Collectors.toMap(a -> String.valueOf(a.get("AttributeName")), a -> String.valueOf(a.get("AttributeType")),
                        (a, b) -> fail("attribute defined twice in " + table), LinkedHashMap::new));
    }

    /** The handler's input and output classes (RequestHandler&lt;I, O&gt;). */
    private static List<Class<?>> handlerTypes(Class<?> handler) {
        for (Type type : handler.getGenericInterfaces()) {
            if (type instanceof ParameterizedType p && p.getRawType() == RequestHandler.class) {
                List<Class<?>> classes = new ArrayList<>();
                for (Type arg : p.getActualTypeArguments()) {
                    Type raw = arg instanceof ParameterizedType pa ? pa.getRawType() : arg;
                    if (raw instanceof Class<?> c && !c.getName().startsWith("java.")) classes.add(c);
                }
                return classes;
            }
        }
        return List.of();
    }

    private static Map<String, Object> deepCopy(Map<String, Object> value) {
        ObjectMapper json = new ObjectMapper();
        try {
            return json.readValue(json.writeValueAsString(value), new TypeReference<Map<String, Object>>() {});
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
