package dev.connectors.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * An HTTP proxy on a loopback port in front of an AWS stand-in (dynalite, ElasticMQ) that answers chosen
 * requests with the errors the real services send, so a test can point a real SDK client at it and watch the
 * client's retry policy and the code above it. A request's operation is its {@code X-Amz-Target} (for example
 * {@code DynamoDB_20120810.PutItem}, {@code AmazonSQS.SendMessage}), or the {@code Action} of a query-protocol
 * body. Every request is recorded, so tests can assert how many attempts the SDK made.
 */
public final class FaultProxy implements AutoCloseable {
    private static final Set<String> HOP_BY_HOP = Set.of("host", "content-length", "connection", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");

    /**
     * An error answer (status, AWS JSON error body); {@link #RESET} closes the connection without answering.
     * {@code applied}: the request reaches the stand-in first and only its answer is replaced (a write that
     * succeeded although the client saw it fail, which the SDK then retries).
     */
    public record Fault(int status, String contentType, String body, boolean applied) {
        public static final Fault RESET = new Fault(0, null, null, false);

        public Fault(int status, String contentType, String body) {
            this(status, contentType, body, false);
        }

        /** The same error, sent after the request was carried out. */
        public Fault afterApplying() {
            return new Fault(status, contentType, body, true);
        }

        /** DynamoDB's answer when a table's capacity is exceeded (retried by the SDK as throttling). */
        public static Fault dynamoThroughputExceeded() {
            return dynamo(400, "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
                    "The level of configured provisioned throughput for the table was exceeded. Consider increasing your "
                            + "provisioning level with the UpdateTable API.");
        }

        /** DynamoDB's account/partition-level throttling answer. */
        public static Fault dynamoThrottling() {
            return dynamo(400, "com.amazon.coral.availability#ThrottlingException", "Rate of requests exceeds the allowed throughput.");
        }

        public static Fault dynamoInternalError() {
            return dynamo(500, "com.amazonaws.dynamodb.v20120810#InternalServerError", "Internal server error");
        }

        public static Fault dynamoUnavailable() {
            return dynamo(503, "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", "Service unavailable");
        }

        /** SQS (JSON protocol) failing a call on its side. */
        public static Fault sqsInternalError() {
            return new Fault(500, "application/x-amz-json-1.0",
                    "{\"__type\":\"com.amazonaws.sqs#InternalError\",\"message\":\"We encountered an internal error. Please try again.\"}");
        }

        private static Fault dynamo(int status, String type, String message) {
            return new Fault(status, "application/x-amz-json-1.0", "{\"__type\":\"" + type + "\",\"message\":\"" + message + "\"}");
        }
    }

    /** One request as the proxy saw it, and whether it was answered with a fault. */
    public record Seen(String operation, String body, boolean faulted) {
    }

    /** A rule: which requests fail, how many times (negative: always) and how often (probability 0..1). */
    public static final class Rule {
        private final String operation;
        private final Predicate<String> body;
        private final AtomicInteger remaining;
        private final double probability;
        private final Fault fault;
        private final AtomicInteger injected = new AtomicInteger();

        private Rule(String operation, Predicate<String> body, int times, double probability, Fault fault) {
            this.operation = operation;
            this.body = body;
            this.remaining = new AtomicInteger(times);
            this.probability = probability;
            this.fault = fault;
        }

        /** How many requests this rule has failed so far. */
        public int injected() {
            return injected.get();
        }

        /** Stops the rule (the outage ends). */
        public void stop() {
            remaining.set(0);
        }

        private boolean fires(String op, String requestBody) {
            if (!operation.equals(op) || !body.test(requestBody)) return false;
            if (probability < 1.0 && ThreadLocalRandom.current().nextDouble() >= probability) return false;
            while (true) {
                int left = remaining.get();
                if (left == 0) return false;
                if (left < 0 || remaining.compareAndSet(left, left - 1)) {
                    injected.incrementAndGet();
                    return true;
                }
            }
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fault-proxy");
        t.setDaemon(true);
        return t;
    });
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI target;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    private FaultProxy(URI target) {
        this.target = target;
        try {
            this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        } catch (IOException e) {
            throw new UncheckedIOException("fault proxy could not bind a loopback port", e);
        }
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A proxy forwarding to {@code target} (e.g. {@code StandIns.dynamoEndpoint()}). Close it when done. */
    public static FaultProxy start(URI target) {
        return new FaultProxy(target);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** Fails the next {@code times} requests of {@code operation} (negative: every one) whose body passes {@code body}. */
    public Rule fail(String operation, Predicate<String> body, int times, Fault fault) {
        return add(new Rule(operation, body, times, 1.0, fault));
    }

    /** Fails each matching request with the given probability, without limit until {@link Rule#stop()}. */
    public Rule failSometimes(String operation, Predicate<String> body, double probability, Fault fault) {
        return add(new Rule(operation, body, -1, probability, fault));
    }

    private Rule add(Rule rule) {
        rules.add(rule);
        return rule;
    }

    /** A body filter naming a table or queue, e.g. {@code mentions(tableName)}. */
    public static Predicate<String> mentions(String text) {
        return body -> body.contains(text);
    }

    public static Predicate<String> any() {
        return body -> true;
    }

    /** Requests seen for an operation whose body passes the filter (faulted ones included). */
    public long count(String operation, Predicate<String> body) {
        return seen.stream().filter(s -> s.operation().equals(operation) && body.test(s.body())).count();
    }

    public List<Seen> seen() {
        return List.copyOf(seen);
    }

    /** Forgets the rules and the recorded requests. */
    public void reset() {
        rules.clear();
        seen.clear();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            String text = new String(body, StandardCharsets.UTF_8);
            String operation = operation(exchange, text);
            Fault fault = rules.stream().filter(r -> r.fires(operation, text)).findFirst().map(r -> r.fault).orElse(null);
            seen.add(new Seen(operation, text, fault != null));
            if (fault != null && fault.applied()) {
                forward(exchange, body, false);
            }
            if (fault != null && fault.status() == 0) {
                return; // closing without a status line: the client sees the connection drop
            }
            if (fault != null) {
                respond(exchange, fault.status(), fault.contentType(), fault.body().getBytes(StandardCharsets.UTF_8));
                return;
            }
            forward(exchange, body, true);
        }
    }

    /** Sends the request to the stand-in; passes its answer back only when {@code answer}. */
    private void forward(HttpExchange exchange, byte[] body, boolean answer) throws IOException {
        URI uri = exchange.getRequestURI();
        HttpRequest.Builder request = HttpRequest.newBuilder(target.resolve(uri.getRawPath()
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())))
                .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(30));
        exchange.getRequestHeaders().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT))) values.forEach(v -> request.header(name, v));
        });
        HttpResponse<byte[]> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while forwarding", e);
        }
        if (!answer) return;
        response.headers().map().forEach((name, values) -> {
            if (!HOP_BY_HOP.contains(name.toLowerCase(Locale.ROOT)) && !name.startsWith(":")) {
                exchange.getResponseHeaders().put(name, values);
            }
        });
        byte[] out = response.body();
        exchange.sendResponseHeaders(response.statusCode(), out.length == 0 ? -1 : out.length);
        if (out.length > 0) {
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(out);
            }
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.getResponseHeaders().set("x-amzn-RequestId", java.util.UUID.randomUUID().toString());
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream o = exchange.getResponseBody()) {
            o.write(body);
        }
    }

    private static String operation(HttpExchange exchange, String body) {
        String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
        if (target != null) return target;
        for (String pair : body.split("&")) {
            if (pair.startsWith("Action=")) return pair.substring("Action=".length());
        }
        return exchange.getRequestMethod() + " " + exchange.getRequestURI().getPath();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
