package dev.connectors.local;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/** Writes .local-data/secrets.json (git-ignored): fresh keys and sandbox client credentials, the local Secrets Manager. */
final class LocalSecrets {
    static final String APP = "local/app";
    static final String GENERIC = "local/generic";

    private LocalSecrets() {
    }

    static Path write(String authorizeUrl, String tokenUrl, String apiBaseUrl) throws Exception {
        Map<String, Object> all = Map.of(
                APP, Map.of("state_keys", Map.of("s1", random(32)), "state_key_current", "s1",
                        "token_keys", Map.of("t1", random(32)), "token_key_current", "t1"),
                GENERIC, Map.of("client_id", "sandbox-client", "client_secret", random(24),
                        "authorize_url", authorizeUrl, "token_url", tokenUrl, "api_base_url", apiBaseUrl,
                        "scopes", "openid offline_access"));
        Path file = Files.createDirectories(Path.of(".local-data")).resolve("secrets.json");
        Files.writeString(file, new ObjectMapper().writerWithDefaultPrettyPrinter().writeValueAsString(all));
        return file;
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
