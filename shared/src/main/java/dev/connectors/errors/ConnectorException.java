package dev.connectors.errors;

import java.util.Objects;

/**
 * A failure with a stable {@link ErrorCode}. The detail is for logs only and never reaches users;
 * callers must not put tokens or secrets in it.
 */
public class ConnectorException extends RuntimeException {
    private final ErrorCode code;

    public ConnectorException(ErrorCode code, String detail) {
        super(detail, null, false, false); // no stack trace: these are expected outcomes, not bugs
        this.code = Objects.requireNonNull(code, "code");
    }

    public ConnectorException(ErrorCode code, String detail, Throwable cause) {
        super(detail, cause, false, false);
        this.code = Objects.requireNonNull(code, "code");
    }

    public ErrorCode code() {
        return code;
    }

    public String detail() {
        return getMessage();
    }
}
