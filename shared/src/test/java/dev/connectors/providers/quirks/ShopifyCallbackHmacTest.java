package dev.connectors.providers.quirks;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.oauth.ProviderConfig;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShopifyCallbackHmacTest {
    private static final ShopifyCallbackHmac QUIRK = new ShopifyCallbackHmac();

    private static Map<String, List<String>> query(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            out.computeIfAbsent(pair.substring(0, eq), k -> new java.util.ArrayList<>()).add(pair.substring(eq + 1));
        }
        return out;
    }

    private static ProviderConfig config(String secret, String shop) {
        return new ProviderConfig("client", secret, shop == null ? Map.of() : Map.of("shop", shop));
    }

    /** The example Shopify's OAuth guide published (secret "hush"), as reproduced by the exshopify/shopify_oauth docs. */
    @Test
    void matchesShopifysPublishedExamples() {
        assertThat(ShopifyCallbackHmac.sign(query("code=0907a61c0c8d55e99db179b68161bc00&shop=some-shop.myshopify.com"
                + "&state=0.6784241404160823&timestamp=1337178173"), "hush"))
                .isEqualTo("700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf");
        // the same, parameters in another order and without state
        assertThat(ShopifyCallbackHmac.sign(query("timestamp=1337178173&shop=some-shop.myshopify.com"
                + "&code=0907a61c0c8d55e99db179b68161bc00&hmac=ignored"), "hush"))
                .isEqualTo("4712bf92ffc2917d15a2f5a273e39f0116667419aa4b6ac0b3baaf26fa3c4d20");
    }

    @Test
    void acceptsTheSignedCallbackOfTheSessionsShop() {
        String raw = "code=0907a61c0c8d55e99db179b68161bc00&hmac=700E2DADB827FCC8609E9D5CE208B2E9CDAAB9DF07390D2CBCA10D7C328FC4BF"
                + "&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173";
        QUIRK.verifyCallback(query(raw), config("hush", "some-shop.myshopify.com")); // upper-case hex too
    }

    @Test
    void refusesAWrongSignatureAnotherShopAMissingHmacAndRepeatedParameters() {
        String signed = "code=0907a61c0c8d55e99db179b68161bc00&hmac=700e2dadb827fcc8609e9d5ce208b2e9cdaab9df07390d2cbca10d7c328fc4bf"
                + "&shop=some-shop.myshopify.com&state=0.6784241404160823&timestamp=1337178173";
        assertCode(() -> QUIRK.verifyCallback(query(signed), config("not-hush", "some-shop.myshopify.com")), ErrorCode.INVALID_STATE);
        assertCode(() -> QUIRK.verifyCallback(query(signed.replace("1337178173", "1337178174")), config("hush", "some-shop.myshopify.com")),
                ErrorCode.INVALID_STATE);
        // authentic, but for a shop other than the one this flow was started for
        assertCode(() -> QUIRK.verifyCallback(query(signed), config("hush", "other-shop.myshopify.com")), ErrorCode.INVALID_STATE);
        assertCode(() -> QUIRK.verifyCallback(query(signed), config("hush", null)), ErrorCode.INVALID_STATE);
        assertCode(() -> QUIRK.verifyCallback(query(signed.replaceAll("&hmac=[0-9a-f]+", "")), config("hush", "some-shop.myshopify.com")),
                ErrorCode.INVALID_REQUEST);
        assertCode(() -> QUIRK.verifyCallback(query(signed.replaceAll("hmac=[0-9a-f]+", "hmac=zz")), config("hush", "some-shop.myshopify.com")),
                ErrorCode.INVALID_REQUEST);
        assertCode(() -> QUIRK.verifyCallback(query(signed + "&shop=evil.myshopify.com"), config("hush", "some-shop.myshopify.com")),
                ErrorCode.INVALID_REQUEST);
    }

    @Test
    void escapesPercentAndAmpersandAsShopifyDocuments() {
        assertThat(ShopifyCallbackHmac.message(query("b=x%y&a=1")))
                .isEqualTo("a=1&b=x%25y");
        Map<String, List<String>> q = new LinkedHashMap<>();
        q.put("a=b", List.of("c&d"));
        assertThat(ShopifyCallbackHmac.message(q)).isEqualTo("a%3Db=c%26d");
    }

    private static void assertCode(org.assertj.core.api.ThrowableAssert.ThrowingCallable call, ErrorCode code) {
        assertThatThrownBy(call).isInstanceOfSatisfying(ConnectorException.class, e -> assertThat(e.code()).isEqualTo(code));
    }
}
