package dev.connectors.functions.connections;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Units of the read side: the cursor format and what of a job's last error the app may see. */
class ViewsTest {
    @Test
    void aCursorRoundTripsForItsOwnListingOnly() {
        String cursor = RecordCursor.encode("t1", "slack", "messages", "C1:1700000000.000100");
        assertThat(cursor).matches("[A-Za-z0-9_-]+");
        assertThat(RecordCursor.decode(cursor, "t1", "slack", "messages")).isEqualTo("C1:1700000000.000100");
        for (String[] other : new String[][]{{"t2", "slack", "messages"}, {"t1", "slack", "channels"}, {"t1", "gitlab", "messages"}}) {
            assertThatThrownBy(() -> RecordCursor.decode(cursor, other[0], other[1], other[2]))
                    .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
        }
    }

    @Test
    void aJobsLastErrorKeepsItsSummaryAndDropsTheProviderDetail() {
        assertThat(JobView.publicError(null)).isNull();
        assertThat(JobView.publicError("The connection needs to be authorized again.")).isEqualTo("The connection needs to be authorized again.");
        assertThat(JobView.publicError("The provider kept failing after 5 attempts: provider_html_error: HTTP 503 <title>Down</title>"))
                .isEqualTo("The provider kept failing after 5 attempts");
        assertThat(JobView.publicError("rate_limited: Retry-After 30")).isEqualTo("rate_limited");
    }
}
