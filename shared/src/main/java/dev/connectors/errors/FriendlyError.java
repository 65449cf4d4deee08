package dev.connectors.errors;

/** What users and apps see: a stable code, one plain sentence, the provider, and whether retrying may help. */
public record FriendlyError(String code, String message, String provider, boolean retryable) {
}
