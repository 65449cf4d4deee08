package dev.connectors.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * The local Secrets Manager: {@code <data dir>/secrets.json}, read by the functions through
 * {@code SECRETS_FILE}. It holds the app keys (generated once and kept, so tokens stored before a
 * restart still decrypt), the sandbox as the generic provider, and whatever provider credentials the
 * user put in their own secrets file. Nothing here is ever printed.
 */
final class LocalSecrets {
    static final String FILE = "secrets.json";
    private static final ObjectMapper JSON = new ObjectMapper();

    private LocalSecrets() {
    }

    /**
     * @param appSecretId     the app secret's id (APP_SECRET_ID), kept across restarts
     * @param sandboxSecretId the generic provider's secret id: always the sandbox locally
     * @param userSecrets     the user's file ({@code {"connectors/slack": {"client_id":…,"client_secret":…}}}); may not exist
     */
    static Path write(Path dataDir, String appSecretId, String sandboxSecretId, Map<String, String> sandbox, Path userSecrets) {
        Path file = dataDir.resolve(FILE);
        ObjectNode all = JSON.createObjectNode();
        readUser(userSecrets).fields().forEachRemaining(e -> all.set(e.getKey(), e.getValue()));
        JsonNode previous = read(file);
        JsonNode keptApp = previous.get(appSecretId);
        if (!all.has(appSecretId)) all.set(appSecretId, keptApp != null && keptApp.isObject() ? keptApp : freshAppKeys());
        JsonNode keptSandbox = previous.path(sandboxSecretId);
        ObjectNode generic = JSON.valueToTree(sandbox);
        generic.put("client_secret", keptSandbox.path("client_secret").asText(random(24)));
        all.set(sandboxSecretId, generic);
        try {
            Files.createDirectories(dataDir);
            Files.writeString(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(all));
            ownerOnly(file);
        } catch (IOException e) {
            throw new StartupException("Cannot write " + file + ": " + e.getMessage(), e);
        }
        return file;
    }

    /** The user's secrets file; missing is fine (only the sandbox then), unreadable is a clear error naming the file. */
    static JsonNode readUser(Path userSecrets) {
        if (userSecrets == null || !Files.exists(userSecrets)) return JSON.createObjectNode();
        try {
            JsonNode node = JSON.readTree(userSecrets.toFile());
            if (node == null || !node.isObject()) throw new IOException("not a JSON object");
            return node;
        } catch (IOException e) {
            // the message names the file, never its contents
            throw new StartupException(userSecrets + " is not valid JSON of the form {\"connectors/slack\": {\"client_id\": \"…\", "
                    + "\"client_secret\": \"…\"}}: fix or remove it.", e);
        }
    }

    /** Whether a secret has client credentials (without saying what they are). */
    static boolean hasClientCredentials(Path secretsFile, String secretId) {
        JsonNode s = read(secretsFile).path(secretId);
        return !s.path("client_id").asText("").isBlank() && !s.path("client_secret").asText("").isBlank();
    }

    static ObjectNode freshAppKeys() {
        ObjectNode app = JSON.createObjectNode();
        app.putObject("state_keys").put("s1", random(32));
        app.put("state_key_current", "s1");
        app.putObject("token_keys").put("t1", random(32));
        app.put("token_key_current", "t1");
        return app;
    }

    static void ownerOnly(Path file) {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException | IOException e) {
            // not a POSIX file system: the data folder is git-ignored and local anyway
        }
    }

    private static JsonNode read(Path file) {
        try {
            return Files.exists(file) ? JSON.readTree(file.toFile()) : JSON.createObjectNode();
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String random(int bytes) {
        byte[] b = new byte[bytes];
        new SecureRandom().nextBytes(b);
        return Base64.getEncoder().encodeToString(b);
    }
}
