package dev.connectors.sync;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The SQS queue of sync work. A message only names a job (or one step of a fanned-out job): the job
 * record holds the state. It also carries token rescues ({@code TokenRescue}), told apart by their type.
 */
public final class JobQueue {
    /** SQS's own ceiling for per-message delay. */
    public static final int MAX_DELAY_SECONDS = 900;

    private final SqsClient sqs;
    private final String queueUrl;

    public JobQueue(SqsClient sqs, String queueUrl) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
    }

    public void send(String jobId, int delaySeconds) {
        sendBody(body(jobId), delaySeconds);
    }

    /** A message for one step of a fanned-out job. */
    public void sendStep(String jobId, int step, int delaySeconds) {
        sendBody(stepBody(jobId, step), delaySeconds);
    }

    /** The message that resumes {@code unit}: its job's, or its step's when it is a step item. */
    public void send(SyncJob unit, int delaySeconds) {
        if (unit.isStep()) {
            sendStep(unit.parentJobId(), unit.checkpoint().step(), delaySeconds);
        } else {
            send(unit.jobId(), delaySeconds);
        }
    }

    /** Any message for the sync worker (a token rescue); job messages use the methods above. */
    public void sendMessage(String body, int delaySeconds) {
        sendBody(body, delaySeconds);
    }

    private void sendBody(String body, int delaySeconds) {
        int delay = Math.max(0, Math.min(MAX_DELAY_SECONDS, delaySeconds));
        try {
            sqs.sendMessage(r -> r.queueUrl(queueUrl).messageBody(body).delaySeconds(delay));
        } catch (SdkException e) {
            throw new ConnectorException(ErrorCode.STORAGE_UNAVAILABLE, "sync queue send failed: " + e.getClass().getSimpleName());
        }
    }

    public static String body(String jobId) {
        return "{\"job_id\":\"" + jobId + "\"}";
    }

    public static String stepBody(String jobId, int step) {
        return "{\"job_id\":\"" + jobId + "\",\"step\":" + step + "}";
    }

    /** The step a message names; null for a job's own message. */
    public static Integer step(String body) {
        if (body == null) return null;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"step\"\\s*:\\s*(\\d{1,4})").matcher(body);
        return m.find() ? Integer.valueOf(m.group(1)) : null;
    }

    /** The job id from a message body; null when the body is not one of ours. */
    public static String jobId(String body) {
        if (body == null) return null;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\"job_id\"\\s*:\\s*\"(job_[0-9a-f]{32})\"").matcher(body);
        return m.find() ? m.group(1) : null;
    }
}
