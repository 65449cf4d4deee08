package dev.connectors.dynamo;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import software.amazon.awssdk.core.exception.SdkException;

import java.util.function.Supplier;

/** Turns AWS failures (throttling after the SDK's retries, network, service errors) into storage_unavailable. */
public final class Storage {
    private Storage() {
    }

    public static <T> T call(String what, Supplier<T> call) {
        try {
            return call.get();
        } catch (software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException e) {
            throw e; // a decision for the caller, not an outage
        } catch (SdkException e) {
            throw new ConnectorException(ErrorCode.STORAGE_UNAVAILABLE, what + " failed: " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " " + firstLine(e.getMessage())));
        }
    }

    public static void run(String what, Runnable call) {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    private static String firstLine(String s) {
        int nl = s.indexOf('\n');
        String line = nl < 0 ? s : s.substring(0, nl);
        return line.length() > 200 ? line.substring(0, 200) : line;
    }
}
