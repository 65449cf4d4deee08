package dev.connectors.oauth1;

import dev.connectors.oauth1.OAuth1Signer.Param;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** OAuth 1.0a signing against RFC 5849's own examples and Twitter's published signing example. */
class OAuth1SignerTest {

    private static List<Param> params(String... nameValues) {
        List<Param> out = new ArrayList<>();
        for (int i = 0; i < nameValues.length; i += 2) out.add(new Param(nameValues[i], nameValues[i + 1]));
        return out;
    }

    /** RFC 5849 §3.4.1.1: the base string of the §3.1 request (query, form body, header; realm left out). */
    @Test
    void buildsRfc5849sSignatureBaseString() {
        URI uri = URI.create("http://example.com/request?b5=%3D%253D&a3=a&c%40=&a2=r%20b");
        List<Param> all = new ArrayList<>(OAuth1Signer.queryParams(uri));
        all.addAll(params("c2", "", "a3", "2 q")); // body "c2&a3=2+q", form-decoded
        all.addAll(params("oauth_consumer_key", "9djdj82h48djs9d2", "oauth_token", "kkk9d7dh3k39sjv7",
                "oauth_signature_method", "HMAC-SHA1", "oauth_timestamp", "137131201", "oauth_nonce", "7d8f3e4a"));

        assertThat(OAuth1Signer.baseString("post", uri, all)).isEqualTo("POST&http%3A%2F%2Fexample.com%2Frequest&a2%3Dr%2520b%26a3%3D2%2520q"
                + "%26a3%3Da%26b5%3D%253D%25253D%26c%2540%3D%26c2%3D%26oauth_consumer_key%3D9djdj82h48djs9d2%26oauth_nonce%3D"
                + "7d8f3e4a%26oauth_signature_method%3DHMAC-SHA1%26oauth_timestamp%3D137131201%26oauth_token%3Dkkk9d7dh3k39sjv7");
    }

    /** RFC 5849 §3.4.1.2 and §3.6. */
    @Test
    void normalisesTheUriAndPercentEncodesPerSection36() {
        assertThat(OAuth1Signer.baseStringUri(URI.create("HTTP://EXAMPLE.COM:80/r%20v/X?id=123"))).isEqualTo("http://example.com/r%20v/X");
        assertThat(OAuth1Signer.baseStringUri(URI.create("https://www.example.net:8080/?q=1"))).isEqualTo("https://www.example.net:8080/");
        assertThat(OAuth1Signer.baseStringUri(URI.create("https://example.net:443/a"))).isEqualTo("https://example.net/a");
        assertThat(OAuth1Signer.percentEncode("Ladies + Gentlemen ~-._*!'()é")).isEqualTo("Ladies%20%2B%20Gentlemen%20~-._%2A%21%27%28%29%C3%A9");
    }

    /** RFC 5849 §1.2: the three requests of the photos.example.net walk-through and their signatures. */
    @Test
    void reproducesRfc5849PhotosExampleSignatures() {
        String consumerSecret = "kd94hf93k423kf44";
        List<Param> initiate = params("oauth_consumer_key", "dpf43f3p2l4k3l03", "oauth_signature_method", "HMAC-SHA1",
                "oauth_timestamp", "137131200", "oauth_nonce", "wIjqoS", "oauth_callback", "http://printer.example.com/ready");
        assertThat(OAuth1Signer.hmacSha1(OAuth1Signer.baseString("POST", URI.create("https://photos.example.net/initiate"), initiate),
                consumerSecret, null)).isEqualTo("74KNZJeDHnMBp0EMJ9ZHt/XKycU=");

        List<Param> token = params("oauth_consumer_key", "dpf43f3p2l4k3l03", "oauth_token", "hh5s93j4hdidpola",
                "oauth_signature_method", "HMAC-SHA1", "oauth_timestamp", "137131201", "oauth_nonce", "walatlh",
                "oauth_verifier", "hfdp7dh39dks9884");
        assertThat(OAuth1Signer.hmacSha1(OAuth1Signer.baseString("POST", URI.create("https://photos.example.net/token"), token),
                consumerSecret, "hdhd0244k9j7ao03")).isEqualTo("gKgrFCywp7rO0OXSjdot/IHF7IU=");

        URI photos = URI.create("http://photos.example.net/photos?file=vacation.jpg&size=original");
        List<Param> resource = new ArrayList<>(OAuth1Signer.queryParams(photos));
        resource.addAll(params("oauth_consumer_key", "dpf43f3p2l4k3l03", "oauth_token", "nnch734d00sl2jdk",
                "oauth_signature_method", "HMAC-SHA1", "oauth_timestamp", "137131202", "oauth_nonce", "chapoH"));
        assertThat(OAuth1Signer.hmacSha1(OAuth1Signer.baseString("GET", photos, resource), consumerSecret, "pfkkdhi9sl3r4s00"))
                .isEqualTo("MdpQcU8iPSUjWoN/UDMsK2sui9I=");
    }

    /** Twitter's "Creating a signature" example (developer.twitter.com), through the header builder. */
    @Test
    void reproducesTwittersPublishedSignature() {
        Map<String, String> protocol = new LinkedHashMap<>();
        protocol.put("oauth_consumer_key", "xvz1evFS4wEEPTGEFPHBog");
        protocol.put("oauth_nonce", "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg");
        protocol.put("oauth_signature_method", "HMAC-SHA1");
        protocol.put("oauth_timestamp", "1318622958");
        protocol.put("oauth_token", "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb");
        protocol.put("oauth_version", "1.0");

        String header = OAuth1Signer.authorization("POST", URI.create("https://api.twitter.com/1.1/statuses/update.json?include_entities=true"),
                protocol, params("status", "Hello Ladies + Gentlemen, a signed OAuth request!"),
                "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw", "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE");

        assertThat(header).startsWith("OAuth oauth_consumer_key=\"xvz1evFS4wEEPTGEFPHBog\", ")
                .endsWith("oauth_signature=\"hCtSmYh%2BiHYCEqBWrE7C7hYmtUk%3D\"");
    }
}
