package dev.connectors.errors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

class ErrorFormatterTest {
    /** Published codes: apps branch on these strings, so renaming or removing one must fail here. */
    private static final List<String> PUBLISHED = List.of("access_denied", "invalid_state", "state_expired",
            "state_reused", "browser_mismatch", "invalid_request", "invalid_return_to", "provider_html_error", "provider_unavailable",
            "provider_error", "rate_limited", "invalid_client", "invalid_grant", "not_configured", "unknown_provider",
            "unauthorized", "storage_unavailable", "internal_error", "not_found", "invalid_api_key");
    private static final List<String> RETRYABLE = List.of("provider_html_error", "provider_unavailable",
            "provider_error", "rate_limited", "storage_unavailable", "internal_error");
    /** Names with dots, brackets and regex-replacement characters must come through verbatim. */
    private static final List<String> NAMES = List.of("Slack", "Monday.com", "Zoho Books (EU)", "Acme $1 \\ Co");
    /** A sentence end inside the message: terminal punctuation followed by a space. */
    private static final Pattern INNER_SENTENCE_END = Pattern.compile("[.!?]\\s");

    @Test
    void theCodesAreExactlyThePublishedOnes() {
        assertThat(Arrays.stream(ErrorCode.values()).map(ErrorCode::code)).containsExactlyElementsOf(PUBLISHED);
    }

    @Test
    void retryableIsStable() {
        assertThat(Arrays.stream(ErrorCode.values()).filter(ErrorCode::retryable).map(ErrorCode::code))
                .containsExactlyInAnyOrderElementsOf(RETRYABLE);
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyMessageIsOnePlainSentenceNamingTheProvider(ErrorCode code) {
        for (String name : NAMES) {
            FriendlyError e = ErrorFormatter.format(code, "the-id", name);

            assertThat(e.code()).isEqualTo(code.code());
            assertThat(e.provider()).isEqualTo("the-id");
            assertThat(e.retryable()).isEqualTo(code.retryable());
            assertOneSentence(e.message(), name);
            assertThat(e.message()).contains(name);
        }
    }

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void withoutADisplayNameItSaysTheProvider(ErrorCode code) {
        for (String missing : new String[]{null, "", "  "}) {
            String message = ErrorFormatter.format(code, "x", missing).message();
            assertOneSentence(message, "provider");
            assertThat(message).containsIgnoringCase("the provider").doesNotContain("null");
        }
    }

    @Test
    void aConnectorExceptionKeepsItsCodeAndNeverItsDetail() {
        FriendlyError e = ErrorFormatter.format(new ConnectorException(ErrorCode.INVALID_GRANT,
                "HTTP 400 error=invalid_grant description=<b>code xoxp-123 expired</b>"), "slack", "Slack");

        assertThat(e.code()).isEqualTo("invalid_grant");
        assertThat(e.message()).doesNotContain("xoxp").doesNotContain("HTTP").doesNotContain("<");
    }

    @Test
    void anyOtherFailureIsInternalErrorWithoutItsText() {
        FriendlyError e = ErrorFormatter.format(new IllegalStateException("token sk_live_123 at dev.connectors.X"),
                "gitlab", "GitLab");

        assertThat(e.code()).isEqualTo("internal_error");
        assertThat(e.retryable()).isTrue();
        assertThat(e.message()).contains("GitLab").doesNotContain("sk_live").doesNotContain("IllegalState");
    }

    @Test
    void connectorExceptionsCarryNoStackTrace() {
        assertThat(new ConnectorException(ErrorCode.PROVIDER_ERROR, "d").getStackTrace()).isEmpty();
    }

    private static void assertOneSentence(String message, String name) {
        String withoutName = message.replace(name, "Name");
        assertThat(message).as(message).doesNotContain("{").doesNotContain("}").endsWith(".")
                .doesNotContain("<").doesNotContain("\n").hasSizeLessThan(200);
        assertThat(Character.isUpperCase(message.charAt(0))).as("capitalised: %s", message).isTrue();
        assertThat(INNER_SENTENCE_END.matcher(withoutName).find()).as("more than one sentence: %s", message).isFalse();
    }
}
