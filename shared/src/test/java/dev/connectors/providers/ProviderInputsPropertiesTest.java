package dev.connectors.providers;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.testkit.Hostile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Per-connection inputs that become part of a host (Shopify's shop, Zendesk's subdomain, Zoho's accounts
 * server) or a path (QuickBooks' realm): any value is refused with {@code invalid_request}, or fills the
 * provider's URLs without moving them off the provider's own domain.
 */
class ProviderInputsPropertiesTest {
    private static final List<ProviderSpec> WITH_INPUTS = ProviderRegistry.allIds().stream().map(ProviderRegistry::load)
            .filter(s -> !s.inputs().isEmpty()).toList();

    @Property(tries = 2000, seed = Hostile.SEED)
    void anyInputIsRefusedOrKeepsEveryUrlOnTheProvidersDomain(@ForAll("specs") ProviderSpec spec, @ForAll("values") List<String> values) {
        for (ProviderSpec.Input.Source from : ProviderSpec.Input.Source.values()) {
            Map<String, List<String>> query = new java.util.HashMap<>();
            for (ProviderSpec.Input input : spec.inputs()) query.put(input.param(), values);
            Map<String, String> read;
            try {
                read = ProviderInputs.read(spec, from, query);
            } catch (ConnectorException e) {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST);
                values.stream().filter(v -> v.length() >= 6).forEach(v -> assertThat(e.detail()).doesNotContain(v));
                continue;
            }
            Map<String, String> filled = new java.util.HashMap<>(spec.defaults());
            for (ProviderSpec.Input input : spec.inputs()) filled.putIfAbsent(input.name(), kept(input, input.example()));
            filled.putAll(read);
            for (String url : urls(spec)) {
                if (!onlyNeeds(url, filled) || !url.contains("://")) continue;
                URI actual = URI.create(Placeholders.fill(url, filled));
                // the value stays inside the host (or path) it was meant for: no '@', '/', ':', '?' or '#' broke out
                String templateAuthority = url.substring(url.indexOf("://") + 3).split("/", 2)[0];
                String expected = Placeholders.fill(templateAuthority, filled);
                assertThat(actual.getRawAuthority()).isEqualTo(expected);
                assertThat(actual.getHost()).isEqualToIgnoringCase(expected);
                String suffix = templateAuthority.substring(templateAuthority.lastIndexOf('}') + 1);
                assertThat(actual.getHost()).endsWith(suffix);
                assertThat(actual.getRawPath()).doesNotContain("/../").doesNotContain("/./");
                assertThat(actual.getRawQuery()).isEqualTo(url.contains("?") ? actual.getRawQuery() : null);
                assertThat(actual.getRawFragment()).isNull();
            }
        }
    }

    /** What the flow keeps of a valid value: the whole value, or its {@code value} group (a host inside a URL). */
    private static String kept(ProviderSpec.Input input, String value) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile(input.pattern()).matcher(value);
        assertThat(m.matches()).as("example of %s", input.name()).isTrue();
        return input.pattern().contains("(?<value>") ? m.group("value") : value;
    }

    /** The provider's URLs that may carry an input. */
    private static List<String> urls(ProviderSpec spec) {
        List<String> urls = new ArrayList<>();
        for (String u : new String[]{spec.authorizeUrl(), spec.tokenUrl(), spec.apiBaseUrl(), spec.refreshUrl()}) {
            if (u != null) urls.add(u);
        }
        return urls;
    }

    private static boolean onlyNeeds(String url, Map<String, String> values) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\{([a-z_]+)}").matcher(url);
        while (m.find()) if (!values.containsKey(m.group(1))) return false;
        return true;
    }

    @Provide
    Arbitrary<ProviderSpec> specs() {
        return Arbitraries.of(WITH_INPUTS);
    }

    /** Usually one value (the only accepted shape), sometimes none or several; each hostile or nearly valid. */
    @Provide
    Arbitrary<List<String>> values() {
        Arbitrary<String> one = Arbitraries.oneOf(Hostile.strings(),
                Arbitraries.of("acme", "acme.myshopify.com", "4620816365", "https://accounts.zoho.eu")
                        .flatMap(v -> Hostile.assembled().map(s -> Math.abs(s.hashCode()) % 2 == 0 ? v + s : s + v)));
        return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(8, one.list().ofSize(1)), net.jqwik.api.Tuple.of(1, one.list().ofMaxSize(3)));
    }
}
