package dev.connectors.http;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.log.Log;
import dev.connectors.metrics.Metrics;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.SocketException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;

/**
 * The one way our code talks to OAuth providers. Every exchange has a connect timeout, a total
 * timeout that also covers reading the body, and a body size cap; every body is classified, so
 * HTML error pages and broken JSON never surface as parse exceptions.
 *
 * <p>Transport failures (refused, reset, timeout, a body that breaks off mid-stream, interruption)
 * throw {@link ConnectorException} with {@link ErrorCode#PROVIDER_UNAVAILABLE}. HTTP statuses are
 * reported as they are; mapping them to error codes is the OAuth client's job.
 *
 * <p>Thread-safe. Nothing is created in the constructor: the JDK client starts on the first
 * {@link #send}, so a SnapStart snapshot holds no sockets or selector threads.
 */
public final class ProviderHttp {
    static final String USER_AGENT = "connectors/1.0";
    private static final Log LOG = Log.of(ProviderHttp.class);
    private static final int INITIAL_BUFFER = 16 * 1024;

    private final Duration connectTimeout;
    private final Duration totalTimeout;
    private final int maxBodyBytes;
    private volatile HttpClient client;

    public ProviderHttp(Duration connectTimeout, Duration totalTimeout, int maxBodyBytes) {
        this.connectTimeout = positive(connectTimeout, "connectTimeout");
        this.totalTimeout = positive(totalTimeout, "totalTimeout");
        if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("maxBodyBytes out of range");
        }
        this.maxBodyBytes = maxBodyBytes;
    }

    /** 5 s connect, 20 s total, 2 MiB body cap. One shared instance, so connections are pooled. */
    public static ProviderHttp defaults() {
        return Defaults.INSTANCE;
    }

    public ProviderResponse send(ProviderRequest request) {
        long deadline = System.nanoTime() + totalTimeout.toNanos();
        HttpResponse<InputStream> response;
        try {
            response = client().send(toHttpRequest(request), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpConnectTimeoutException e) {
            throw unavailable(request, "connect timed out after " + connectTimeout.toMillis() + " ms", e);
        } catch (HttpTimeoutException e) {
            throw unavailable(request, "no response within " + totalTimeout.toMillis() + " ms", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable(request, "interrupted", e);
        } catch (IOException e) {
            throw unavailable(request, describe(e, request), e);
        }
        if (response.statusCode() == 429) Metrics.providerRateLimited(Log.context("provider"));
        Body body = readBody(request, response.body(), deadline);
        String contentType = response.headers().firstValue("Content-Type").orElse(null);
        ClassifiedBody classified = BodyClassifier.classify(contentType, body.bytes, body.capped);
        if (body.capped) {
            LOG.warn("provider_body_capped", "target", request.target(), "status", response.statusCode(),
                    "cap_bytes", maxBodyBytes, "kind", classified.kind().name());
        }
        return new ProviderResponse(response.statusCode(), response.headers().map(), classified);
    }

    /** True once the JDK client exists; lets tests check that construction stays cheap. */
    boolean started() {
        return client != null;
    }

    private HttpClient client() {
        HttpClient c = client;
        if (c == null) {
            synchronized (this) {
                c = client;
                if (c == null) {
                    c = HttpClient.newBuilder()
                            .version(HttpClient.Version.HTTP_1_1)
                            .followRedirects(HttpClient.Redirect.NEVER)
                            .connectTimeout(connectTimeout)
                            .build();
                    client = c;
                }
            }
        }
        return c;
    }

    private HttpRequest toHttpRequest(ProviderRequest request) {
        byte[] body = request.body();
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                .timeout(totalTimeout) // covers connecting and waiting for headers; the body read has its own deadline
                .method(request.method(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        request.headers().forEach(h -> builder.header(h.name(), h.value()));
        if (request.header("User-Agent").isEmpty()) {
            builder.header("User-Agent", USER_AGENT);
        }
        if (request.header("Accept").isEmpty()) {
            builder.header("Accept", "application/json");
        }
        return builder.build();
    }

    /**
     * Reads at most cap + 1 bytes (the extra byte tells us the body was cut), then closes the stream,
     * which aborts the rest of the transfer. A watchdog closes the stream at the deadline, which
     * makes a blocked read fail: a slow-dribbling body cannot hold us past the total timeout.
     */
    private Body readBody(ProviderRequest request, InputStream in, long deadline) {
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> alarm = Watchdog.INSTANCE.schedule(() -> {
            timedOut.set(true);
            closeQuietly(in);
        }, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        int limit = maxBodyBytes + 1;
        byte[] buffer = new byte[Math.min(limit, INITIAL_BUFFER)];
        int size = 0;
        try (in) {
            while (size < limit) {
                if (size == buffer.length) {
                    buffer = Arrays.copyOf(buffer, (int) Math.min(limit, 2L * buffer.length));
                }
                int n = in.read(buffer, size, buffer.length - size);
                if (n < 0) {
                    break;
                }
                size += n;
            }
        } catch (IOException e) {
            if (timedOut.get()) {
                throw unavailable(request, "body not complete within " + totalTimeout.toMillis() + " ms", e);
            }
            if (Thread.currentThread().isInterrupted() || e instanceof InterruptedIOException) {
                throw unavailable(request, "interrupted while reading the body", e);
            }
            throw unavailable(request, "body broke off after " + size + " bytes (" + describe(e, request) + ")", e);
        } finally {
            alarm.cancel(false);
        }
        boolean capped = size > maxBodyBytes;
        return new Body(Arrays.copyOf(buffer, Math.min(size, maxBodyBytes)), capped);
    }

    private ConnectorException unavailable(ProviderRequest request, String reason, Throwable cause) {
        String detail = request.target() + ": " + reason;
        LOG.warn("provider_unreachable", "detail", detail);
        return new ConnectorException(ErrorCode.PROVIDER_UNAVAILABLE, detail, cause);
    }

    /** A short, query-free reason; JDK messages are kept (sanitized) because they tell reset from EOF. */
    private static String describe(IOException e, ProviderRequest request) {
        String raw = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
        String kind;
        if (e instanceof ConnectException) {
            kind = "could not connect";
        } else if (e instanceof SSLException) {
            kind = "TLS failure";
        } else if (raw.contains("reset")) {
            kind = "connection reset";
        } else if (raw.contains("received no bytes")) {
            kind = "connection closed without a response"; // the JDK's words for a reset or empty answer
        } else if (e instanceof EOFException || raw.contains("eof") || raw.contains("closed")) {
            kind = "connection closed early";
        } else if (e instanceof SocketException) {
            kind = "connection failed";
        } else {
            kind = "I/O error";
        }
        String message = e.getMessage() == null && e.getCause() != null ? e.getCause().toString() : e.getMessage();
        if (message == null || message.isBlank()) {
            return kind + " (" + e.getClass().getSimpleName() + ")";
        }
        String query = request.uri().getRawQuery();
        if (query != null && !query.isEmpty()) {
            message = message.replace(query, "…");
        }
        String decodedQuery = request.uri().getQuery();
        if (decodedQuery != null && !decodedQuery.isEmpty()) {
            message = message.replace(decodedQuery, "…");
        }
        return kind + " (" + e.getClass().getSimpleName() + ": " + LogText.clean(message, 100) + ")";
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException | RuntimeException ignored) {
            // closing only serves to unblock the reader; nothing else to do
        }
    }

    private static Duration positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be positive");
        }
        return d;
    }

    private record Body(byte[] bytes, boolean capped) {
    }

    private static final class Defaults {
        static final ProviderHttp INSTANCE = new ProviderHttp(Duration.ofSeconds(5), Duration.ofSeconds(20), 2 * 1024 * 1024);
    }

    /** One daemon thread for all instances, started on the first body read. */
    private static final class Watchdog {
        static final ScheduledThreadPoolExecutor INSTANCE = create();

        private static ScheduledThreadPoolExecutor create() {
            ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
                Thread t = new Thread(r, "provider-http-deadline");
                t.setDaemon(true);
                return t;
            });
            executor.setRemoveOnCancelPolicy(true); // cancelled alarms must not pile up until their deadline
            return executor;
        }
    }
}
