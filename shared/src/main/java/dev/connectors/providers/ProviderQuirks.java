package dev.connectors.providers;

import dev.connectors.providers.quirks.FacebookLongLivedToken;
import dev.connectors.providers.quirks.ShopifyCallbackHmac;

import java.util.Map;
import java.util.function.Supplier;

/** The named quirks a registry entry may refer to with {@code "quirk": "<name>"}. Keep this list short. */
public final class ProviderQuirks {
    private static final Map<String, Supplier<ProviderQuirk>> BY_NAME = Map.of(
            "shopify_callback_hmac", ShopifyCallbackHmac::new,
            "facebook_long_lived_token", FacebookLongLivedToken::new);

    private ProviderQuirks() {
    }

    public static boolean exists(String name) {
        return BY_NAME.containsKey(name);
    }

    public static ProviderQuirk of(ProviderSpec spec) {
        if (spec.quirk() == null) return ProviderQuirk.NONE;
        Supplier<ProviderQuirk> quirk = BY_NAME.get(spec.quirk());
        if (quirk == null) throw new IllegalStateException("unknown quirk " + spec.quirk());
        return quirk.get();
    }
}
