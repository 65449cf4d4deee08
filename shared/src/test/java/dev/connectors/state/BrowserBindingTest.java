package dev.connectors.state;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class BrowserBindingTest {
    private static final String ID = "AbCdEfGhIjKlMnOpQrStUvWxYz0123456789-_abcde";

    @Test
    void httpsGetsAHostPrefixedSecureCookieAndPlainHttpAnUnprefixedOne() {
        BrowserBinding https = BrowserBinding.forBaseUrl("https://connect.example.com");
        BrowserBinding http = BrowserBinding.forBaseUrl("http://localhost:8080");

        assertThat(https.setCookie(ID)).isEqualTo("__Host-connectors_browser=" + ID + "; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax; Secure");
        assertThat(http.setCookie(ID)).isEqualTo("connectors_browser=" + ID + "; Path=/; Max-Age=86400; HttpOnly; SameSite=Lax");
        assertThat(BrowserBinding.forBaseUrl("HTTP://LOCALHOST").cookieName()).isEqualTo("connectors_browser");
    }

    @Test
    void onlyWellFormedValuesOfItsOwnNameCountWhereverTheyAppear() {
        BrowserBinding b = BrowserBinding.forBaseUrl("https://connect.example.com");
        List<String> cookies = Arrays.asList(null, "other=1; __Host-connectors_browser=" + ID, "connectors_browser=" + ID.replace('A', 'B'),
                "__Host-connectors_browser=short", "__Host-connectors_browser=" + ID + "x", "__Host-connectors_browser=" + ID);

        assertThat(b.ids(cookies)).containsExactly(ID);
        assertThat(b.ids(null)).isEmpty();
    }

    @Test
    void anExistingIdIsKeptAndAMissingOneIsFresh() {
        BrowserBinding b = BrowserBinding.forBaseUrl("https://connect.example.com");

        assertThat(b.idFor(List.of("__Host-connectors_browser=" + ID))).isEqualTo(ID);
        String fresh = b.idFor(List.of());
        assertThat(fresh).matches("[A-Za-z0-9_-]{43}").isNotEqualTo(b.idFor(List.of()));
    }

    @Test
    void theSessionHashMatchesOnlyItsOwnId() {
        BrowserBinding b = BrowserBinding.forBaseUrl("https://connect.example.com");
        String hash = BrowserBinding.hash(ID);

        assertThat(hash).doesNotContain(ID).matches("[A-Za-z0-9_-]{43}");
        assertThat(b.matching(List.of("__Host-connectors_browser=" + ID), hash)).contains(ID);
        assertThat(b.matching(List.of("__Host-connectors_browser=" + ID.replace('A', 'B')), hash)).isEmpty();
        assertThat(b.matching(List.of("connectors_browser=" + ID), hash)).isEmpty(); // the other name does not count
        assertThat(b.matching(List.of(), hash)).isEmpty();
    }
}
