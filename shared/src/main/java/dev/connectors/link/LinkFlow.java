package dev.connectors.link;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.http.ProviderRequest;
import dev.connectors.log.Log;
import dev.connectors.oauth.ConnectFlow;
import dev.connectors.oauth.JsonPaths;
import dev.connectors.oauth.OAuthClient;
import dev.connectors.oauth.ProviderAnswers;
import dev.connectors.oauth.ProviderConfig;
import dev.connectors.oauth.TokenResponseReader;
import dev.connectors.oauth.TokenSet;
import dev.connectors.providers.Placeholders;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.runtime.AfterConnect;
import dev.connectors.runtime.Services;
import dev.connectors.state.ExpiredStateException;
import dev.connectors.state.Nonces;
import dev.connectors.state.OAuthSession;
import dev.connectors.state.StatePayload;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A link-token flow ({@link ProviderSpec.Link}), with the same state and session rules as OAuth:
 * {@link #start} creates the provider's link token for the tenant's user and a signed, single-use state
 * backed by a server-side session; {@link #finish} verifies the state, consumes the session once, checks
 * that the caller's tenant is the one that started it, exchanges the public token, stores the access
 * token encrypted and starts the 3-month backfill. Failures are {@link ConnectorException}s with
 * log-only details; no token ever reaches one.
 */
public final class LinkFlow {
    private static final Log LOG = Log.of(LinkFlow.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_PUBLIC_TOKEN = 512;

    /** What the app's page needs to open the provider's widget, and the state to send back with the result. */
    public record Started(String linkToken, String state, Instant expiresAt) {
        @Override
        public String toString() {
            return "Started[expires=" + expiresAt + "]";
        }
    }

    /** The stored connection and the backfill it started (null when the job could not be created yet). */
    public record Result(Connection connection, String jobId) {
    }

    private final Services services;
    private final ProviderSpec spec;

    public LinkFlow(Services services, ProviderSpec spec) {
        if (spec.link() == null) throw new IllegalArgumentException("provider " + spec.id() + " has no link settings");
        this.services = services;
        this.spec = spec;
    }

    public Started start(String tenantId, String userId) {
        ProviderConfig config = services.providerConfig(spec.id()).withDefaults(spec);
        ProviderSpec.Link link = spec.link();
        ObjectNode body = link.createBody() == null ? JSON.createObjectNode() : (ObjectNode) filled(link.createBody(), config);
        body.put(link.clientIdField(), config.clientId());
        body.put(link.clientSecretField(), config.clientSecret());
        set(body, link.userIdField(), opaqueUserId(tenantId, userId));
        if (link.scopesField() != null) {
            ArrayNode scopes = JSON.createArrayNode();
            OAuthClient.scopes(spec, config).forEach(scopes::add);
            set(body, link.scopesField(), scopes);
        }
        JsonNode created = call(link.createUrl(), config, body, "link token create");
        String linkToken = JsonPaths.text(created, link.linkTokenPath());
        if (linkToken == null || linkToken.isBlank()) {
            throw new ConnectorException(ErrorCode.PROVIDER_ERROR, "link token create: no " + link.linkTokenPath() + " in the answer");
        }
        Instant expires = services.clock().instant().plus(ConnectFlow.LIFETIME);
        String nonce = Nonces.newNonce();
        String state = services.stateCodec().encode(nonce, spec.id(), expires);
        services.sessions().put(new OAuthSession(nonce, spec.id(), tenantId, userId, null, null, Map.of(), expires));
        LOG.info("link_started");
        return new Started(linkToken, state, expires);
    }

    /** @param tenantId the tenant of the caller's JWT: it must be the one that started the flow */
    public Result finish(String tenantId, String publicToken, String state) {
        // checked before the state is spent: a broken request from the page does not burn the user's attempt
        if (publicToken == null || publicToken.isBlank() || publicToken.length() > MAX_PUBLIC_TOKEN
                || !publicToken.chars().allMatch(c -> c > 0x20 && c < 0x7F)) {
            throw new ConnectorException(ErrorCode.INVALID_REQUEST, "public token missing or malformed");
        }
        StatePayload payload;
        try {
            payload = services.stateCodec().decode(state, spec.id());
        } catch (ExpiredStateException e) {
            services.sessions().consume(e.payload().nonce()); // authentic but late: never usable again
            throw e;
        }
        OAuthSession session = services.sessions().consume(payload.nonce())
                .orElseThrow(() -> new ConnectorException(ErrorCode.STATE_REUSED, "no session for this state (used or unknown)"));
        if (!spec.id().equals(session.provider())) {
            throw new ConnectorException(ErrorCode.INVALID_STATE, "session belongs to another provider");
        }
        if (!session.tenantId().equals(tenantId)) {
            // consumed anyway: a state seen by another tenant is burnt
            throw new ConnectorException(ErrorCode.INVALID_STATE, "session was started by another tenant");
        }
        if (session.expiresAt().isBefore(services.clock().instant())) {
            throw new ConnectorException(ErrorCode.STATE_EXPIRED, "session expired");
        }
        ProviderConfig config = services.providerConfig(spec.id()).withDefaults(spec);
        ProviderSpec.Link link = spec.link();
        ObjectNode body = JSON.createObjectNode();
        body.put(link.clientIdField(), config.clientId());
        body.put(link.clientSecretField(), config.clientSecret());
        body.put(link.publicTokenField(), publicToken);
        TokenSet tokens = new TokenResponseReader(services.clock())
                .read(call(link.exchangeUrl(), config, body, "public token exchange"), spec.tokenResponse(), null);
        List<String> scopes = tokens.scopes().isEmpty() ? OAuthClient.scopes(spec, config) : tokens.scopes();
        AfterConnect.Stored stored = AfterConnect.store(services, new Connection(session.tenantId(), spec.id(), ConnectionStatus.active,
                tokens.accessToken(), tokens.refreshToken(), tokens.tokenType(), scopes, tokens.expiresAt(), tokens.metadata(),
                session.userId(), null, null, 0));
        Connection saved = stored.connection();
        String jobId = stored.jobId();
        LOG.info("connected", "version", saved.version(), "scopes", String.join(" ", saved.scopes()),
                "expires", saved.expiresAt() == null ? "never" : saved.expiresAt().toString(), "job_id", jobId);
        return new Result(saved, jobId);
    }

    /**
     * A stable id for the provider's per-user field that names neither tenant nor user (providers ask for
     * no personal data there): SHA-256 over the length-prefixed pair, 32 hex characters.
     */
    public static String opaqueUserId(String tenantId, String userId) {
        String t = tenantId == null ? "" : tenantId;
        String u = userId == null ? "" : userId;
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(("connectors-link-user\n" + t.length() + ":" + t + "\n"
                    + u.length() + ":" + u).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode call(String urlTemplate, ProviderConfig config, ObjectNode body, String what) {
        URI url;
        try {
            url = URI.create(Placeholders.fill(urlTemplate, config.values()));
        } catch (IllegalArgumentException e) {
            throw new ConnectorException(ErrorCode.NOT_CONFIGURED, what + ": " + e.getMessage());
        }
        ProviderRequest request = ProviderRequest.postJson(url, body.toString());
        for (Map.Entry<String, String> h : spec.apiHeaders().entrySet()) request = request.header(h.getKey(), h.getValue());
        ProviderSpec.TokenResponseMapping m = spec.tokenResponse();
        return ProviderAnswers.requireJson(services.http().send(request), what, m.successFlag(), m.error(), m.errorCodes());
    }

    /** A copy with placeholders in string values filled from configuration (a missing value is not_configured). */
    private static JsonNode filled(JsonNode node, ProviderConfig config) {
        if (node.isTextual()) {
            try {
                return TextNode.valueOf(Placeholders.fill(node.asText(), config.values()));
            } catch (IllegalArgumentException e) {
                throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "link body: " + e.getMessage());
            }
        }
        if (node.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                out.set(e.getKey(), filled(e.getValue(), config));
            }
            return out;
        }
        if (node.isArray()) {
            ArrayNode out = JSON.createArrayNode();
            node.forEach(v -> out.add(filled(v, config)));
            return out;
        }
        return node.deepCopy();
    }

    /** Sets a dot path, creating objects on the way ({@code user.client_user_id}). */
    private static void set(ObjectNode root, String path, Object value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode next = node.get(parts[i]);
            node = next instanceof ObjectNode o ? o : node.putObject(parts[i]);
        }
        if (value instanceof JsonNode j) node.set(parts[parts.length - 1], j);
        else node.put(parts[parts.length - 1], String.valueOf(value));
    }
}
