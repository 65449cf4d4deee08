package dev.connectors.functions.oauth;

import java.util.Map;

/**
 * Token endpoint answers in each provider's documented shape (values are fakes), the token path
 * after {@code Harness.rebased}, and what a correct connection must hold afterwards.
 */
record ProviderFixtures(String provider, String functionId, String tokenPath, int invalidClientStatus,
                        String invalidClientBody, String successBody, String accessToken, Map<String, String> metadata,
                        boolean expires) {

    static ProviderFixtures of(String provider) {
        return switch (provider) {
            case "slack" -> new ProviderFixtures("slack", "SlackFunction", "/slack/api/oauth.v2.access",
                    200, "{\"ok\":false,\"error\":\"invalid_client_id\"}",
                    "{\"ok\":true,\"access_token\":\"xoxb-fake-bot-token-for-tests\",\"token_type\":\"bot\","
                            + "\"scope\":\"channels:history,channels:read,groups:history,groups:read,users:read\","
                            + "\"bot_user_id\":\"U0KRQLJ9H\",\"app_id\":\"A0KRD7HC3\",\"team\":{\"name\":\"Softball Team\",\"id\":\"T9TK3CUKW\"},"
                            + "\"enterprise\":null,\"authed_user\":{\"id\":\"U1234\",\"scope\":\"chat:write\","
                            + "\"access_token\":\"xoxp-fake-user-token\",\"token_type\":\"user\"}}",
                    "xoxb-fake-bot-token-for-tests",
                    Map.of("team_id", "T9TK3CUKW", "team_name", "Softball Team", "bot_user_id", "U0KRQLJ9H",
                            "authed_user_id", "U1234", "app_id", "A0KRD7HC3"), false);
            case "gitlab" -> new ProviderFixtures("gitlab", "GitlabFunction", "/gitlab/oauth/token",
                    401, "{\"error\":\"invalid_client\",\"error_description\":\"Client authentication failed due to unknown client.\"}",
                    "{\"access_token\":\"glpat-fake-access-0001\",\"token_type\":\"Bearer\",\"expires_in\":7200,"
                            + "\"refresh_token\":\"glrt-fake-refresh-0001\",\"scope\":\"read_api read_user\",\"created_at\":1607635748}",
                    "glpat-fake-access-0001", Map.of("created_at", "1607635748", "gitlab_user_id", "42", "username", "ada"), true);
            case "notion" -> new ProviderFixtures("notion", "NotionFunction", "/notion/v1/oauth/token",
                    401, "{\"object\":\"error\",\"status\":401,\"code\":\"unauthorized\",\"error\":\"invalid_client\"}",
                    "{\"access_token\":\"ntn_fake_access_0001\",\"token_type\":\"bearer\",\"bot_id\":\"b-1\","
                            + "\"workspace_name\":\"Acme\",\"workspace_icon\":null,\"workspace_id\":\"w-1\","
                            + "\"owner\":{\"type\":\"user\",\"user\":{\"object\":\"user\",\"id\":\"u-1\"}},"
                            + "\"duplicated_template_id\":null,\"request_id\":\"r-1\"}",
                    "ntn_fake_access_0001", Map.of("workspace_id", "w-1", "workspace_name", "Acme", "bot_id", "b-1",
                            "owner_user_id", "u-1"), false);
            case "generic" -> new ProviderFixtures("generic", "GenericFunction", "/generic/token",
                    401, "{\"error\":\"invalid_client\"}",
                    "{\"access_token\":\"generic-fake-access\",\"token_type\":\"Bearer\",\"expires_in\":3600,"
                            + "\"refresh_token\":\"generic-fake-refresh\",\"scope\":\"openid\"}",
                    "generic-fake-access", Map.of(), true);
            default -> throw new IllegalArgumentException(provider);
        };
    }
}
