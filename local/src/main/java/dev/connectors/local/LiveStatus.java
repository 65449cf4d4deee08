package dev.connectors.local;

import dev.connectors.sync.JobStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The runner's live status line: requests served, sync jobs by state and the records they synced,
 * printed every few seconds when it changed and never when nothing happened. Counts requests itself;
 * reads the jobs from the jobs table (one small local table, so a scan is fine).
 */
final class LiveStatus implements AutoCloseable {
    static final Duration EVERY = Duration.ofSeconds(2);
    private static final PrintStream OUT = System.out;

    record Snapshot(long requests, long failedRequests, int queued, int running, int done, int failed, long records) {
        String line() {
            return String.format("status  %d requests%s · jobs %d queued, %d running, %d done, %d failed · %,d records synced",
                    requests, failedRequests == 0 ? "" : " (" + failedRequests + " answered 5xx)", queued, running, done, failed, records);
        }
    }

    private final DynamoDbClient dynamo;
    private final String jobsTable;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong failedRequests = new AtomicLong();
    private final AtomicReference<Snapshot> lastPrinted = new AtomicReference<>();
    private ScheduledExecutorService timer;

    LiveStatus(DynamoDbClient dynamo, String jobsTable) {
        this.dynamo = dynamo;
        this.jobsTable = jobsTable;
    }

    /** Another status over the same jobs table, with its own counts and its own idea of what was printed. */
    LiveStatus detached() {
        return new LiveStatus(dynamo, jobsTable);
    }

    /** Called by the HTTP server once per answered request. */
    void served(int status) {
        requests.incrementAndGet();
        if (status >= 500) failedRequests.incrementAndGet();
    }

    Snapshot take() {
        int queued = 0;
        int running = 0;
        int done = 0;
        int failed = 0;
        long records = 0;
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(r -> r.tableName(jobsTable)
                .projectionExpression("job_id, #s, records").expressionAttributeNames(Map.of("#s", "status"))).items()) {
            // the table also holds connection slots and the steps of fanned-out jobs (counted into their job)
            if (item.get("status") == null || item.get("job_id").s().contains("#")) continue;
            switch (JobStatus.valueOf(item.get("status").s())) {
                case queued -> queued++;
                case running -> running++;
                case succeeded -> done++;
                case failed, needs_reauth -> failed++;
            }
            AttributeValue n = item.get("records");
            if (n != null && n.n() != null) records += Long.parseLong(n.n());
        }
        return new Snapshot(requests.get(), failedRequests.get(), queued, running, done, failed, records);
    }

    /** The line to print, when anything changed since the last one printed. */
    Optional<String> changedLine() {
        Snapshot now = take();
        Snapshot before = lastPrinted.getAndSet(now);
        return now.equals(before) ? Optional.empty() : Optional.of(now.line());
    }

    LiveStatus start() {
        timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "local-status");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleWithFixedDelay(() -> {
            try {
                changedLine().ifPresent(OUT::println);
            } catch (RuntimeException e) {
                // the table is briefly unreachable (e.g. while stopping): the next tick tries again
            }
        }, EVERY.toMillis(), EVERY.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    @Override
    public void close() {
        if (timer != null) timer.shutdownNow();
    }
}
