package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;

/** Dot-separated paths into JSON ({@code authed_user.id}, {@code 0.tenantId} for arrays); an empty path is the node itself. */
public final class JsonPaths {
    private JsonPaths() {
    }

    public static JsonNode at(JsonNode root, String path) {
        if (root == null) return null;
        if (path == null || path.isEmpty()) return root;
        JsonNode node = root;
        for (String part : path.split("\\.")) {
            if (node.isObject()) {
                node = node.get(part);
            } else if (node.isArray() && part.matches("\\d{1,4}")) {
                node = node.get(Integer.parseInt(part));
            } else {
                node = null;
            }
            if (node == null || node.isNull() || node.isMissingNode()) return null;
        }
        return node;
    }

    /** A scalar as text; objects, arrays and missing values give null. */
    public static String text(JsonNode root, String path) {
        JsonNode n = at(root, path);
        return n != null && n.isValueNode() ? n.asText() : null;
    }
}
