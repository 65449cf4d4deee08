package dev.connectors.providers;

import dev.connectors.http.ProviderHttp;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.oauth.TokenSet;

import java.time.Clock;
import java.util.List;
import java.util.Map;

/**
 * Code for what a provider does that data cannot describe. Each hook defaults to "nothing special";
 * a quirk overrides only what its provider needs, and the flow calls every hook for every provider.
 */
public interface ProviderQuirk {
    ProviderQuirk NONE = new ProviderQuirk() {
    };

    /** Checks the callback's own signature (e.g. an HMAC over the query); throws to refuse the callback. */
    default void verifyCallback(Map<String, List<String>> query, ProviderConfig config) {
    }

    /**
     * Adjusts the tokens after the code exchange (e.g. trades a short-lived token for a long-lived one).
     * Any call it makes goes through {@code http} and {@code ProviderAnswers}; {@code clock} dates new expiries.
     */
    default TokenSet afterExchange(TokenSet tokens, ProviderSpec spec, ProviderConfig config, ProviderHttp http, Clock clock) {
        return tokens;
    }
}
