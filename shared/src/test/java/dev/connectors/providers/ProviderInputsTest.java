package dev.connectors.providers;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderInputsTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The generic entry plus a Shopify-style shop input and a QuickBooks-style realm id from the callback. */
    static ProviderSpec specWithInputs() throws Exception {
        ObjectNode node = JSON.valueToTree(ProviderRegistry.load("generic"));
        node.set("inputs", JSON.readTree("""
                [{"name":"shop","from":"authorize","param":"shop","pattern":"[a-z0-9][a-z0-9-]{0,60}\\\\.myshopify\\\\.com","example":"acme.myshopify.com"},
                 {"name":"realm_id","from":"callback","param":"realmId","pattern":"[0-9]{1,30}","example":"4620816365"}]"""));
        return JSON.treeToValue(node, ProviderSpec.class);
    }

    @Test
    void readsOnlyTheInputsOfTheGivenStep() throws Exception {
        ProviderSpec spec = specWithInputs();
        Map<String, List<String>> query = Map.of("shop", List.of("acme-store.myshopify.com"), "realmId", List.of("123"));
        assertThat(ProviderInputs.read(spec, ProviderSpec.Input.Source.authorize, query)).containsExactly(Map.entry("shop", "acme-store.myshopify.com"));
        assertThat(ProviderInputs.read(spec, ProviderSpec.Input.Source.callback, query)).containsExactly(Map.entry("realm_id", "123"));
        assertThat(ProviderRegistry.problems("generic", spec)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"evil.example", "acme.myshopify.com.evil.example", "acme.myshopify.com/../x", "acme.myshopify.com@evil.example",
            "ACME.myshopify.com\n", "-acme.myshopify.com", "acme.myshopify.com:444", ""})
    void hostileShopsAreRefusedBeforeAnyUrlIsBuilt(String shop) throws Exception {
        assertThatThrownBy(() -> ProviderInputs.read(specWithInputs(), ProviderSpec.Input.Source.authorize, Map.of("shop", List.of(shop))))
                .isInstanceOfSatisfying(ConnectorException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                    assertThat(e.detail()).doesNotContain(shop.isEmpty() ? "\u0000" : shop);
                });
    }

    /** A URL-valued parameter (Zoho's accounts-server) whose pattern keeps only the host in a group named value. */
    static ProviderSpec specWithHostGroup() throws Exception {
        ObjectNode node = JSON.valueToTree(ProviderRegistry.load("generic"));
        node.set("inputs", JSON.readTree("""
                [{"name":"accounts_host","from":"callback","param":"accounts-server",
                  "pattern":"https://(?<value>accounts\\\\.zoho\\\\.(?:com|eu))","example":"https://accounts.zoho.eu"}]"""));
        return JSON.treeToValue(node, ProviderSpec.class);
    }

    @Test
    void aGroupNamedValueKeepsOnlyThatPartOfTheMatch() throws Exception {
        ProviderSpec spec = specWithHostGroup();
        assertThat(ProviderRegistry.problems("generic", spec)).isEmpty();
        assertThat(ProviderInputs.read(spec, ProviderSpec.Input.Source.callback, Map.of("accounts-server", List.of("https://accounts.zoho.eu"))))
                .containsExactly(Map.entry("accounts_host", "accounts.zoho.eu"));
        for (String hostile : List.of("https://accounts.zoho.eu.evil.example", "https://evil.example/accounts.zoho.eu",
                "http://accounts.zoho.eu", "accounts.zoho.eu", "https://accounts.zoho.eu/", "https://accounts.zoho.eu@evil.example")) {
            assertThatThrownBy(() -> ProviderInputs.read(spec, ProviderSpec.Input.Source.callback, Map.of("accounts-server", List.of(hostile))))
                    .as(hostile).isInstanceOf(ConnectorException.class);
        }
    }

    @Test
    void aMissingOrDuplicatedInputIsRefused() throws Exception {
        ProviderSpec spec = specWithInputs();
        assertThatThrownBy(() -> ProviderInputs.read(spec, ProviderSpec.Input.Source.authorize, Map.of()))
                .isInstanceOf(ConnectorException.class);
        assertThatThrownBy(() -> ProviderInputs.read(spec, ProviderSpec.Input.Source.authorize,
                Map.of("shop", List.of("a.myshopify.com", "b.myshopify.com")))).isInstanceOf(ConnectorException.class);
    }

    @Test
    void theRegistryRefusesInputsThatShadowConfigurationOrAcceptAnything() throws Exception {
        ObjectNode node = JSON.valueToTree(ProviderRegistry.load("generic"));
        node.set("inputs", JSON.readTree("""
                [{"name":"token_url","from":"callback","param":"t","pattern":"[a-z]+"},
                 {"name":"host","from":"authorize","param":"host","pattern":".*"}]"""));
        assertThat(ProviderRegistry.problems("generic", JSON.treeToValue(node, ProviderSpec.class)))
                .anyMatch(p -> p.startsWith("inputs.token_url")).anyMatch(p -> p.startsWith("inputs.host"));
    }
}
