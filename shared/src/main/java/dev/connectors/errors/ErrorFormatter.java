package dev.connectors.errors;

/** The one place that turns any failure into a {@link FriendlyError}. Details never pass through. */
public final class ErrorFormatter {
    private ErrorFormatter() {
    }

    public static FriendlyError format(ErrorCode code, String providerId, String providerDisplayName) {
        String name = providerDisplayName == null || providerDisplayName.isBlank() ? "the provider" : providerDisplayName;
        String message = code.template().replace("{provider}", name);
        if (message.startsWith("the provider")) {
            message = "T" + message.substring(1);
        }
        return new FriendlyError(code.code(), message, providerId, code.retryable());
    }

    /** Unexpected exceptions become {@code internal_error}; the caller logs the detail. */
    public static FriendlyError format(Throwable failure, String providerId, String providerDisplayName) {
        ErrorCode code = failure instanceof ConnectorException ce ? ce.code() : ErrorCode.INTERNAL_ERROR;
        return format(code, providerId, providerDisplayName);
    }
}
