package dev.connectors.local;

import dev.connectors.oauth.ConnectFlow;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the tables must look like after many concurrent connects: one active connection per tenant + provider
 * that connected, no session outliving its lifetime (and none left by a completed callback), every connect's
 * backfill finished once with the records it counted, no pending sends. Reads the runner's tables directly.
 */
final class TableConsistency {
    /** The checked figures and every broken rule, in words. */
    record Result(int connections, int sessionsLeft, int jobs, int jobsUnfinished, long records, List<String> problems) {
        boolean ok() {
            return problems.isEmpty();
        }

        String summary() {
            return String.format("%d connections, %d sessions left (none past their lifetime), %d jobs (%d unfinished), %d records: %s",
                    connections, sessionsLeft, jobs, jobsUnfinished, records, ok() ? "consistent" : "PROBLEMS " + problems);
        }
    }

    private final DynamoDbClient dynamo;
    private final String prefix;

    TableConsistency(DynamoDbClient dynamo, String prefix) {
        this.dynamo = dynamo;
        this.prefix = prefix;
    }

    /**
     * @param connectedTenants tenants with at least one successful callback
     * @param maxSessionsLeft sessions that may legitimately remain (flows that failed before their callback consumed them)
     */
    Result check(Set<String> tenants, Set<String> connectedTenants, int maxSessionsLeft, Instant now) {
        List<String> problems = new ArrayList<>();
        int connections = 0;
        for (String tenant : tenants) {
            List<Map<String, AttributeValue>> items = dynamo.query(r -> r.tableName(table("ConnectionsTable")).consistentRead(true)
                    .keyConditionExpression("tenant_id = :t").expressionAttributeValues(Map.of(":t", AttributeValue.fromS(tenant)))).items();
            connections += items.size();
            int expected = connectedTenants.contains(tenant) ? 1 : 0;
            if (items.size() != expected) problems.add(tenant + " has " + items.size() + " connections, expected " + expected);
            items.stream().filter(i -> !"active".equals(i.get("status").s()))
                    .forEach(i -> problems.add(tenant + " connection is " + i.get("status").s()));
        }

        List<Map<String, AttributeValue>> sessions = scanOf("OAuthSessionsTable", tenants);
        Instant latestExpiry = now.plus(ConnectFlow.LIFETIME).plusSeconds(5);
        for (Map<String, AttributeValue> s : sessions) {
            Instant expires = Instant.ofEpochSecond(Long.parseLong(s.get("expires_at").n()));
            if (expires.isBefore(now)) problems.add("session of " + s.get("tenant_id").s() + " past its lifetime, still stored");
            if (expires.isAfter(latestExpiry)) problems.add("session of " + s.get("tenant_id").s() + " lives longer than " + ConnectFlow.LIFETIME);
        }
        if (sessions.size() > maxSessionsLeft) {
            problems.add(sessions.size() + " sessions left, at most " + maxSessionsLeft + " expected (flows that never finished)");
        }

        List<Map<String, AttributeValue>> jobs = scanOf("SyncJobsTable", tenants);
        int unfinished = 0;
        Map<String, Long> countedByTenant = new HashMap<>();
        for (Map<String, AttributeValue> j : jobs) {
            String status = j.get("status").s();
            if (status.equals("queued") || status.equals("running")) unfinished++;
            else if (!status.equals("succeeded")) problems.add("job " + j.get("job_id").s() + " ended " + status + ": " + text(j, "last_error"));
            if (j.containsKey("enqueue_pending")) problems.add("job " + j.get("job_id").s() + " was never sent");
            if (status.equals("succeeded")) countedByTenant.merge(j.get("tenant_id").s(), Long.parseLong(j.get("records").n()), Math::max);
        }
        for (String tenant : connectedTenants) {
            if (jobs.stream().noneMatch(j -> tenant.equals(j.get("tenant_id").s()))) problems.add(tenant + " connected without a backfill job");
        }

        long records = 0;
        for (String tenant : connectedTenants) {
            int stored = dynamo.query(r -> r.tableName(table("RecordsTable")).select("COUNT")
                    .keyConditionExpression("pk = :pk").expressionAttributeValues(Map.of(":pk", AttributeValue.fromS(tenant + "#generic#records"))))
                    .count();
            records += stored;
            Long counted = countedByTenant.get(tenant);
            // upserts are keyed by record id, so a duplicate would show as a job counting more than is stored
            if (counted != null && counted != stored) problems.add(tenant + " has " + stored + " records, its backfill counted " + counted);
        }
        return new Result(connections, sessions.size(), jobs.size(), unfinished, records, List.copyOf(problems));
    }

    /** Waits (bounded) until no job of these tenants is queued or running. */
    boolean awaitJobsFinished(Set<String> tenants, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + maxWait.toNanos();
        while (System.nanoTime() < deadline) {
            boolean busy = scanOf("SyncJobsTable", tenants).stream()
                    .anyMatch(j -> j.get("status").s().equals("queued") || j.get("status").s().equals("running"));
            if (!busy) return true;
            Thread.sleep(500);
        }
        return false;
    }

    private List<Map<String, AttributeValue>> scanOf(String logicalId, Set<String> tenants) {
        List<Map<String, AttributeValue>> out = new ArrayList<>();
        dynamo.scanPaginator(r -> r.tableName(table(logicalId)).consistentRead(true)).items().forEach(i -> {
            if (i.containsKey("tenant_id") && tenants.contains(i.get("tenant_id").s())) out.add(i);
        });
        return out;
    }

    private String table(String logicalId) {
        return prefix + logicalId;
    }

    private static String text(Map<String, AttributeValue> item, String name) {
        return item.containsKey(name) ? item.get(name).s() : "";
    }
}
