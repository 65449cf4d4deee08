package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderHttp;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.testing.WireMockStandIn;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The OAuth client as the provider sees it: the authorization URL it sends the browser to, and the
 * token requests WireMock receives, per client-authentication style and body format.
 * Each test uses its own path on the shared WireMock, so journals never mix.
 */
class OAuthClientTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final WireMockServer WIREMOCK = WireMockStandIn.shared();
    private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
    private static final OAuthClient CLIENT = new OAuthClient(
            new ProviderHttp(Duration.ofSeconds(2), Duration.ofSeconds(3), 64 * 1024), Clock.fixed(NOW, ZoneOffset.UTC));
    private static final String REDIRECT = "https://connect.example.com/oauth/x/callback";
    private static final String STATE = "v1.eyJuIjoiYWJjIn0.c2lnbmF0dXJl-_";
    private static final String CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
    private static final ProviderConfig CONFIG = new ProviderConfig("client-1", "secret-1", Map.of());

    private final String base = WIREMOCK.baseUrl() + "/oauth-client-test/" + UUID.randomUUID();

    @Nested
    class AuthorizationUrl {
        @Test
        void carriesTheStandardParametersEncoded() {
            ProviderConfig config = new ProviderConfig("id with space&x=1", "secret-1", Map.of());
            URI url = CLIENT.authorizationUrl(spec("gitlab"), config, REDIRECT + "?tenant=a&b=c", STATE, CHALLENGE);

            assertThat(url.toString()).startsWith(base + "/oauth/authorize?");
            assertThat(url.getRawQuery()).doesNotContain("+").doesNotContain(" ").contains("scope=read_api%20read_user");
            assertThat(params(url)).containsEntry("response_type", "code")
                    .containsEntry("client_id", "id with space&x=1")
                    .containsEntry("redirect_uri", REDIRECT + "?tenant=a&b=c")
                    .containsEntry("state", STATE)
                    .containsEntry("scope", "read_api read_user");
        }

        @Test
        void joinsScopesWithTheProvidersSeparator() {
            assertThat(params(CLIENT.authorizationUrl(spec("slack"), CONFIG, REDIRECT, STATE, null)))
                    .containsEntry("scope", "channels:history,channels:read,groups:history,groups:read,users:read");
            assertThat(params(CLIENT.authorizationUrl(spec("gitlab"), CONFIG, REDIRECT, STATE, null)))
                    .containsEntry("scope", "read_api read_user");
        }

        @Test
        void scopesFromTheSecretReplaceTheRegistrysAndUseTheSeparator() {
            ProviderConfig config = new ProviderConfig("c", "s", Map.of("scopes", " users:read, channels:read  chat:write "));
            assertThat(params(CLIENT.authorizationUrl(spec("slack"), config, REDIRECT, STATE, null)))
                    .containsEntry("scope", "users:read,channels:read,chat:write");
        }

        @Test
        void noScopesMeansNoScopeParameter() {
            assertThat(params(CLIENT.authorizationUrl(spec("notion"), CONFIG, REDIRECT, STATE, null))).doesNotContainKey("scope");
        }

        @Test
        void pkceParametersOnlyWhenTheSpecSaysSo() {
            assertThat(params(CLIENT.authorizationUrl(spec("slack"), CONFIG, REDIRECT, STATE, CHALLENGE)))
                    .containsEntry("code_challenge", CHALLENGE).containsEntry("code_challenge_method", "S256");
            assertThat(params(CLIENT.authorizationUrl(spec("notion"), CONFIG, REDIRECT, STATE, CHALLENGE)))
                    .doesNotContainKeys("code_challenge", "code_challenge_method");
            assertThat(params(CLIENT.authorizationUrl(spec("slack"), CONFIG, REDIRECT, STATE, null)))
                    .doesNotContainKeys("code_challenge", "code_challenge_method");
        }

        @Test
        void extraAuthorizeParamsAreAddedAndCannotDisplaceOurs() {
            Map<String, String> p = params(CLIENT.authorizationUrl(spec("notion"), CONFIG, REDIRECT, STATE, null));
            assertThat(p).containsEntry("owner", "user").containsEntry("state", STATE).containsEntry("client_id", "client-1");

            ProviderSpec custom = spec("gitlab", s -> s.putObject("authorizeParams").put("prompt", "consent select_account"));
            assertThat(CLIENT.authorizationUrl(custom, CONFIG, REDIRECT, STATE, null).getRawQuery())
                    .contains("prompt=consent%20select_account");
        }

        @Test
        void placeholdersComeFromTheProviderSecret() {
            ProviderConfig config = new ProviderConfig("c", "s", Map.of("authorize_url", base + "/auth?realm=r1",
                    "token_url", base + "/token"));
            URI url = CLIENT.authorizationUrl(ProviderRegistry.load("generic"), config, REDIRECT, STATE, CHALLENGE);

            assertThat(url.toString()).startsWith(base + "/auth?realm=r1&response_type=code&");
            assertThat(params(url)).containsEntry("realm", "r1").containsEntry("scope", "openid");
        }

        @Test
        void aMissingPlaceholderValueIsNotConfigured() {
            assertThatThrownBy(() -> CLIENT.authorizationUrl(ProviderRegistry.load("generic"), CONFIG, REDIRECT, STATE, null))
                    .isInstanceOfSatisfying(ConnectorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.NOT_CONFIGURED);
                        assertThat(e.detail()).contains("authorize_url").doesNotContain("secret-1");
                    });
        }
    }

    @Nested
    class CodeExchange {
        @Test
        void clientSecretPostSendsTheCredentialsAsFormFields() {
            ProviderSpec gitlab = spec("gitlab");
            tokenEndpointAnswers(gitlab, "{\"access_token\":\"at\",\"refresh_token\":\"rt\",\"expires_in\":7200}");

            TokenSet tokens = CLIENT.exchangeCode(gitlab, CONFIG, "the-code", REDIRECT, "the-verifier");

            LoggedRequest sent = onlyTokenRequest(gitlab);
            assertThat(sent.getHeader("Content-Type")).startsWith("application/x-www-form-urlencoded");
            assertThat(sent.containsHeader("Authorization")).isFalse();
            assertThat(form(sent)).containsExactlyInAnyOrderEntriesOf(Map.of("grant_type", "authorization_code",
                    "code", "the-code", "redirect_uri", REDIRECT, "code_verifier", "the-verifier",
                    "client_id", "client-1", "client_secret", "secret-1"));
            assertThat(tokens.accessToken()).isEqualTo("at");
            assertThat(tokens.expiresAt()).isEqualTo(NOW.plusSeconds(7200));
        }

        @Test
        void clientSecretBasicUrlEncodesIdAndSecretPerRfc6749() {
            ProviderSpec slack = spec("slack");
            tokenEndpointAnswers(slack, "{\"ok\":true,\"access_token\":\"xoxb-1\"}");
            ProviderConfig awkward = new ProviderConfig("id:with colon", "s3cr:t/+=%é", Map.of());

            CLIENT.exchangeCode(slack, awkward, "the-code", REDIRECT, "the-verifier");

            LoggedRequest sent = onlyTokenRequest(slack);
            String header = sent.getHeader("Authorization");
            assertThat(header).startsWith("Basic ");
            String pair = new String(Base64.getDecoder().decode(header.substring(6)), StandardCharsets.UTF_8);
            assertThat(pair.chars().filter(c -> c == ':')).as("only the separator colon is raw: %s", pair).hasSize(1);
            String[] parts = pair.split(":");
            assertThat(decode(parts[0])).isEqualTo("id:with colon");
            assertThat(decode(parts[1])).isEqualTo("s3cr:t/+=%é");
            assertThat(form(sent)).doesNotContainKeys("client_secret", "client_id")
                    .containsEntry("grant_type", "authorization_code").containsEntry("code_verifier", "the-verifier");
        }

        @Test
        void jsonBodyFormatSendsJsonWithBasicAuthAndNoVerifierWithoutPkce() throws IOException {
            ProviderSpec notion = spec("notion");
            tokenEndpointAnswers(notion, "{\"access_token\":\"ntn\",\"workspace_id\":\"w-1\"}");

            TokenSet tokens = CLIENT.exchangeCode(notion, CONFIG, "the-code", REDIRECT, "ignored-verifier");

            LoggedRequest sent = onlyTokenRequest(notion);
            assertThat(sent.getHeader("Content-Type")).startsWith("application/json");
            assertThat(sent.getHeader("Authorization")).isEqualTo("Basic "
                    + Base64.getEncoder().encodeToString("client-1:secret-1".getBytes(StandardCharsets.UTF_8)));
            JsonNode body = JSON.readTree(sent.getBodyAsString());
            assertThat(fields(body)).containsExactlyInAnyOrderEntriesOf(Map.of("grant_type", "authorization_code",
                    "code", "the-code", "redirect_uri", REDIRECT));
            assertThat(tokens.metadata()).containsEntry("workspace_id", "w-1");
        }

        @Test
        void jsonBodyWithClientSecretPostPutsTheCredentialsInTheJson() throws IOException {
            ProviderSpec custom = spec("gitlab", s -> s.put("tokenBodyFormat", "json"));
            tokenEndpointAnswers(custom, "{\"access_token\":\"at\"}");

            CLIENT.exchangeCode(custom, CONFIG, "the-code", REDIRECT, "v");

            assertThat(fields(JSON.readTree(onlyTokenRequest(custom).getBodyAsString())))
                    .containsEntry("client_id", "client-1").containsEntry("client_secret", "secret-1")
                    .containsEntry("code_verifier", "v");
        }

        @Test
        void aRejectedClientIsInvalidClientAndTheSecretIsNotInTheDetail() {
            ProviderSpec gitlab = spec("gitlab");
            WIREMOCK.stubFor(post(urlEqualTo(tokenPath(gitlab))).willReturn(aResponse().withStatus(401)
                    .withHeader("Content-Type", "application/json").withBody("{\"error\":\"invalid_client\"}")));

            assertThatThrownBy(() -> CLIENT.exchangeCode(gitlab, CONFIG, "c", REDIRECT, null))
                    .isInstanceOfSatisfying(ConnectorException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CLIENT);
                        assertThat(e.detail()).doesNotContain("secret-1");
                    });
        }
    }

    @Nested
    class Refresh {
        @Test
        void sendsTheRefreshGrantAndKeepsTheOldTokenWhenNoneComesBack() {
            ProviderSpec gitlab = spec("gitlab");
            tokenEndpointAnswers(gitlab, "{\"access_token\":\"at-2\",\"expires_in\":7200}");

            TokenSet tokens = CLIENT.refresh(gitlab, CONFIG, "rt-1");

            assertThat(form(onlyTokenRequest(gitlab))).containsExactlyInAnyOrderEntriesOf(Map.of(
                    "grant_type", "refresh_token", "refresh_token", "rt-1", "client_id", "client-1", "client_secret", "secret-1"));
            assertThat(tokens.accessToken()).isEqualTo("at-2");
            assertThat(tokens.refreshToken()).isEqualTo("rt-1");
        }

        @Test
        void aRotatedRefreshTokenReplacesTheOldOne() {
            ProviderSpec slack = spec("slack");
            tokenEndpointAnswers(slack, "{\"ok\":true,\"access_token\":\"xoxe.xoxb-2\",\"refresh_token\":\"xoxe-2\",\"expires_in\":43200}");

            TokenSet tokens = CLIENT.refresh(slack, CONFIG, "xoxe-1");

            LoggedRequest sent = onlyTokenRequest(slack);
            assertThat(sent.getHeader("Authorization")).startsWith("Basic ");
            assertThat(form(sent)).containsExactlyInAnyOrderEntriesOf(Map.of("grant_type", "refresh_token", "refresh_token", "xoxe-1"));
            assertThat(tokens.refreshToken()).isEqualTo("xoxe-2");
        }

        @Test
        void jsonProvidersRefreshWithAJsonBody() throws IOException {
            ProviderSpec notion = spec("notion");
            tokenEndpointAnswers(notion, "{\"access_token\":\"ntn-2\"}");

            CLIENT.refresh(notion, CONFIG, "ntn-r");

            assertThat(fields(JSON.readTree(onlyTokenRequest(notion).getBodyAsString())))
                    .containsExactlyInAnyOrderEntriesOf(Map.of("grant_type", "refresh_token", "refresh_token", "ntn-r"));
        }
    }

    @Nested
    class PostConnect {
        private ProviderSpec gitlabWith(String authScheme, Map<String, String> metadata) {
            return spec("gitlab", node -> {
                ObjectNode call = (ObjectNode) node.get("postConnect");
                if (authScheme != null) call.put("authScheme", authScheme);
                call.set("metadata", JSON.valueToTree(metadata));
            });
        }

        private void answers(ProviderSpec spec, String json) {
            WIREMOCK.stubFor(com.github.tomakehurst.wiremock.client.WireMock.get(urlEqualTo(URI.create(spec.postConnect().url()).getPath()))
                    .willReturn(okJson(json)));
        }

        private LoggedRequest onlyCall(ProviderSpec spec) {
            List<LoggedRequest> sent = WIREMOCK.findAll(com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor(
                    urlEqualTo(URI.create(spec.postConnect().url()).getPath())));
            assertThat(sent).hasSize(1);
            return sent.get(0);
        }

        @Test
        void sendsBearerUnlessTheEntryNamesAnotherScheme() {
            ProviderSpec bearer = gitlabWith(null, Map.of("user", "id"));
            answers(bearer, "{\"id\":7}");
            assertThat(CLIENT.postConnect(bearer, CONFIG, "tok-1")).containsExactly(Map.entry("user", "7"));
            assertThat(onlyCall(bearer).getHeader("Authorization")).isEqualTo("Bearer tok-1");
        }

        @Test
        void anotherSchemeIsSentAsWritten() {
            ProviderSpec oauth = gitlabWith("OAuth", Map.of("dc", "dc"));
            answers(oauth, "{\"dc\":\"us6\"}");
            assertThat(CLIENT.postConnect(oauth, CONFIG, "tok-2")).containsExactly(Map.entry("dc", "us6"));
            assertThat(onlyCall(oauth).getHeader("Authorization")).isEqualTo("OAuth tok-2");
        }

        @Test
        void anArrayAnswerGivesItsFirstValueAndAllValuesJoined() {
            ProviderSpec spec = gitlabWith(null, Map.of("first", "0.tenantId", "all", "*.tenantId"));
            answers(spec, "[{\"tenantId\":\"t-1\"},{\"tenantName\":\"no id\"},{\"tenantId\":\"t-3\"}]");
            assertThat(CLIENT.postConnect(spec, CONFIG, "tok-3")).containsOnly(Map.entry("first", "t-1"), Map.entry("all", "t-1,t-3"));
        }

        @Test
        void theRegistryRefusesASchemeThatIsNotOneWord() {
            ProviderSpec bad = gitlabWith("Bearer x\r\nX-Evil: 1", Map.of());
            assertThat(ProviderRegistry.problems("gitlab", bad)).contains("postConnect.authScheme must be one word");
        }
    }

    // ------------------------------------------------------------------ helpers

    private ProviderSpec spec(String provider) {
        return spec(provider, s -> { });
    }

    /** The registry entry, its https URLs moved onto this test's own WireMock path, edited as JSON. */
    private ProviderSpec spec(String provider, Consumer<ObjectNode> edit) {
        try {
            String json = JSON.writeValueAsString(ProviderRegistry.load(provider)).replaceAll("https://[a-z0-9.-]+", base);
            ObjectNode node = (ObjectNode) JSON.readTree(json);
            edit.accept(node);
            return JSON.treeToValue(node, ProviderSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String tokenPath(ProviderSpec spec) {
        return URI.create(spec.tokenUrl()).getPath();
    }

    private static void tokenEndpointAnswers(ProviderSpec spec, String json) {
        WIREMOCK.stubFor(post(urlEqualTo(tokenPath(spec))).willReturn(okJson(json)));
    }

    private static LoggedRequest onlyTokenRequest(ProviderSpec spec) {
        List<LoggedRequest> sent = WIREMOCK.findAll(postRequestedFor(urlEqualTo(tokenPath(spec))));
        assertThat(sent).hasSize(1);
        return sent.get(0);
    }

    private static Map<String, String> params(URI url) {
        return decodePairs(url.getRawQuery());
    }

    private static Map<String, String> form(LoggedRequest request) {
        return decodePairs(request.getBodyAsString());
    }

    private static Map<String, String> decodePairs(String raw) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            assertThat(out.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)))).as("duplicate %s", pair).isNull();
        }
        return out;
    }

    private static Map<String, String> fields(JsonNode body) {
        Map<String, String> out = new HashMap<>();
        body.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
        return out;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }
}
