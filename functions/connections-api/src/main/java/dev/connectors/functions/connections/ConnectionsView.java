package dev.connectors.functions.connections;

import dev.connectors.providers.ProviderRegistry;
import dev.connectors.sync.JobStore;
import dev.connectors.tokens.ConnectionSummary;
import dev.connectors.tokens.TokenStore;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** GET /connections: the tenant's connections with their last sync. Built from summaries, so no token is ever at hand. */
final class ConnectionsView {
    private static final Map<String, String> DISPLAY_NAMES = new ConcurrentHashMap<>();

    private ConnectionsView() {
    }

    static Map<String, Object> list(String tenant, TokenStore connections, JobStore jobs) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (ConnectionSummary c : connections.list(tenant)) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("provider", c.provider());
            item.put("displayName", displayName(c.provider()));
            item.put("status", c.status().name());
            item.put("scopes", c.scopes());
            item.put("expiresAt", JobView.iso(c.expiresAt()));
            item.put("connectedBy", c.connectedBy());
            item.put("createdAt", JobView.iso(c.createdAt()));
            item.put("updatedAt", JobView.iso(c.updatedAt()));
            item.put("metadata", c.metadata());
            item.put("lastSync", jobs.latestFor(tenant, c.provider()).map(JobView::progress).orElse(null));
            out.add(item);
        }
        return Map.of("connections", out);
    }

    /** The registry's name; a connection of a provider no longer registered still lists, under its id. */
    static String displayName(String provider) {
        if (provider == null) return null;
        return DISPLAY_NAMES.computeIfAbsent(provider, id -> {
            try {
                return ProviderRegistry.load(id).displayName();
            } catch (RuntimeException e) {
                return id;
            }
        });
    }
}
