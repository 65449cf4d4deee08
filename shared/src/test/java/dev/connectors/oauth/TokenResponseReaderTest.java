package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

/**
 * Token responses in each provider's documented shape, read with that provider's real registry
 * mapping. Values are fakes; shapes follow the providers' docs (and RFC 6749 §5.1 for the generic one).
 */
class TokenResponseReaderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final TokenResponseReader READER = new TokenResponseReader(Clock.fixed(NOW, ZoneOffset.UTC));

    /** Slack oauth.v2.access: bot token at the top, the installing user under authed_user. */
    private static final String SLACK_V2 = """
            {"ok": true, "access_token": "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
             "token_type": "bot", "scope": "commands,incoming-webhook", "bot_user_id": "U0KRQLJ9H",
             "app_id": "A0KRD7HC3", "team": {"name": "Slack Softball Team", "id": "T9TK3CUKW"},
             "enterprise": {"name": "slack-sports", "id": "E12345678"},
             "authed_user": {"id": "U1234", "scope": "chat:write", "access_token": "xoxp-1234", "token_type": "user"}}""";

    /** Slack with token rotation enabled: expires_in and a rotating refresh token. */
    private static final String SLACK_ROTATING = """
            {"ok": true, "access_token": "xoxe.xoxb-1-rotating", "token_type": "bot", "scope": "channels:read",
             "expires_in": 43200, "refresh_token": "xoxe-1-refresh", "bot_user_id": "U0KRQLJ9H",
             "team": {"name": "T", "id": "T9TK3CUKW"}, "enterprise": null,
             "authed_user": {"id": "U1234"}}""";

    private static final String GITLAB = """
            {"access_token": "de6780bc506a0446309bd9362820ba8aed28aa506c71eedbe1c5c4f9dd350e54",
             "token_type": "bearer", "expires_in": 7200,
             "refresh_token": "8257e65c97202ed1726cf9571600918f3bffb2544b26e00a61df9897668c33a1",
             "scope": "read_api read_user", "created_at": 1607635748}""";

    private static final String NOTION = """
            {"access_token": "ntn_fake", "token_type": "bearer", "bot_id": "b-1", "workspace_name": "Acme",
             "workspace_icon": null, "workspace_id": "w-1",
             "owner": {"type": "user", "user": {"object": "user", "id": "u-1"}},
             "duplicated_template_id": null, "request_id": "r-1"}""";

    /** RFC 6749 §5.1, verbatim. */
    private static final String RFC_6749 = """
            {"access_token": "2YotnFZFEjr1zCsicMWpAA", "token_type": "example", "expires_in": 3600,
             "refresh_token": "tGzv3JOkF0XG5Qx2TlKWIA", "example_parameter": "example_value"}""";

    @Test
    void slackV2BotTokenWithAuthedUserAndNoExpiry() {
        TokenSet t = read("slack", SLACK_V2);

        assertThat(t.accessToken()).isEqualTo("xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy");
        assertThat(t.tokenType()).isEqualTo("bot");
        assertThat(t.scopes()).containsExactly("commands", "incoming-webhook");
        assertThat(t.expiresAt()).isNull();
        assertThat(t.refreshToken()).isNull();
        assertThat(t.metadata()).containsOnly(entry("team_id", "T9TK3CUKW"), entry("team_name", "Slack Softball Team"),
                entry("enterprise_id", "E12345678"), entry("bot_user_id", "U0KRQLJ9H"), entry("app_id", "A0KRD7HC3"),
                entry("authed_user_id", "U1234"));
        assertThat(t.metadata().values()).doesNotContain("xoxp-1234"); // the user token is never metadata
    }

    @Test
    void slackWithTokenRotationExpiresAndCarriesARefreshToken() {
        TokenSet t = read("slack", SLACK_ROTATING);

        assertThat(t.expiresAt()).isEqualTo(NOW.plusSeconds(43200));
        assertThat(t.refreshToken()).isEqualTo("xoxe-1-refresh");
        assertThat(t.metadata()).doesNotContainKey("enterprise_id").containsEntry("team_id", "T9TK3CUKW");
    }

    @Test
    void gitlabNormalisesLowercaseBearerAndKeepsCreatedAt() {
        TokenSet t = read("gitlab", GITLAB);

        assertThat(t.tokenType()).isEqualTo("Bearer");
        assertThat(t.expiresAt()).isEqualTo(NOW.plusSeconds(7200));
        assertThat(t.refreshToken()).startsWith("8257e65c");
        assertThat(t.scopes()).containsExactly("read_api", "read_user");
        assertThat(t.metadata()).containsOnly(entry("created_at", "1607635748"));
    }

    @Test
    void notionHasNoExpiryAndItsOwnerIdIsNested() {
        TokenSet t = read("notion", NOTION);

        assertThat(t.accessToken()).isEqualTo("ntn_fake");
        assertThat(t.tokenType()).isEqualTo("Bearer");
        assertThat(t.expiresAt()).isNull();
        assertThat(t.refreshToken()).isNull();
        assertThat(t.scopes()).isEmpty();
        assertThat(t.metadata()).containsOnly(entry("workspace_id", "w-1"), entry("workspace_name", "Acme"),
                entry("bot_id", "b-1"), entry("owner_user_id", "u-1"));
    }

    @Test
    void genericReadsTheRfc6749Example() {
        TokenSet t = read("generic", RFC_6749);

        assertThat(t.accessToken()).isEqualTo("2YotnFZFEjr1zCsicMWpAA");
        assertThat(t.tokenType()).isEqualTo("example");
        assertThat(t.expiresAt()).isEqualTo(NOW.plusSeconds(3600));
        assertThat(t.refreshToken()).isEqualTo("tGzv3JOkF0XG5Qx2TlKWIA");
        assertThat(t.scopes()).isEmpty();
        assertThat(t.metadata()).isEmpty();
    }

    @Test
    void missingTokenTypeMeansBearer() {
        assertThat(read("generic", "{\"access_token\":\"a\"}").tokenType()).isEqualTo("Bearer");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"3600\"", "\" 3600 \"", "3600", "3600.0"})
    void expiresInAsNumberOrNumericString(String value) {
        assertThat(expiresAt(value)).isEqualTo(NOW.plusSeconds(3600));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-3600", "\"-1\"", "\"soon\"", "\"\"", "true", "{}", "[3600]",
            "315360001", "1e30", "18446744073709555216", "\"9999999999999\""})
    void absurdExpiresInMeansUnknownNotAWrongTime(String value) {
        assertThat(expiresAt(value)).isNull();
    }

    @Test
    void theLongestPlausibleLifetimeIsKept() {
        assertThat(expiresAt("315360000")).isEqualTo(NOW.plusSeconds(315_360_000L)); // ten years
    }

    @ParameterizedTest
    @ValueSource(strings = {"[\"read\", \"write\"]", "\"read,write\"", "\"read write\"", "\"read, write\"", "\" read  write \""})
    void scopesAsArrayCommaOrSpace(String scope) {
        for (String provider : new String[]{"slack", "generic"}) {
            assertThat(read(provider, "{\"ok\":true,\"access_token\":\"a\",\"scope\":" + scope + "}").scopes())
                    .as(provider).containsExactly("read", "write");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"access_token\":\"\"}", "{\"access_token\":\"   \"}", "{\"access_token\":12345}",
            "{\"access_token\":null}", "{\"access_token\":{\"value\":\"a\"}}", "{\"token\":\"a\"}"})
    void noUsableAccessTokenIsAProviderError(String body) {
        assertThatThrownBy(() -> read("generic", body))
                .isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_ERROR));
    }

    @Test
    void refreshWithoutANewRefreshTokenKeepsTheOldOne() {
        for (String body : new String[]{"{\"access_token\":\"new\"}", "{\"access_token\":\"new\",\"refresh_token\":\"\"}",
                "{\"access_token\":\"new\",\"refresh_token\":null}"}) {
            TokenSet t = refresh("gitlab", body, "old-refresh");
            assertThat(t.accessToken()).isEqualTo("new");
            assertThat(t.refreshToken()).as(body).isEqualTo("old-refresh");
        }
    }

    @Test
    void refreshWithARotatedRefreshTokenTakesTheNewOne() {
        assertThat(refresh("gitlab", GITLAB, "old-refresh").refreshToken()).startsWith("8257e65c");
        assertThat(refresh("slack", SLACK_ROTATING, "xoxe-1-old").refreshToken()).isEqualTo("xoxe-1-refresh");
    }

    @Test
    void toStringNeverShowsTokens() {
        TokenSet t = read("gitlab", GITLAB);
        assertThat(t.toString()).doesNotContain(t.accessToken()).doesNotContain(t.refreshToken());
    }

    private static Instant expiresAt(String value) {
        return read("generic", "{\"access_token\":\"a\",\"expires_in\":" + value + "}").expiresAt();
    }

    private static TokenSet read(String provider, String body) {
        return refresh(provider, body, null);
    }

    private static TokenSet refresh(String provider, String body, String currentRefreshToken) {
        ProviderSpec spec = ProviderRegistry.load(provider);
        return READER.read(json(body), spec.tokenResponse(), currentRefreshToken);
    }

    private static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
