package dev.connectors.providers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The registry rules for the flows that are not OAuth: API keys ({@code api_key}) and link tokens ({@code link_token}). */
class NonOAuthEntriesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void apiKeyAndLinkTokenEntriesNeedNoOAuthEndpoints() {
        for (String id : ProviderRegistry.allIds()) {
            ProviderSpec s = ProviderRegistry.load(id);
            switch (s.authTypeOrDefault()) {
                case ProviderSpec.API_KEY -> assertThat(s.validation()).as(id).isNotNull();
                case ProviderSpec.LINK_TOKEN -> assertThat(s.link()).as(id).isNotNull();
                default -> assertThat(s.validation()).as(id).isNull();
            }
        }
    }

    static Stream<Arguments> brokenKeyEntries() {
        return Stream.of(
                Arguments.of("no validation", (Consumer<ObjectNode>) s -> s.remove("validation"), "api_key needs validation"),
                Arguments.of("http validation", (Consumer<ObjectNode>) s -> validation(s).put("url", "http://api.example.com/v1/me"),
                        "validation.url must be https"),
                Arguments.of("placeholder without a default", (Consumer<ObjectNode>) s -> validation(s).put("url", "https://{region}.example.com/me"),
                        "validation.url placeholder {region} needs a default"),
                Arguments.of("3xx success", (Consumer<ObjectNode>) s -> validation(s).put("successStatus", 302), "validation.successStatus must be 2xx"),
                Arguments.of("an OAuth field", (Consumer<ObjectNode>) s -> s.put("tokenUrl", "https://api.example.com/token"),
                        "api_key: authorizeUrl, tokenUrl"),
                Arguments.of("scopes", (Consumer<ObjectNode>) s -> s.putArray("scopes").add("read"), "api_key: link, scopes and quirk do not apply"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenKeyEntries")
    void eachApiKeyRuleIsReportedOnItsOwn(String name, Consumer<ObjectNode> breakIt, String expected) {
        ObjectNode node = entry("openai");
        breakIt.accept(node);
        assertThat(ProviderRegistry.problems("openai", spec(node))).singleElement().asString().contains(expected);
    }

    static Stream<Arguments> brokenLinkEntries() {
        return Stream.of(
                Arguments.of("no link", (Consumer<ObjectNode>) s -> s.remove("link"), "link_token needs link"),
                Arguments.of("no exchange url", (Consumer<ObjectNode>) s -> link(s).remove("exchangeUrl"), "link.exchangeUrl is required"),
                Arguments.of("http create url", (Consumer<ObjectNode>) s -> link(s).put("createUrl", "http://sandbox.example.com/link"),
                        "link.createUrl must be https"),
                Arguments.of("no user id field", (Consumer<ObjectNode>) s -> link(s).remove("userIdField"), "link.userIdField is required"),
                Arguments.of("an authorize URL", (Consumer<ObjectNode>) s -> s.put("authorizeUrl", "https://x.example.com/a"),
                        "link_token: authorizeUrl, tokenUrl"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenLinkEntries")
    void eachLinkRuleIsReportedOnItsOwn(String name, Consumer<ObjectNode> breakIt, String expected) {
        ObjectNode node = entry("plaid");
        breakIt.accept(node);
        assertThat(ProviderRegistry.problems("plaid", spec(node))).singleElement().asString().contains(expected);
    }

    @Test
    void theRealEntriesHaveNoProblems() {
        for (String id : List.of("sendgrid", "stripe", "openai", "plaid")) {
            assertThat(ProviderRegistry.problems(id, ProviderRegistry.load(id))).as(id).isEmpty();
        }
    }

    private static ObjectNode entry(String id) {
        return JSON.valueToTree(ProviderRegistry.load(id));
    }

    private static ObjectNode validation(ObjectNode s) {
        return (ObjectNode) s.get("validation");
    }

    private static ObjectNode link(ObjectNode s) {
        return (ObjectNode) s.get("link");
    }

    private static ProviderSpec spec(ObjectNode node) {
        try {
            return JSON.treeToValue(node, ProviderSpec.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
