package dev.connectors.local;

import dev.connectors.sync.JobQueue;
import dev.connectors.sync.JobStatus;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import java.util.Map;

/**
 * ElasticMQ keeps messages in memory, so a restart loses the queue while the jobs (in dynalite)
 * survive. At start, every job still queued or running gets its message again; the worker resumes
 * it from its checkpoint (a job that was mid-run waits for its lease to lapse, at most JobStore.LEASE).
 * Step items of a fanned-out job are skipped: the job's own message sends the messages of its unfinished steps.
 * A scan is fine here: it is one local table, once per start.
 */
final class UnfinishedJobs {
    private UnfinishedJobs() {
    }

    static int requeue(DynamoDbClient dynamo, String jobsTable, JobQueue queue) {
        int sent = 0;
        for (Map<String, AttributeValue> item : dynamo.scanPaginator(r -> r.tableName(jobsTable)
                .filterExpression("#s IN (:q, :r)").projectionExpression("job_id, parent_job")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":q", AttributeValue.fromS(JobStatus.queued.name()),
                        ":r", AttributeValue.fromS(JobStatus.running.name())))).items()) {
            String id = item.get("job_id").s();
            AttributeValue parent = item.get("parent_job");
            if (parent == null) {
                queue.send(id, 0);
            } else { // a step of a fanned-out job (item "<job>#s<k>"): its own message resumes it
                queue.sendStep(parent.s(), Integer.parseInt(id.substring(id.lastIndexOf("#s") + 2)), 0);
            }
            sent++;
        }
        return sent;
    }
}
