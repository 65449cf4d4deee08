package dev.connectors.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.secretsmanager.model.ResourceNotFoundException;

import java.io.IOException;

/** Reads JSON secrets from AWS Secrets Manager. Values never reach a log or an exception message. */
public final class SecretsManagerSecrets implements Secrets {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final SecretsManagerClient client;

    public SecretsManagerSecrets(SecretsManagerClient client) {
        this.client = client;
    }

    @Override
    public JsonNode get(String secretId) {
        String value;
        try {
            value = client.getSecretValue(r -> r.secretId(secretId)).secretString();
        } catch (ResourceNotFoundException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "secret " + secretId + " does not exist");
        } catch (SdkException e) {
            throw new ConnectorException(ErrorCode.STORAGE_UNAVAILABLE,
                    "secret " + secretId + " unavailable: " + e.getClass().getSimpleName());
        }
        return parse(secretId, value);
    }

    static JsonNode parse(String secretId, String value) {
        try {
            JsonNode node = value == null ? null : JSON.readTree(value);
            if (node == null || !node.isObject()) {
                throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "secret " + secretId + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "secret " + secretId + " is not valid JSON");
        }
    }
}
