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
                .filterExpression("#s IN (:q, :r) AND attribute_not_exists(parent_job)").projectionExpression("job_id")
                .expressionAttributeNames(Map.of("#s", "status"))
                .expressionAttributeValues(Map.of(":q", AttributeValue.fromS(JobStatus.queued.name()),
                        ":r", AttributeValue.fromS(JobStatus.running.name())))).items()) {
            queue.send(item.get("job_id").s(), 0);
            sent++;
        }
        return sent;
    }
}
