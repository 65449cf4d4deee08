package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * A provider's client credentials and settings from its secret. Other string fields (authorize_url,
 * api_base_url, ...) fill the registry's placeholders. {@code toString} never shows the secret.
 */
public record ProviderConfig(String clientId, String clientSecret, Map<String, String> values) {

    public static ProviderConfig fromJson(JsonNode secret) {
        String id = JsonPaths.text(secret, "client_id");
        String key = JsonPaths.text(secret, "client_secret");
        if (id == null || id.isBlank() || key == null || key.isBlank()) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "provider secret lacks client_id or client_secret");
        }
        Map<String, String> values = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = secret.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getValue().isValueNode() && !e.getKey().equals("client_secret")) {
                values.put(e.getKey(), e.getValue().asText());
            }
        }
        return new ProviderConfig(id, key, Map.copyOf(values));
    }

    /** This config with the spec's defaults underneath: the secret, then inputs/metadata, then defaults win. */
    public ProviderConfig withDefaults(dev.connectors.providers.ProviderSpec spec) {
        return withValues(spec.defaults());
    }

    /** Adds per-connection values (inputs, metadata) for placeholders; configured values win on a clash. */
    public ProviderConfig withValues(Map<String, String> extra) {
        if (extra.isEmpty()) return this;
        Map<String, String> merged = new HashMap<>(extra);
        merged.putAll(values);
        return new ProviderConfig(clientId, clientSecret, Map.copyOf(merged));
    }

    @Override
    public String toString() {
        return "ProviderConfig[clientId=" + clientId + ", settings=" + values.keySet() + "]";
    }
}
