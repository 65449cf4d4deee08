package dev.connectors.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.config.Settings;
import dev.connectors.testing.StandIns;
import dev.connectors.testing.TestResources;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;

/** Local configuration: writes .local-data/secrets.json (git-ignored): fresh keys and sandbox client credentials, the local Secrets Manager. */
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

    /** A function's environment from template.yaml, pointed at the stand-ins and the local secrets file. */
    static Map<String, String> environment(TestResources resources, String function, Path secrets) {
        Map<String, String> env = new HashMap<>(resources.environment(function));
        env.put(Settings.AWS_ENDPOINT_URL_DYNAMODB, StandIns.dynamoEndpoint().toString());
        env.put(Settings.AWS_ENDPOINT_URL_SQS, StandIns.sqsEndpoint().toString());
        env.put(Settings.SECRETS_FILE, secrets.toString());
        env.put(Settings.APP_SECRET_ID, APP);
        env.put(Settings.PROVIDER_SECRET_ID, GENERIC);
        env.put(Settings.PUBLIC_BASE_URL, "http://localhost:8080");
        env.put(Settings.RETURN_TO_ALLOWLIST, "http://localhost:3000");
        return env;
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
