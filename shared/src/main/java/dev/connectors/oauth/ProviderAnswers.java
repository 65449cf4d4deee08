package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.BodyKind;
import dev.connectors.http.ProviderResponse;

import java.util.Map;

/**
 * Decides whether a provider's answer is usable JSON, and if not, which stable error it is.
 * HTML is detected before anything reads JSON; the detail (status, page title, provider error) is for logs.
 */
public final class ProviderAnswers {
    private ProviderAnswers() {
    }

    /**
     * @param successFlag  optional boolean field that must be true (Slack's {@code ok})
     * @param errorField   field naming the provider's error, if any
     * @param errorCodes   provider error strings → our codes
     */
    public static JsonNode requireJson(ProviderResponse r, String what, String successFlag, String errorField,
                                       Map<String, String> errorCodes) {
        int status = r.status();
        if (r.body().kind() == BodyKind.HTML) {
            throw new ConnectorException(ErrorCode.PROVIDER_HTML_ERROR, what + ": HTTP " + status
                    + " HTML page, title: " + r.body().htmlTitle());
        }
        if (status == 429) {
            throw new ConnectorException(ErrorCode.RATE_LIMITED, what + ": HTTP 429");
        }
        if (!r.isJson()) {
            ErrorCode code = status >= 500 ? ErrorCode.PROVIDER_UNAVAILABLE : ErrorCode.PROVIDER_ERROR;
            throw new ConnectorException(code, what + ": HTTP " + status + " " + r.body().kind() + " body: " + r.body().snippet());
        }
        JsonNode json = r.json();
        String error = errorField == null ? null : errorText(JsonPaths.at(json, errorField));
        JsonNode flag = successFlag == null ? null : JsonPaths.at(json, successFlag);
        boolean flagFailed = successFlag != null && (flag == null || !flag.asBoolean(false));
        if (status >= 500) {
            throw new ConnectorException(ErrorCode.PROVIDER_UNAVAILABLE, what + ": HTTP " + status + " " + describe(json, error));
        }
        if (status >= 400 || error != null || flagFailed) {
            throw new ConnectorException(classify(status, error, errorCodes), what + ": HTTP " + status + " " + describe(json, error));
        }
        return json;
    }

    /**
     * For providers that answer with form-encoded pairs ({@code a=1&b=2}, OAuth 1.0a token endpoints):
     * the same HTML / 429 / 5xx handling as {@link #requireJson}, then the pairs. An error body is plain text
     * ({@code invalid key}); {@code errorCodes} maps such texts (lower-case, trimmed) to our codes, else
     * 401 is {@code invalid_client}.
     */
    public static Map<String, String> requireForm(ProviderResponse r, String what, Map<String, String> errorCodes) {
        int status = r.status();
        if (r.body().kind() == BodyKind.HTML) {
            throw new ConnectorException(ErrorCode.PROVIDER_HTML_ERROR, what + ": HTTP " + status
                    + " HTML page, title: " + r.body().htmlTitle());
        }
        if (status == 429) {
            throw new ConnectorException(ErrorCode.RATE_LIMITED, what + ": HTTP 429");
        }
        if (status >= 500) {
            throw new ConnectorException(ErrorCode.PROVIDER_UNAVAILABLE, what + ": HTTP " + status + " " + r.body().kind()
                    + " body: " + r.body().snippet());
        }
        String text = r.body().text();
        if (status >= 400) {
            String error = text == null ? null : text.strip().toLowerCase(java.util.Locale.ROOT);
            throw new ConnectorException(classify(status, error, errorCodes), what + ": HTTP " + status + " "
                    + r.body().kind() + " body: " + r.body().snippet());
        }
        if (r.body().kind() != BodyKind.TEXT || text == null) {
            throw new ConnectorException(ErrorCode.PROVIDER_ERROR, what + ": HTTP " + status + " " + r.body().kind()
                    + " body where form pairs were expected: " + r.body().snippet());
        }
        Map<String, String> pairs = new java.util.LinkedHashMap<>();
        for (String pair : text.strip().split("&")) {
            if (pair.isEmpty()) continue;
            int eq = pair.indexOf('=');
            try {
                String name = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
                if (pairs.putIfAbsent(name, value) != null) {
                    throw new ConnectorException(ErrorCode.PROVIDER_ERROR, what + ": form answer repeats " + safeName(name));
                }
            } catch (IllegalArgumentException e) {
                throw new ConnectorException(ErrorCode.PROVIDER_ERROR, what + ": form answer with a broken %-escape");
            }
        }
        return pairs;
    }

    /** A name from a provider's form answer, cut for a log line. */
    private static String safeName(String s) {
        String clean = s.replaceAll("[^A-Za-z0-9_.-]", "?");
        return clean.length() > 40 ? clean.substring(0, 40) : clean;
    }

    private static ErrorCode classify(int status, String error, Map<String, String> errorCodes) {
        String mapped = error == null ? null : errorCodes.getOrDefault(error, error);
        if (mapped != null) {
            switch (mapped) {
                case "invalid_grant": return ErrorCode.INVALID_GRANT;
                case "invalid_client":
                case "unauthorized_client": return ErrorCode.INVALID_CLIENT;
                case "access_denied": return ErrorCode.ACCESS_DENIED;
                case "rate_limited":
                case "slow_down": return ErrorCode.RATE_LIMITED;
                case "temporarily_unavailable": return ErrorCode.PROVIDER_UNAVAILABLE;
                default: break;
            }
        }
        if (status == 401) return ErrorCode.INVALID_CLIENT;
        return ErrorCode.PROVIDER_ERROR;
    }

    /** Errors are usually strings; some providers send an object ({@code {"message": ...}}). */
    private static String errorText(JsonNode node) {
        if (node == null || node.isNull()) return null;
        if (node.isTextual()) return node.asText().isBlank() ? null : node.asText();
        if (node.isBoolean()) return node.asBoolean() ? "error" : null;
        JsonNode code = node.get("code");
        return code != null && code.isValueNode() ? code.asText() : "error";
    }

    private static String describe(JsonNode json, String error) {
        String description = JsonPaths.text(json, "error_description");
        return "error=" + error + (description == null ? "" : " description=" + truncate(description));
    }

    private static String truncate(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }
}
