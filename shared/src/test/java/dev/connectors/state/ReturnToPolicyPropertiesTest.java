package dev.connectors.state;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.testkit.Hostile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.URI;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Whatever the string, {@code return_to} is either refused with {@code invalid_return_to} (never another
 * exception, never echoed) or accepted as a URL that every reader agrees points at an allowed origin.
 */
class ReturnToPolicyPropertiesTest {
    private final ReturnToPolicy policy = ReturnToPolicy.parse("https://app.example.com,http://localhost:3000");

    @Property(tries = 2000, seed = Hostile.SEED)
    void anyStringIsRefusedOrLandsOnAnAllowedOrigin(@ForAll("candidates") String returnTo) {
        Optional<URI> accepted;
        try {
            accepted = policy.check(returnTo);
        } catch (ConnectorException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_RETURN_TO);
            // the detail (logs only) may name a parsed origin, which the strict grammar limits to LDH characters
            // and IPv6 literals ("https://[::1]" is its own origin, so naming it is no echo of anything else)
            assertThat(e.detail()).matches("[\\x20-\\x7e]*");
            if (returnTo.length() >= 6 && !returnTo.matches("[a-z0-9.:/\\[\\]-]*")) assertThat(e.detail()).doesNotContain(returnTo);
            return;
        }
        if (returnTo.isEmpty()) {
            assertThat(accepted).isEmpty();
            return;
        }
        URI uri = accepted.orElseThrow();
        assertThat(uri.getRawUserInfo()).isNull();
        assertThat(uri.getScheme() + "://" + uri.getHost() + (uri.getPort() == -1 ? "" : ":" + uri.getPort()))
                .isIn("https://app.example.com", "http://localhost:3000");
        String text = uri.toString();
        assertThat(text).doesNotContain("\\").doesNotContainPattern("[\\x00-\\x20\\x7f]");
        // a browser's reading: the authority ends at the first of / ? # and holds no '@'
        String afterScheme = text.substring(text.indexOf("://") + 3);
        String authority = afterScheme.split("[/?#]", 2)[0];
        assertThat(authority).isIn("app.example.com", "localhost:3000");
        // WHATWG and java.net agree: a second parse of the accepted text gives the same origin
        assertThat(URI.create(text).getHost()).isEqualTo(uri.getHost());
    }

    @Property(tries = 300, seed = Hostile.SEED)
    void withParamsNeverMovesTheOrigin(@ForAll("paths") String path, @ForAll("values") String value) {
        Optional<URI> base;
        try {
            base = policy.check("https://app.example.com" + path);
        } catch (ConnectorException refused) {
            return;
        }
        URI out = ReturnToPolicy.withParams(base.orElseThrow(), java.util.Map.of("error", value, "message", value));
        assertThat(out.getHost()).isEqualTo("app.example.com");
        assertThat(out.getRawUserInfo()).isNull();
        assertThat(out.toString()).doesNotContainPattern("[\\x00-\\x20\\x7f<>\"]");
    }

    @Provide
    Arbitrary<String> candidates() {
        Arbitrary<String> prefixes = Arbitraries.of(List.of("https://app.example.com", "HTTPS://APP.EXAMPLE.COM", "https://app.example.com:443",
                "http://localhost:3000", "https:", "https:/", "//", "/\\", "https://", "http://app.example.com", "https://localhost:3000"));
        return Arbitraries.oneOf(Hostile.strings(),
                net.jqwik.api.Combinators.combine(prefixes, Hostile.assembled()).as((p, s) -> p + s),
                net.jqwik.api.Combinators.combine(prefixes, Hostile.assembled(), prefixes).as((p, s, q) -> p + s + q));
    }

    @Provide
    Arbitrary<String> paths() {
        return Hostile.assembled().map(s -> "/" + s);
    }

    @Provide
    Arbitrary<String> values() {
        return Hostile.strings();
    }
}
