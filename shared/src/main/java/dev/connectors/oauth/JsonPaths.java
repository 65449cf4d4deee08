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

    /**
     * A scalar as text; objects, arrays and missing values give null. One {@code *} segment over an
     * array ({@code *.tenantId}) gives every element's value, comma-joined in order (null when none has one).
     */
    public static String text(JsonNode root, String path) {
        int star = path == null ? -1 : ("." + path + ".").indexOf(".*.");
        if (star >= 0) {
            JsonNode array = at(root, star == 0 ? "" : path.substring(0, star - 1));
            String rest = path.length() <= star + 2 ? "" : path.substring(star + 2);
            if (array == null || !array.isArray()) return null;
            java.util.StringJoiner all = new java.util.StringJoiner(",");
            for (JsonNode element : array) {
                String v = text(element, rest);
                if (v != null) all.add(v);
            }
            return all.length() == 0 ? null : all.toString();
        }
        JsonNode n = at(root, path);
        return n != null && n.isValueNode() ? n.asText() : null;
    }
}
