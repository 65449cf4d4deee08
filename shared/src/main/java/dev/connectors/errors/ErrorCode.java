package dev.connectors.errors;

/**
 * Stable error codes shown to users and apps. The code string never changes once published;
 * the message is one plain sentence (design §6) naming the provider and what the user can do,
 * a template where {provider} is the provider's display name.
 */
public enum ErrorCode {
    ACCESS_DENIED("access_denied", false,
            "You cancelled the connection to {provider}; you can try again whenever you are ready."),
    INVALID_STATE("invalid_state", false,
            "This {provider} connection link is not valid; please start the connection again."),
    STATE_EXPIRED("state_expired", false,
            "This {provider} connection link has expired; please start the connection again."),
    STATE_REUSED("state_reused", false,
            "This {provider} connection link was already used; please start the connection again."),
    /** RFC 9700 §4.7.1: the callback reached a browser other than the one that started the flow. */
    BROWSER_MISMATCH("browser_mismatch", false,
            "This {provider} connection was started in another browser; please start it again from the app in this browser."),
    INVALID_REQUEST("invalid_request", false,
            "{provider} sent back an incomplete answer; please start the connection again."),
    INVALID_RETURN_TO("invalid_return_to", false,
            "The page that started the {provider} connection is not allowed to receive it; please contact your administrator."),
    PROVIDER_HTML_ERROR("provider_html_error", true,
            "{provider} answered with an error page instead of data, perhaps for maintenance; please try again in a few minutes."),
    PROVIDER_UNAVAILABLE("provider_unavailable", true,
            "{provider} could not be reached; please try again in a few minutes."),
    PROVIDER_ERROR("provider_error", true,
            "{provider} reported an error while connecting; please try again, and contact your administrator if it keeps happening."),
    RATE_LIMITED("rate_limited", true,
            "{provider} is limiting requests right now; please try again in a few minutes."),
    INVALID_CLIENT("invalid_client", false,
            "The {provider} app is not set up correctly; please contact your administrator."),
    INVALID_GRANT("invalid_grant", false,
            "{provider} did not accept the authorization; please connect {provider} again."),
    NOT_CONFIGURED("not_configured", false,
            "{provider} is not configured yet; please contact your administrator."),
    UNKNOWN_PROVIDER("unknown_provider", false,
            "{provider} is not available here; please check the link or contact your administrator."),
    UNAUTHORIZED("unauthorized", false,
            "Please sign in again before connecting {provider}."),
    STORAGE_UNAVAILABLE("storage_unavailable", true,
            "Our service had a temporary problem while connecting {provider}; please try again in a few minutes."),
    INTERNAL_ERROR("internal_error", true,
            "Something went wrong while connecting {provider}; please try again in a few minutes."),
    /** Also for what exists but belongs to another tenant: the answer never reveals which. */
    NOT_FOUND("not_found", false,
            "Nothing was found for {provider} at this address; please check the link."),
    /** API-key providers: the key is malformed, or the provider rejected it (401/403). Nothing is stored. */
    INVALID_API_KEY("invalid_api_key", false,
            "{provider} did not accept this API key; please check that it is complete and allowed to read data, then try again.");

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
