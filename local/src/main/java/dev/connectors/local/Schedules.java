package dev.connectors.local;

import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Functions with {@code Schedule} events run on a local timer (more often than in AWS, so a
 * developer sees their effect), with the EventBridge scheduled-event shape.
 */
final class Schedules implements AutoCloseable {
    private static final PrintStream OUT = System.out;

    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "local-schedules");
        t.setDaemon(true);
        return t;
    });

    Schedules(LocalFunctions functions, List<String> functionIds, Duration every) {
        for (String id : functionIds) {
            timer.scheduleAtFixedRate(() -> {
                try {
                    functions.invoke(id, event(id));
                } catch (RuntimeException e) {
                    OUT.println("  scheduled " + id + " failed: " + e);
                }
            }, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private static Map<String, Object> event(String id) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("version", "0");
        e.put("id", UUID.randomUUID().toString());
        e.put("detail-type", "Scheduled Event");
        e.put("source", "aws.events");
        e.put("account", ApiGatewayEvents.ACCOUNT_ID);
        e.put("time", Instant.now().toString());
        e.put("region", "us-east-1");
        e.put("resources", List.of("arn:aws:events:us-east-1:" + ApiGatewayEvents.ACCOUNT_ID + ":rule/local-" + id));
        e.put("detail", Map.of());
        return e;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
