package dev.connectors.aws;

import com.fasterxml.jackson.databind.JsonNode;

/** Source of JSON secrets by id: Secrets Manager in AWS, a local file on a developer's machine. */
public interface Secrets {
    /** The secret's JSON, or {@code not_configured} when it does not exist or is not JSON. */
    JsonNode get(String secretId);
}
