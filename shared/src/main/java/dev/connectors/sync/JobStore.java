package dev.connectors.sync;

import dev.connectors.dynamo.Storage;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static dev.connectors.dynamo.Items.*;

/**
 * Sync jobs in DynamoDB. No transactions (the stand-in has none, and none are needed): every step
 * is a single-item conditional write. A lease (owner + expiry) keeps two deliveries of the same job
 * from running at once; a crashed holder's lease simply runs out.
 * Jobs whose SQS send is unconfirmed carry {@code enqueue_pending}, a sparse index the reconciler reads.
 * Every job carries {@code tenant_provider} ({@code tenant#provider}), the hash key of the index that finds
 * a connection's latest job with one single-item Query.
 */
public final class JobStore {
    static final String PENDING_INDEX = "pending-enqueue";
    static final String CONNECTION_INDEX = "by-connection";
    /** Longer than one worker invocation, shorter than the queue's visibility timeout. */
    public static final java.time.Duration LEASE = java.time.Duration.ofMinutes(5);

    private final DynamoDbClient dynamo;
    private final String table;
    private final Clock clock;
    private final java.util.function.Consumer<SyncJob> onFinished;

    public JobStore(DynamoDbClient dynamo, String table, Clock clock) {
        this(dynamo, table, clock, job -> { });
    }

    /**
     * @param onFinished told once per job, after a save that moved it to a finished status (the worker's
     *                   finish, or {@link #cancel}); it must not throw (events to the app, see {@code events/})
     */
    public JobStore(DynamoDbClient dynamo, String table, Clock clock, java.util.function.Consumer<SyncJob> onFinished) {
        this.dynamo = dynamo;
        this.table = table;
        this.clock = clock;
        this.onFinished = onFinished;
    }

    /** Creates the job unless a job with this id exists; returns whether it was created. */
    public boolean create(SyncJob job) {
        Map<String, AttributeValue> item = toItem(job);
        item.put("enqueue_pending", s("1"));
        try {
            Storage.run("create sync job", () -> dynamo.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("attribute_not_exists(job_id)")));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Deletes a job that was recorded but never sent nor started; a job already on its way is kept. */
    public void discardUnsent(String jobId) {
        try {
            Storage.run("discard sync job", () -> dynamo.deleteItem(r -> r.tableName(table).key(key(jobId))
                    .conditionExpression("attribute_exists(enqueue_pending) AND #s = :queued AND attribute_not_exists(lease_owner)")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":queued", s(JobStatus.queued.name())))));
        } catch (ConditionalCheckFailedException e) {
            // sent by the reconciler meanwhile: the worker ends it (no connection)
        }
    }

    public Optional<SyncJob> get(String jobId) {
        Map<String, AttributeValue> item = Storage.call("read sync job", () -> dynamo.getItem(r -> r.tableName(table)
                .key(key(jobId)).consistentRead(true))).item();
        return item == null || item.isEmpty() ? Optional.empty() : Optional.of(fromItem(item));
    }

    public void markEnqueued(String jobId) {
        Storage.run("mark sync job enqueued", () -> dynamo.updateItem(r -> r.tableName(table).key(key(jobId))
                .updateExpression("REMOVE enqueue_pending")
                .conditionExpression("attribute_exists(job_id)")));
    }

    /** Jobs whose queue message was never confirmed, oldest first, created before {@code before}. */
    public List<String> pendingEnqueue(Instant before, int limit) {
        return Storage.call("query pending sync jobs", () -> dynamo.query(r -> r.tableName(table)
                        .indexName(PENDING_INDEX)
                        .keyConditionExpression("enqueue_pending = :p AND created_at < :t")
                        .expressionAttributeValues(Map.of(":p", s("1"), ":t", n(before.getEpochSecond())))
                        .limit(limit))).items().stream()
                .map(i -> str(i, "job_id")).toList();
    }

    /**
     * The connection's newest job by creation time, or empty. Reads the index, so it is eventually
     * consistent (a job started a moment ago may not show yet); jobs created in the same second tie.
     */
    public Optional<SyncJob> latestFor(String tenantId, String provider) {
        List<Map<String, AttributeValue>> items = Storage.call("query latest sync job", () -> dynamo.query(r -> r
                .tableName(table).indexName(CONNECTION_INDEX)
                .keyConditionExpression("tenant_provider = :tp")
                .expressionAttributeValues(Map.of(":tp", s(connectionKey(tenantId, provider))))
                .scanIndexForward(false).limit(1))).items();
        return items.isEmpty() ? Optional.empty() : Optional.of(fromItem(items.get(0)));
    }

    /**
     * The connection's newest jobs (up to {@code limit}, read from the index newest first) that are still
     * queued or running. Eventually consistent, like {@link #latestFor}.
     */
    public List<SyncJob> activeFor(String tenantId, String provider, int limit) {
        return recentFor(tenantId, provider, limit).stream().filter(j -> !j.status().finished()).toList();
    }

    /** The connection's newest jobs, newest first (one Query of the index, so one consistent-enough snapshot). */
    public List<SyncJob> recentFor(String tenantId, String provider, int limit) {
        List<Map<String, AttributeValue>> items = Storage.call("query recent sync jobs", () -> dynamo.query(r -> r
                .tableName(table).indexName(CONNECTION_INDEX)
                .keyConditionExpression("tenant_provider = :tp")
                .expressionAttributeValues(Map.of(":tp", s(connectionKey(tenantId, provider))))
                .scanIndexForward(false).limit(limit))).items();
        return items.stream().map(JobStore::fromItem).toList();
    }

    /**
     * Ends a queued or running job as failed without holding its lease: the lease owner becomes a marker
     * no worker uses, so the worker's next checkpoint save fails (lease lost) and it stops; a queued job is
     * never leased again. False when the job had already finished.
     */
    public boolean cancel(String jobId, String reason) {
        return end(jobId, JobStatus.failed, reason, "cancelled");
    }

    /**
     * Ends a queued or running job with {@code status} from outside its lease, like {@link #cancel}: a step
     * of a fanned-out job that fails for good (or finds the grant gone) ends its whole job this way. Exactly
     * one caller gets true (the condition), so the app hears of the end once.
     */
    public boolean end(String jobId, JobStatus status, String reason, String marker) {
        Instant now = clock.instant();
        try {
            Map<String, AttributeValue> item = Storage.call("end sync job", () -> dynamo.updateItem(r -> r
                    .tableName(table).key(key(jobId))
                    .updateExpression("SET #s = :end, last_error = :e, updated_at = :now, lease_owner = :o"
                            + " REMOVE lease_until, enqueue_pending")
                    .conditionExpression("attribute_exists(job_id) AND (#s = :queued OR #s = :running)")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":end", s(status.name()), ":e", s(reason),
                            ":now", n(now.getEpochSecond()), ":o", s(marker),
                            ":queued", s(JobStatus.queued.name()), ":running", s(JobStatus.running.name())))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW))).attributes();
            SyncJob ended = fromItem(item);
            if (ended.steps().fannedOut()) stopSteps(jobId, ended.steps().fanFrom(), ended.steps().fanTo(), marker);
            onFinished.accept(ended);
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Steps of an ended job lose their lease the same way, so a step running right now stops at its next
     * checkpoint instead of fetching until its invocation ends (a later delivery sees the ended job and stops).
     */
    private void stopSteps(String jobId, int from, int to, String marker) {
        for (int k = from; k < to; k++) {
            String stepId = SyncJob.stepId(jobId, k);
            try {
                Storage.run("stop sync step", () -> dynamo.updateItem(r -> r.tableName(table).key(key(stepId))
                        .updateExpression("SET lease_owner = :o REMOVE lease_until")
                        .conditionExpression("#s = :queued OR #s = :running")
                        .expressionAttributeNames(Map.of("#s", "status"))
                        .expressionAttributeValues(Map.of(":o", s(marker),
                                ":queued", s(JobStatus.queued.name()), ":running", s(JobStatus.running.name())))));
            } catch (ConditionalCheckFailedException e) {
                // finished already, or never created: nothing runs there
            } catch (dev.connectors.errors.ConnectorException e) {
                // storage failing: the job has ended all the same, and the step stops at its next delivery
            }
        }
    }

    /** Creates the item of one step of a fanned-out job unless it exists (a retried fan-out keeps its progress). */
    public boolean createStep(SyncJob step) {
        try {
            Storage.run("create sync step", () -> dynamo.putItem(r -> r.tableName(table).item(toItem(step))
                    .conditionExpression("attribute_not_exists(job_id)")));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /**
     * Counts a finished step into its fanned-out job, once: the step joins the job's done set and its pages,
     * records and skipped parents are added, on the condition that it is not in the set yet (a set add plus counters in one
     * conditional update, so a redelivered "step done" adds nothing; a step outside the job's current fan-out, an
     * orphan of an abandoned one, adds nothing either). Returns the job as it is afterwards.
     */
    public Optional<SyncJob> addDoneStep(String jobId, int step, long pages, long records, long parentsSkipped) {
        try {
            Map<String, AttributeValue> item = Storage.call("count sync step", () -> dynamo.updateItem(r -> r
                    .tableName(table).key(key(jobId))
                    .updateExpression("ADD steps_done :set, pages :p, records :r, parents_skipped :k SET updated_at = :now")
                    .conditionExpression("#s = :running AND fan_from <= :step AND fan_to > :step AND NOT contains(steps_done, :step)")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":set", AttributeValue.fromNs(List.of(Integer.toString(step))),
                            ":step", n(step), ":p", n(pages), ":r", n(records), ":k", n(parentsSkipped),
                            ":running", s(JobStatus.running.name()),
                            ":now", n(clock.instant().getEpochSecond())))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW))).attributes();
            return Optional.of(fromItem(item));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /**
     * After its last parallel step: the job goes back to its own sequence at step {@code to} (a tail step, or
     * none left, which finishes it). Conditional on the fan-out mark, so of the steps that see the set complete
     * exactly one gets true and sends the job's message; the pending mark lets the reconciler resend it if
     * that send never happens.
     */
    public boolean resumeAfterFanOut(String jobId, int from, int to) {
        try {
            Storage.run("resume sync job", () -> dynamo.updateItem(r -> r.tableName(table).key(key(jobId))
                    .updateExpression("SET cp_step = :to, cp_resource = :zero, enqueue_pending = :p, updated_at = :now"
                            + " REMOVE fan_from, cp_parent, cp_cursor")
                    .conditionExpression("#s = :running AND fan_from = :from")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":to", n(to), ":zero", n(0), ":p", s("1"), ":from", n(from),
                            ":running", s(JobStatus.running.name()), ":now", n(clock.instant().getEpochSecond())))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Gives the lease back without writing progress (a delivery that found nothing to do). */
    public void release(String jobId, String owner) {
        try {
            Storage.run("release sync job", () -> dynamo.updateItem(r -> r.tableName(table).key(key(jobId))
                    .updateExpression("REMOVE lease_owner, lease_until")
                    .conditionExpression("lease_owner = :o")
                    .expressionAttributeValues(Map.of(":o", s(owner)))));
        } catch (ConditionalCheckFailedException e) {
            // someone else holds it by now: nothing to give back
        }
    }

    /** Takes the job for {@code owner} until {@code until}; empty when it is finished or someone else holds it. */
    public Optional<SyncJob> lease(String jobId, String owner, Instant until) {
        Instant now = clock.instant();
        try {
            Map<String, AttributeValue> item = Storage.call("lease sync job", () -> dynamo.updateItem(r -> r
                    .tableName(table).key(key(jobId))
                    .updateExpression("SET lease_owner = :o, lease_until = :u")
                    .conditionExpression("attribute_exists(job_id) AND (#s = :queued OR #s = :running)"
                            + " AND (attribute_not_exists(lease_until) OR lease_until < :now OR lease_owner = :o)")
                    .expressionAttributeNames(Map.of("#s", "status"))
                    .expressionAttributeValues(Map.of(":o", s(owner), ":u", n(until.getEpochSecond()),
                            ":now", n(now.getEpochSecond()), ":queued", s(JobStatus.queued.name()),
                            ":running", s(JobStatus.running.name())))
                    .returnValues(software.amazon.awssdk.services.dynamodb.model.ReturnValue.ALL_NEW))).attributes();
            return Optional.of(fromItem(item));
        } catch (ConditionalCheckFailedException e) {
            return Optional.empty();
        }
    }

    /**
     * Records why a delivery failed (a crash the worker caught on its way out) without touching progress or
     * the lease: the lease runs out as if the worker had died, so a redelivery waits for it. False when
     * another delivery holds the job by now.
     */
    public boolean noteError(String jobId, String owner, String error) {
        try {
            Storage.run("note sync job error", () -> dynamo.updateItem(r -> r.tableName(table).key(key(jobId))
                    .updateExpression("SET last_error = :e, updated_at = :now")
                    .conditionExpression("lease_owner = :o")
                    .expressionAttributeValues(Map.of(":e", s(error), ":o", s(owner),
                            ":now", n(clock.instant().getEpochSecond())))));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    /** Saves progress (or a final status) while still holding the lease; false when the lease was lost. */
    public boolean save(SyncJob job, String owner, boolean release) {
        Map<String, AttributeValue> item = toItem(job);
        if (!release) {
            item.put("lease_owner", s(owner));
            item.put("lease_until", n(clock.instant().plus(LEASE).getEpochSecond()));
        }
        try {
            Storage.run("save sync job", () -> dynamo.putItem(r -> r.tableName(table).item(item)
                    .conditionExpression("lease_owner = :o")
                    .expressionAttributeValues(Map.of(":o", s(owner)))));
            if (release && job.status().finished() && !job.isStep()) onFinished.accept(job); // a step is not news to the app
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        }
    }

    private static Map<String, AttributeValue> key(String jobId) {
        return Map.of("job_id", s(jobId));
    }

    private static String connectionKey(String tenantId, String provider) {
        return tenantId + "#" + provider; // provider ids never contain '#' (registry pattern), so this is unambiguous
    }

    private Map<String, AttributeValue> toItem(SyncJob j) {
        Map<String, AttributeValue> item = new HashMap<>(key(j.jobId()));
        item.put("tenant_id", s(j.tenantId()));
        item.put("provider", s(j.provider()));
        // a step item stays out of the by-connection index: it is part of its job, not a job of the connection
        if (!j.isStep()) item.put("tenant_provider", s(connectionKey(j.tenantId(), j.provider())));
        putIfPresent(item, "parent_job", j.parentJobId());
        item.put("status", s(j.status().name()));
        item.put("window_start", n(j.windowStart().getEpochSecond()));
        item.put("window_end", n(j.windowEnd().getEpochSecond()));
        item.put("cp_step", n(j.checkpoint().step()));
        item.put("cp_resource", n(j.checkpoint().resource()));
        item.put("steps_total", n(j.steps().total()));
        if (j.steps().fannedOut()) item.put("fan_from", n(j.steps().fanFrom()));
        if (j.steps().fanTo() > 0) item.put("fan_to", n(j.steps().fanTo()));
        if (!j.steps().done().isEmpty()) {
            item.put("steps_done", AttributeValue.fromNs(j.steps().done().stream().map(String::valueOf).toList()));
        }
        putIfPresent(item, "cp_parent", j.checkpoint().parentId());
        putIfPresent(item, "cp_cursor", j.checkpoint().cursor());
        item.put("pages", n(j.pages()));
        item.put("records", n(j.records()));
        if (j.parentsSkipped() > 0) item.put("parents_skipped", n(j.parentsSkipped()));
        item.put("attempts", n(j.attempts()));
        putIfPresent(item, "last_error", j.lastError());
        putIfPresent(item, "outcome", j.outcome());
        item.put("created_at", n(j.createdAt().getEpochSecond()));
        item.put("updated_at", n(clock.instant().getEpochSecond()));
        return item;
    }

    private static SyncJob fromItem(Map<String, AttributeValue> i) {
        return new SyncJob(str(i, "job_id"), str(i, "tenant_id"), str(i, "provider"),
                JobStatus.valueOf(str(i, "status")), instant(i, "window_start"), instant(i, "window_end"),
                new Checkpoint((int) num(i, "cp_step", 0), (int) num(i, "cp_resource", 0), str(i, "cp_parent"), str(i, "cp_cursor")),
                num(i, "pages", 0), num(i, "records", 0), (int) num(i, "attempts", 0),
                str(i, "last_error"), str(i, "outcome"), instant(i, "created_at"), instant(i, "updated_at"),
                new SyncJob.Steps((int) num(i, "steps_total", 0), i.containsKey("fan_from") ? (int) num(i, "fan_from", 0) : null,
                        (int) num(i, "fan_to", 0), i.containsKey("steps_done") && i.get("steps_done").hasNs()
                        ? i.get("steps_done").ns().stream().map(Integer::valueOf).collect(java.util.stream.Collectors.toSet())
                        : java.util.Set.of()),
                str(i, "parent_job"), num(i, "parents_skipped", 0));
    }
}
