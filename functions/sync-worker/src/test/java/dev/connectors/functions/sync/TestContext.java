package dev.connectors.functions.sync;

import com.amazonaws.services.lambda.runtime.ClientContext;
import com.amazonaws.services.lambda.runtime.CognitoIdentity;
import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.LambdaLogger;

import java.util.UUID;
import java.util.function.IntSupplier;

/** A Lambda context whose remaining time the test decides (e.g. "runs out after two pages"). */
final class TestContext implements Context {
    private final IntSupplier remainingMillis;
    private final String requestId = UUID.randomUUID().toString();

    TestContext(IntSupplier remainingMillis) {
        this.remainingMillis = remainingMillis;
    }

    static TestContext plenty() {
        return new TestContext(() -> 100_000);
    }

    @Override public String getAwsRequestId() { return requestId; }
    @Override public String getLogGroupName() { return "test"; }
    @Override public String getLogStreamName() { return "test"; }
    @Override public String getFunctionName() { return "SyncWorkerFunction"; }
    @Override public String getFunctionVersion() { return "$LATEST"; }
    @Override public String getInvokedFunctionArn() { return "arn:aws:lambda:us-east-1:000000000000:function:test"; }
    @Override public CognitoIdentity getIdentity() { return null; }
    @Override public ClientContext getClientContext() { return null; }
    @Override public int getRemainingTimeInMillis() { return remainingMillis.getAsInt(); }
    @Override public int getMemoryLimitInMB() { return 1024; }
    @Override public LambdaLogger getLogger() { return null; }
}
