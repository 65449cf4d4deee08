package dev.connectors.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import dev.connectors.events.EventPublisher;
import dev.connectors.events.JobEvents;
import dev.connectors.log.Log;
import dev.connectors.metrics.Metrics;
import dev.connectors.sync.JobQueue;
import dev.connectors.tokens.Connection;
import dev.connectors.tokens.ConnectionStatus;
import dev.connectors.tokens.TokenCipher;
import dev.connectors.tokens.TokenStore;

import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Keeps rotated tokens that DynamoDB would not take. When a provider has already spent the old refresh token and
 * the refresher gives up storing the new ones, they go to the sync queue (SQS, the only other durable store) as a
 * {@code token_rescue} message, encrypted with the token cipher (never plaintext), and the sync worker applies
 * them once DynamoDB answers. DynamoDB has no transactions with SQS, so the apply decides on what is stored:
 * <ul>
 *   <li>the row still holds the spent refresh token and is {@code active}: the rescued tokens are written;</li>
 *   <li>it still holds the spent token but is {@code needs_reauth}: a refresh in between used the spent token and
 *   was told invalid_grant; nothing else changed the grant since, so the rescued tokens are written, the row is
 *   active again and the app hears {@code connection.active};</li>
 *   <li>anything else (gone: disconnected; another refresh token: a later refresh, this rescue already applied, or a
 *   reconnect; revoked or unreadable) is left alone.</li>
 * </ul>
 * The write is conditional on the version read, so a refresh, reconnect or disconnect in between is never
 * overwritten; duplicate deliveries and DLQ redrives find the new token already stored and change nothing.
 */
public final class TokenRescue {
    private static final Log LOG = Log.of(TokenRescue.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String TYPE = "token_rescue";
    /** Re-reads when a concurrent writer moved the version between our read and write. */
    static final int APPLY_ATTEMPTS = 3;

    /** What an apply did; only {@link #unreadable} leaves the message on the queue. */
    public enum Outcome { applied, repaired, already_applied, superseded, disconnected, inactive, unreadable }

    private final JobQueue queue;
    private final TokenCipher cipher;
    private final TokenStore store;
    private final Clock clock;
    private final EventPublisher events;

    /**
     * @param queue where rescues go (the sync queue; its consumer applies them); null: nowhere, every hand-over is lost
     * @param events where {@code connection.active} goes when a rescue repairs a needs_reauth connection
     */
    public TokenRescue(JobQueue queue, TokenCipher cipher, TokenStore store, Clock clock, EventPublisher events) {
        this.queue = queue;
        this.cipher = cipher;
        this.store = store;
        this.clock = clock;
        this.events = events == null ? EventPublisher.NONE : events;
    }

    /** No queue (tools, benches, tests of the refresher alone): an unsaved rotated token is logged as lost. */
    public static TokenRescue none() {
        return new TokenRescue(null, null, null, Clock.systemUTC(), EventPublisher.NONE);
    }

    public static boolean isRescue(String body) {
        return body != null && body.contains("\"type\":\"" + TYPE + "\"") && TYPE.equals(parse(body).path("type").asText());
    }

    // ------------------------------------------------------------------ the refresher's side

    /**
     * Hands tokens the refresher could not store to the queue. {@code spent} is the connection as the refresh read it
     * (its refresh token is the one the provider retired); {@code fresh} carries the new tokens. Never throws: when
     * the send fails too the tokens are lost, and that is logged ({@code token_refresh_lost}) and counted.
     */
    public void handOver(Connection spent, Connection fresh) {
        try {
            if (queue == null) throw new ConnectorException(ErrorCode.NOT_CONFIGURED, "no rescue queue");
            queue.sendMessage(seal(spent, fresh), 0);
            LOG.warn("token_rescue_sent", "tenant", spent.tenantId(), "provider", spent.provider());
            Metrics.tokenRescueSent(spent.provider());
        } catch (RuntimeException e) { // never throws: the refresher is already handling a storage failure
            String code = e instanceof ConnectorException ce ? ce.code().code() : ErrorCode.INTERNAL_ERROR.code();
            LOG.error("token_refresh_lost", "tenant", spent.tenantId(), "provider", spent.provider(), "error_code", code);
            Metrics.tokenRefreshLost(spent.provider());
        }
    }

    private String seal(Connection spent, Connection fresh) {
        String id = UUID.randomUUID().toString();
        ObjectNode m = JSON.createObjectNode();
        m.put("type", TYPE); // first: isRescue looks for it before parsing
        m.put("rescue_id", id);
        m.put("tenant", spent.tenantId());
        m.put("provider", spent.provider());
        m.put("key_id", cipher.currentKeyId());
        m.put("spent_ct", encrypt(spent.refreshToken(), spent, id, "spent"));
        m.put("refresh_ct", encrypt(fresh.refreshToken(), spent, id, "refresh"));
        m.put("access_ct", encrypt(fresh.accessToken(), spent, id, "access"));
        if (fresh.expiresAt() != null) m.put("expires_at", fresh.expiresAt().toString());
        fresh.scopes().forEach(m.putArray("scopes")::add);
        m.put("refreshed_at", clock.instant().toString());
        return m.toString();
    }

    private String encrypt(String token, Connection c, String id, String field) {
        return token == null ? null : Base64.getEncoder().encodeToString(cipher.encrypt(token, aad(c.tenantId(), c.provider(), id, field)));
    }

    /** Bound to tenant, provider, this rescue and the field: a ciphertext fits nowhere else (no table row either). */
    private static String aad(String tenant, String provider, String rescueId, String field) {
        return tenant + "|" + provider + "|rescue|" + rescueId + "|" + field;
    }

    // ------------------------------------------------------------------ the worker's side

    /**
     * Applies a rescue message (see the class comment for when).
     * @throws ConnectorException storage_unavailable while DynamoDB still fails: the message must come back later
     */
    public Outcome apply(String body) {
        JsonNode m = parse(body);
        String tenant = m.path("tenant").asText();
        String provider = m.path("provider").asText();
        Log.put("tenant", tenant);
        Log.put("provider", provider);
        Rescued r;
        try {
            r = open(m, tenant, provider);
        } catch (RuntimeException e) {
            // a key that was removed, or a message not written by us: retrying cannot help, the DLQ keeps it
            LOG.error("token_rescue_unreadable", "tenant", tenant, "provider", provider);
            return Outcome.unreadable;
        }
        for (int attempt = 1; ; attempt++) {
            Optional<Connection> stored = store.get(tenant, provider);
            Outcome outcome = decide(stored, r);
            if (outcome != null) {
                LOG.info("token_rescue_discarded", "tenant", tenant, "provider", provider, "reason", outcome.name());
                return outcome;
            }
            Connection c = stored.get();
            try {
                // conditional on the version just read, which holds the spent token: nothing newer is overwritten
                store.save(c.withTokens(r.access(), r.refresh(), r.expiresAt(), r.scopes()));
            } catch (TokenStore.ConcurrentUpdateException e) {
                if (attempt >= APPLY_ATTEMPTS) {
                    throw new ConnectorException(ErrorCode.STORAGE_UNAVAILABLE, "connection kept changing during a token rescue");
                }
                continue;
            }
            boolean repaired = c.status() == ConnectionStatus.needs_reauth;
            LOG.info("token_rescue_applied", "tenant", tenant, "provider", provider, "repaired", repaired);
            Metrics.tokenRescueApplied(provider);
            if (repaired) tellTheApp(c);
            return repaired ? Outcome.repaired : Outcome.applied;
        }
    }

    /** Null when the rescued tokens belong in the stored row; otherwise why not. */
    private static Outcome decide(Optional<Connection> stored, Rescued r) {
        if (stored.isEmpty()) return Outcome.disconnected;
        Connection c = stored.get();
        if (r.refresh().equals(c.refreshToken())) return Outcome.already_applied;
        if (!r.spent().equals(c.refreshToken())) return Outcome.superseded;
        if (c.status() != ConnectionStatus.active && c.status() != ConnectionStatus.needs_reauth) return Outcome.inactive;
        return null;
    }

    private void tellTheApp(Connection c) {
        try {
            events.publish(JobEvents.active(c.tenantId(), c.provider(), c.connectedBy(), null, clock));
        } catch (RuntimeException e) {
            LOG.warn("connection_active_event_failed", "tenant", c.tenantId(), "provider", c.provider());
        }
    }

    private record Rescued(String spent, String refresh, String access, Instant expiresAt, List<String> scopes) {
        @Override
        public String toString() {
            return "Rescued[expiresAt=" + expiresAt + ", scopes=" + scopes + "]"; // never the tokens
        }
    }

    private Rescued open(JsonNode m, String tenant, String provider) {
        String id = m.path("rescue_id").asText();
        String keyId = m.path("key_id").asText();
        List<String> scopes = new ArrayList<>();
        m.path("scopes").forEach(s -> scopes.add(s.asText()));
        String expires = m.path("expires_at").asText(null);
        return new Rescued(decrypt(m, "spent", tenant, provider, id, keyId), decrypt(m, "refresh", tenant, provider, id, keyId),
                m.hasNonNull("access_ct") ? decrypt(m, "access", tenant, provider, id, keyId) : null,
                expires == null ? null : Instant.parse(expires), scopes);
    }

    private String decrypt(JsonNode m, String field, String tenant, String provider, String id, String keyId) {
        String ct = m.path(field + "_ct").asText(null);
        if (ct == null) throw new IllegalArgumentException("rescue lacks " + field);
        return cipher.decrypt(Base64.getDecoder().decode(ct), keyId, aad(tenant, provider, id, field));
    }

    private static JsonNode parse(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            return JSON.missingNode();
        }
    }
}
