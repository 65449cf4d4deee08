package dev.connectors.sync;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.testkit.Hostile;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A provider's "next page" link is followed with the tenant's token, so it must never lead to another
 * host: any link is refused with {@code provider_error} or resolves onto the API's own scheme, host and port.
 */
class NextLinkPropertiesTest {
    private static final String API = "https://api.example-provider.com/v2";

    @Property(tries = 2000, seed = Hostile.SEED)
    void aNextLinkIsRefusedOrStaysOnTheApisOrigin(@ForAll("links") String next) {
        URI followed;
        try {
            followed = BackfillRequests.sameOrigin(API, next);
        } catch (ConnectorException e) {
            assertThat(e.code()).isEqualTo(ErrorCode.PROVIDER_ERROR);
            return;
        }
        assertThat(followed.getScheme()).isEqualToIgnoringCase("https");
        assertThat(followed.getHost()).isEqualToIgnoringCase("api.example-provider.com");
        assertThat(followed.getPort()).isIn(-1, 443);
        assertThat(followed.getRawUserInfo()).isNull();
        // an empty port ("host:") is the default port (RFC 3986 §6.2.3): the same origin
        assertThat(followed.getRawAuthority().replaceFirst(":$", ""))
                .isEqualToIgnoringCase(followed.getHost() + (followed.getPort() == -1 ? "" : ":" + followed.getPort()));
    }

    @Provide
    Arbitrary<String> links() {
        Arbitrary<String> prefixes = Arbitraries.of("https://api.example-provider.com", "HTTPS://API.EXAMPLE-PROVIDER.COM",
                "https://api.example-provider.com:443", "//api.example-provider.com", "/", "", "https://api.example-provider.com.evil.example",
                "http://api.example-provider.com", "https://evil.example", "https:api.example-provider.com");
        return Arbitraries.oneOf(Hostile.strings(),
                net.jqwik.api.Combinators.combine(prefixes, Hostile.assembled()).as((p, s) -> p + s));
    }
}
