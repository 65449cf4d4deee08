package dev.connectors.providers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderRegistryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void everyIndexedEntryLoadsWithoutProblems() {
        assertThat(ProviderRegistry.allIds()).isNotEmpty().doesNotHaveDuplicates();
        for (String id : ProviderRegistry.allIds()) {
            ProviderSpec spec = ProviderRegistry.load(id);
            assertThat(spec.id()).isEqualTo(id);
            assertThat(ProviderRegistry.problems(id, spec)).as(id).isEmpty();
        }
    }

    @Test
    void everyEntryFileIsIndexed() throws Exception {
        Path dir = Path.of(ProviderRegistry.class.getClassLoader().getResource("providers/index.txt").toURI()).getParent();
        try (Stream<Path> files = Files.list(dir)) {
            List<String> onDisk = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - ".json".length())).toList();
            assertThat(onDisk).containsExactlyInAnyOrderElementsOf(ProviderRegistry.allIds());
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nope", "Slack", "../slack", "slack.json", "", "index"})
    void unknownIdsAreUnknownProvider(String id) {
        assertThatThrownBy(() -> ProviderRegistry.load(id)).isInstanceOfSatisfying(ConnectorException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_PROVIDER));
    }

    static Stream<Arguments> brokenEntries() {
        return Stream.of(
                broken("id differs from the file", s -> s.put("id", "other"), "id must equal the file name"),
                broken("no displayName", s -> s.remove("displayName"), "displayName is required"),
                broken("blank displayName", s -> s.put("displayName", "  "), "displayName is required"),
                broken("an unknown auth type", s -> s.put("authType", "saml"), "authType must be oauth2"),
                broken("api-key validation on an OAuth entry", s -> s.putObject("validation").put("url", "https://x.example.com"), "validation and link are for"),
                broken("http authorizeUrl", s -> s.put("authorizeUrl", "http://slack.com/oauth/v2/authorize"), "authorizeUrl must be https"),
                broken("no tokenUrl", s -> s.remove("tokenUrl"), "tokenUrl is required"),
                broken("http revoke.url", s -> s.putObject("revoke").put("url", "http://slack.com/api/auth.revoke"), "revoke.url must be https"),
                broken("placeholder inside an http URL", s -> s.put("apiBaseUrl", "http://{host}/api"), "apiBaseUrl must be https"),
                broken("bad separator", s -> s.put("scopeSeparator", ";"), "scopeSeparator must be a space or a comma"),
                broken("scope containing the separator", s -> scopes(s).add("chat:write,chat:read"), "bad scope 'chat:write,chat:read'"),
                broken("blank scope", s -> scopes(s).add(" "), "bad scope ' '"),
                broken("authorizeParams setting state", s -> s.putObject("authorizeParams").put("state", "fixed"), "may not set state"),
                broken("authorizeParams setting redirect_uri", s -> s.putObject("authorizeParams").put("redirect_uri", "https://x"), "may not set state"),
                broken("authorizeParams setting PKCE", s -> s.putObject("authorizeParams").put("code_challenge_method", "plain"), "may not set state"),
                broken("http postConnect", s -> s.putObject("postConnect").put("url", "http://slack.com/api/auth.test"), "postConnect.url must be https"),
                broken("backfill without apiBaseUrl", s -> s.remove("apiBaseUrl"), "backfill needs apiBaseUrl"),
                broken("parent naming a later model", s -> {
                    ArrayNode resources = resources(s);
                    resources.insert(0, resources.remove(1)); // messages (parent: channels) before channels
                }, "backfill.messages.parent must name an earlier model"),
                broken("parent naming no model", s -> resource(s, 1).put("parent", "teams"), "backfill.messages.parent must name an earlier model"),
                broken("relative path", s -> resource(s, 0).put("path", "conversations.list"), "backfill.channels.path must start with /"),
                broken("no record id", s -> resource(s, 0).remove("id"), "backfill.channels.id is required"),
                broken("PUT", s -> resource(s, 0).put("method", "PUT"), "backfill.channels.method must be GET or POST"),
                broken("cursor paginator without cursorPath", s -> paginator(s, 0).remove("cursorPath"), "backfill.channels.paginator.cursorPath is required"),
                broken("page paginator without param", s -> paginator(s, 0).put("type", "page").remove("param"), "backfill.channels.paginator.param is required"),
                broken("stopBeforeWindow without updatedAt", s -> resource(s, 0).put("stopBeforeWindow", true), "backfill.channels.stopBeforeWindow needs updatedAt"),
                broken("skipParentStatuses without a parent", s -> resource(s, 0).putArray("skipParentStatuses").add(403),
                        "backfill.channels.skipParentStatuses needs a parent"),
                broken("skipping parents on 401", s -> resource(s, 1).putArray("skipParentStatuses").add(401),
                        "backfill.messages.skipParentStatuses must be 4xx statuses other than 401 and 429: 401"),
                broken("skipping parents on 429", s -> resource(s, 1).putArray("skipParentStatuses").add(429),
                        "skipParentStatuses must be 4xx statuses other than 401 and 429: 429"),
                broken("skipping parents on 500", s -> resource(s, 1).putArray("skipParentStatuses").add(500),
                        "skipParentStatuses must be 4xx statuses other than 401 and 429: 500"),
                broken("rateLimitErrors without values", s -> ((ObjectNode) s.get("backfill")).putObject("rateLimitErrors").put("field", "reason"),
                        "backfill.rateLimitErrors needs a field and non-blank values"),
                broken("rateLimitErrors without a field", s -> ((ObjectNode) s.get("backfill")).putObject("rateLimitErrors")
                        .putArray("values").add("rateLimitExceeded"), "backfill.rateLimitErrors needs a field and non-blank values"),
                broken("no resources and no outcome", s -> resources(s).removeAll(), "backfill needs resources or an explicit outcome"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenEntries")
    void eachRuleIsReportedOnItsOwn(String name, Consumer<ObjectNode> breakIt, String expected) {
        ObjectNode node = slack();
        breakIt.accept(node);

        List<String> problems = ProviderRegistry.problems("slack", spec(node));

        assertThat(problems).singleElement().asString().contains(expected);
    }

    @Test
    void aBackfillWithOnlyAnOutcomeIsFine() {
        ObjectNode node = slack();
        resources(node).removeAll();
        ((ObjectNode) node.get("backfill")).put("outcome", "no history API");
        assertThat(ProviderRegistry.problems("slack", spec(node))).isEmpty();
    }

    @Test
    void wholeUrlPlaceholdersAreAllowed() {
        assertThat(ProviderRegistry.load("generic").authorizeUrl()).isEqualTo("{authorize_url}");
        ObjectNode node = slack();
        node.put("tokenUrl", "{token_url}").put("apiBaseUrl", "https://{subdomain}.example.com/api");
        assertThat(ProviderRegistry.problems("slack", spec(node))).isEmpty();
    }

    @Test
    void placeholdersAreFilledVerbatimAndAMissingOneIsAnError() {
        assertThat(Placeholders.fill("https://{shop}.myshopify.com/{path}", Map.of("shop", "a$1\\b", "path", "x")))
                .isEqualTo("https://a$1\\b.myshopify.com/x");
        assertThatThrownBy(() -> Placeholders.fill("{token_url}", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("token_url");
    }

    // ------------------------------------------------------------------ helpers

    private static Arguments broken(String name, Consumer<ObjectNode> breakIt, String expected) {
        return Arguments.of(name, breakIt, expected);
    }

    /** The real Slack entry (scopes, a comma separator, a backfill with a parent resource) as editable JSON. */
    private static ObjectNode slack() {
        return JSON.valueToTree(ProviderRegistry.load("slack"));
    }

    private static ProviderSpec spec(ObjectNode node) {
        try {
            return JSON.treeToValue(node, ProviderSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static ArrayNode scopes(ObjectNode spec) {
        return (ArrayNode) spec.get("scopes");
    }

    private static ArrayNode resources(ObjectNode spec) {
        return (ArrayNode) spec.get("backfill").get("resources");
    }

    private static ObjectNode resource(ObjectNode spec, int index) {
        return (ObjectNode) resources(spec).get(index);
    }

    private static ObjectNode paginator(ObjectNode spec, int index) {
        return (ObjectNode) resource(spec, index).get("paginator");
    }
}
