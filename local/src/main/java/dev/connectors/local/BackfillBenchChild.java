package dev.connectors.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.sun.management.GarbageCollectionNotificationInfo;
import dev.connectors.aws.AwsClients;
import dev.connectors.config.Settings;
import dev.connectors.functions.sync.SyncWorkerHandler;
import dev.connectors.runtime.Services;
import dev.connectors.sync.SyncJob;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;

/**
 * Runs in its own JVM with only the sync worker's Lambda jar (plus this class and {@link LocalContext}): polls
 * the sync queue and hands each message to {@link SyncWorkerHandler} with a 120 s Lambda context, as Lambda
 * would, until the job has finished. Prints {@code RESULT status records pages seconds peak_heap_bytes
 * max_live_after_gc_bytes gc_count} on stderr. Settings come from the environment.
 */
public final class BackfillBenchChild {
    public static void main(String[] args) {
        String jobId = args[0];
        AtomicLong maxLiveAfterGc = new AtomicLong();
        AtomicLong gcCount = new AtomicLong();
        Set<String> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).map(MemoryPoolMXBean::getName).collect(Collectors.toSet());
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            ((NotificationEmitter) gc).addNotificationListener((n, h) -> {
                if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) return;
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                long used = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
                        .filter(e -> heapPools.contains(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
                maxLiveAfterGc.accumulateAndGet(used, Math::max);
                gcCount.incrementAndGet();
            }, null, null);
        }

        Settings settings = Settings.fromEnvironment();
        SqsClient sqs = new AwsClients(settings).sqs();
        String queue = settings.require(Settings.SYNC_QUEUE_URL);
        Services services = Services.fromEnvironment();
        SyncWorkerHandler handler = new SyncWorkerHandler(services);
        long t0 = System.nanoTime();
        SyncJob job = services.jobStore().get(jobId).orElseThrow();
        while (!job.status().finished()) {
            List<Message> messages = sqs.receiveMessage(r -> r.queueUrl(queue).maxNumberOfMessages(1).waitTimeSeconds(1)
                    .visibilityTimeout(720)).messages();
            if (!messages.isEmpty()) {
                SQSEvent event = new SQSEvent();
                event.setRecords(messages.stream().map(m -> {
                    SQSEvent.SQSMessage r = new SQSEvent.SQSMessage();
                    r.setMessageId(m.messageId());
                    r.setReceiptHandle(m.receiptHandle());
                    r.setBody(m.body());
                    return r;
                }).toList());
                SQSBatchResponse res = handler.handleRequest(event, new LocalContext("SyncWorkerFunction", 120, 512));
                if (res.getBatchItemFailures().isEmpty()) {
                    sqs.deleteMessage(r -> r.queueUrl(queue).receiptHandle(messages.get(0).receiptHandle()));
                }
            }
            job = services.jobStore().get(jobId).orElseThrow();
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        long peak = ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getPeakUsage).mapToLong(MemoryUsage::getUsed).sum();
        System.err.printf("RESULT %s %d %d %.3f %d %d %d%n", job.status(), job.records(), job.pages(), seconds, peak,
                maxLiveAfterGc.get(), gcCount.get());
        System.exit(0);
    }
}
