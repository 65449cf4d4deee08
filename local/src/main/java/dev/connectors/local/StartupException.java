package dev.connectors.local;

/** A reason the runner cannot start, worded for the person who typed the command (printed as is, no stack trace). */
public final class StartupException extends RuntimeException {
    public StartupException(String message) {
        super(message);
    }

    public StartupException(String message, Throwable cause) {
        super(message, cause);
    }
}
