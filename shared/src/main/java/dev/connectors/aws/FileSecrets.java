package dev.connectors.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Local alternative to Secrets Manager: one JSON file {@code {"<secret id>": {...}}}, re-read on each miss. */
public final class FileSecrets implements Secrets {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    public FileSecrets(Path file) {
        this.file = file;
    }

    @Override
    public JsonNode get(String secretId) {
        JsonNode all;
        try {
            all = JSON.readTree(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "secrets file unreadable: " + e.getClass().getSimpleName());
        }
        JsonNode secret = all == null ? null : all.get(secretId);
        if (secret == null || !secret.isObject()) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "secret " + secretId + " is not in the secrets file");
        }
        return secret;
    }
}
