package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import dev.connectors.config.Settings;
import dev.connectors.functions.oauth.OAuthHandler;
import dev.connectors.functions.sync.SyncWorkerHandler;
import dev.connectors.http.ProviderHttp;
import dev.connectors.runtime.Services;
import dev.connectors.sync.SyncJob;
import dev.connectors.testing.StandIns;
import dev.connectors.testing.TemplateResources;
import dev.connectors.testing.TestResources;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import software.amazon.awssdk.services.sqs.model.Message;

import java.io.PrintStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

/**
 * One command, no AWS, no Docker: DynamoDB and SQS stand-ins with the tables and queues of
 * template.yaml, a real OAuth 2.0 server as the sandbox provider, and the real handlers. It connects
 * a sandbox account for a dev tenant, then lets the worker backfill three months of history.
 * (The interactive runner with an HTTP server and connect page is issue 3.)
 */
public final class LocalSandbox {
    private static final PrintStream OUT = System.out;
    private static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) throws Exception {
        String tenant = args.length > 0 ? args[0] : "dev-tenant";
        OUT.println("Starting stand-ins (dynalite, ElasticMQ) and creating tables and queues from template.yaml ...");
        TestResources resources = TemplateResources.create("local-" + UUID.randomUUID().toString().substring(0, 8) + "-");
        MockOAuth2Server oauth = new MockOAuth2Server();
        oauth.start(InetAddress.getLoopbackAddress(), 0);
        WireMockServer history = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        history.start();
        SandboxHistory.serve(history);

        Path secrets = LocalSecrets.write(oauth.authorizationEndpointUrl("sandbox").toString(),
                oauth.tokenEndpointUrl("sandbox").toString(), history.baseUrl() + "/api");
        Map<String, String> oauthEnv = LocalSecrets.environment(resources, "GenericFunction", secrets);
        Map<String, String> workerEnv = LocalSecrets.environment(resources, "SyncWorkerFunction", secrets);
        workerEnv.put(Settings.PROVIDER_SECRET_IDS, "generic=" + LocalSecrets.GENERIC);

        Services oauthServices = new Services(new Settings(oauthEnv), Clock.systemUTC(), ProviderHttp.defaults());
        OAuthHandler handler = new OAuthHandler(oauthServices);
        OUT.println("Sandbox OAuth server: " + oauth.authorizationEndpointUrl("sandbox"));

        APIGatewayV2HTTPResponse started = handler.handleRequest(event("/oauth/generic/authorize",
                "return_to=http%3A%2F%2Flocalhost%3A3000%2Fdone", Map.of("tenant_id", tenant, "sub", "dev-user"),
                Map.of("accept", "application/json")), null);
        String authorizationUrl = JSON.readTree(started.getBody()).get("authorizationUrl").asText();
        OUT.println("1. authorize → " + URI.create(authorizationUrl).getHost() + " (state signed, PKCE S256)");

        HttpResponse<Void> approved = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(authorizationUrl)).build(),
                HttpResponse.BodyHandlers.discarding());
        URI callback = URI.create(approved.headers().firstValue("Location").orElseThrow());
        OUT.println("2. the sandbox provider approved and redirected to " + callback.getPath());

        APIGatewayV2HTTPResponse finished = handler.handleRequest(event(callback.getPath(), callback.getRawQuery(), null, null), null);
        OUT.println("3. callback → " + finished.getStatusCode() + " " + finished.getHeaders().get("Location"));

        Services workerServices = new Services(new Settings(workerEnv), Clock.systemUTC(), ProviderHttp.defaults());
        SyncWorkerHandler worker = new SyncWorkerHandler(workerServices);
        String queueUrl = resources.queueUrl("SyncQueue");
        SyncJob job = null;
        for (int round = 0; round < 30 && (job == null || !job.status().finished()); round++) {
            List<Message> messages = StandIns.sqs().receiveMessage(r -> r.queueUrl(queueUrl).maxNumberOfMessages(10)
                    .waitTimeSeconds(1)).messages();
            if (messages.isEmpty()) continue;
            SQSEvent sqs = new SQSEvent();
            sqs.setRecords(messages.stream().map(LocalSandbox::record).toList());
            worker.handleRequest(sqs, new SandboxContext());
            messages.forEach(m -> StandIns.sqs().deleteMessage(r -> r.queueUrl(queueUrl).receiptHandle(m.receiptHandle())));
            String jobId = JSON.readTree(messages.get(0).body()).get("job_id").asText();
            job = workerServices.jobStore().get(jobId).orElseThrow();
        }
        if (job == null) {
            OUT.println("No sync job arrived: see the log lines above.");
            System.exit(1);
        }
        OUT.println("4. backfill " + job.status() + ": " + job.pages() + " pages, " + job.records() + " records from "
                + job.windowStart() + " to " + job.windowEnd());
        var connection = workerServices.tokenStore().get(tenant, "generic").orElseThrow();
        OUT.println("5. connection " + connection.status() + ", scopes " + connection.scopes() + ", expires " + connection.expiresAt()
                + " (tokens are stored encrypted; they are never printed)");
        oauth.shutdown();
        history.stop();
        System.exit(job.status().name().equals("succeeded") ? 0 : 1);
    }

    private static APIGatewayV2HTTPEvent event(String path, String rawQuery, Map<String, String> claims, Map<String, String> headers) {
        var ctx = APIGatewayV2HTTPEvent.RequestContext.builder().withRequestId(UUID.randomUUID().toString())
                .withRouteKey("GET " + path)
                .withHttp(APIGatewayV2HTTPEvent.RequestContext.Http.builder().withMethod("GET").withPath(path).build());
        if (claims != null) {
            ctx.withAuthorizer(APIGatewayV2HTTPEvent.RequestContext.Authorizer.builder()
                    .withJwt(APIGatewayV2HTTPEvent.RequestContext.Authorizer.JWT.builder().withClaims(claims).build()).build());
        }
        return APIGatewayV2HTTPEvent.builder().withVersion("2.0").withRawPath(path).withRawQueryString(rawQuery)
                .withRouteKey("GET " + path).withHeaders(headers).withRequestContext(ctx.build()).build();
    }

    private static SQSEvent.SQSMessage record(Message m) {
        SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
        r.setMessageId(m.messageId());
        r.setBody(m.body());
        r.setEventSource("aws:sqs");
        return r;
    }

    /** A Lambda context with the worker's two-minute timeout. */
    private static final class SandboxContext implements Context {
        private final long deadline = System.currentTimeMillis() + 120_000;

        @Override public String getAwsRequestId() { return UUID.randomUUID().toString(); }
        @Override public String getLogGroupName() { return "local"; }
        @Override public String getLogStreamName() { return "local"; }
        @Override public String getFunctionName() { return "SyncWorkerFunction"; }
        @Override public String getFunctionVersion() { return "$LATEST"; }
        @Override public String getInvokedFunctionArn() { return "local"; }
        @Override public CognitoIdentity getIdentity() { return null; }
        @Override public ClientContext getClientContext() { return null; }
        @Override public int getRemainingTimeInMillis() { return (int) (deadline - System.currentTimeMillis()); }
        @Override public int getMemoryLimitInMB() { return 1024; }
        @Override public LambdaLogger getLogger() { return null; }
    }
}
