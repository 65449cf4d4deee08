package dev.connectors.errors;

/**
 * Stable error codes shown to users and apps. The code string never changes once published;
 * the sentence is a template where {provider} is the provider's display name.
 */
public enum ErrorCode {
    ACCESS_DENIED("access_denied", false,
            "You cancelled the connection to {provider}. You can try again whenever you are ready."),
    INVALID_STATE("invalid_state", false,
            "This {provider} connection link is not valid. Please start the connection again."),
    STATE_EXPIRED("state_expired", false,
            "This {provider} connection link has expired. Please start the connection again."),
    STATE_REUSED("state_reused", false,
            "This {provider} connection link was already used. Please start the connection again."),
    INVALID_REQUEST("invalid_request", false,
            "{provider} sent back an incomplete answer. Please start the connection again."),
    INVALID_RETURN_TO("invalid_return_to", false,
            "The page that started the {provider} connection is not allowed to receive it. Please contact your administrator."),
    PROVIDER_HTML_ERROR("provider_html_error", true,
            "{provider} answered with an error page instead of data. It may be down for maintenance; please try again in a few minutes."),
    PROVIDER_UNAVAILABLE("provider_unavailable", true,
            "{provider} could not be reached. Please try again in a few minutes."),
    PROVIDER_ERROR("provider_error", true,
            "{provider} reported an error while connecting. Please try again; if it keeps happening, contact your administrator."),
    RATE_LIMITED("rate_limited", true,
            "{provider} is limiting requests right now. Please try again in a few minutes."),
    INVALID_CLIENT("invalid_client", false,
            "The {provider} app is not set up correctly. Please contact your administrator."),
    INVALID_GRANT("invalid_grant", false,
            "{provider} did not accept the authorization. Please connect {provider} again."),
    NOT_CONFIGURED("not_configured", false,
            "{provider} is not configured yet. Please contact your administrator."),
    UNKNOWN_PROVIDER("unknown_provider", false,
            "This provider is not available."),
    UNAUTHORIZED("unauthorized", false,
            "Please sign in again before connecting {provider}."),
    STORAGE_UNAVAILABLE("storage_unavailable", true,
            "We could not save your {provider} connection. Please try again in a few minutes."),
    INTERNAL_ERROR("internal_error", true,
            "Something went wrong while connecting {provider}. Please try again in a few minutes.");

    private final String code;
    private final boolean retryable;
    private final String template;

    ErrorCode(String code, boolean retryable, String template) {
        this.code = code;
        this.retryable = retryable;
        this.template = template;
    }

    public String code() {
        return code;
    }

    public boolean retryable() {
        return retryable;
    }

    String template() {
        return template;
    }
}
