package dev.connectors.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProviderRequestTest {
    private static final URI TOKEN = URI.create("https://user:pw@auth.example.com:8443/oauth/token?code=SECRET-CODE&state=s#frag");

    @Test
    void formIsUrlEncodedInOrderAndSkipsNullValues() {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", "a+b&c=d é");
        form.put("code_verifier", null);
        form.put("redirect_uri", "https://app.example/cb?x=1");

        ProviderRequest request = ProviderRequest.postForm(TOKEN, form);

        assertThat(new String(request.body(), StandardCharsets.UTF_8)).isEqualTo(
                "grant_type=authorization_code&code=a%2Bb%26c%3Dd+%C3%A9&redirect_uri=https%3A%2F%2Fapp.example%2Fcb%3Fx%3D1");
        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.contentType()).contains("application/x-www-form-urlencoded; charset=UTF-8");
    }

    @Test
    void toStringShowsNeitherQueryNorCredentialsNorHeadersNorBody() {
        ProviderRequest request = ProviderRequest.postForm(TOKEN, Map.of("client_secret", "SECRET-BODY"))
                .header("Authorization", "Basic SECRET-HEADER");

        assertThat(request.toString())
                .isEqualTo("POST https://auth.example.com:8443/oauth/token")
                .doesNotContain("SECRET").doesNotContain("pw").doesNotContain("?");
        assertThat(request.headers().toString()).doesNotContain("SECRET");
    }

    @Test
    void headerReturnsACopyAndReplacesOnlyContentType() {
        ProviderRequest base = ProviderRequest.postJson(URI.create("https://api.example.com/v1"), "{}");
        ProviderRequest changed = base.header("X-Trace", "1").header("x-trace", "2").header("content-type", "application/vnd.x+json");

        assertThat(base.headers()).hasSize(1);
        assertThat(changed.headers()).extracting(ProviderRequest.Header::value)
                .containsExactly("1", "2", "application/vnd.x+json");
        assertThat(changed.header("X-TRACE")).contains("1");
        assertThat(changed.contentType()).contains("application/vnd.x+json");
    }

    @Test
    void getHasNoBodyAndBodiesAreCopied() {
        ProviderRequest get = ProviderRequest.get(URI.create("http://localhost:1/x"));
        byte[] bytes = {1, 2};
        ProviderRequest post = ProviderRequest.post(URI.create("https://h/x"), "application/octet-stream", bytes);
        bytes[0] = 9;
        post.body()[1] = 9;

        assertThat(get.body()).isEmpty();
        assertThat(get.contentType()).isEmpty();
        assertThat(post.body()).containsExactly(1, 2);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\r\nInjected: 1", "a\nb", "nul\u0000"})
    void rejectsHeaderInjection(String value) {
        ProviderRequest get = ProviderRequest.get(URI.create("https://h/x"));
        assertThatThrownBy(() -> get.header("X-Test", value)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "Bad Name", "X:Y", "Host", "content-length", "Connection"})
    void rejectsInvalidOrClientOwnedHeaderNames(String name) {
        ProviderRequest get = ProviderRequest.get(URI.create("https://h/x"));
        assertThatThrownBy(() -> get.header(name, "v")).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"ftp://h/x", "/relative/path", "file:///etc/passwd", "https:opaque"})
    void rejectsNonHttpUris(String uri) {
        assertThatThrownBy(() -> ProviderRequest.get(URI.create(uri))).isInstanceOf(IllegalArgumentException.class);
    }
}
