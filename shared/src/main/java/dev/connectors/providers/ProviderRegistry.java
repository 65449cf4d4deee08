package dev.connectors.providers;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Providers as data: {@code providers/<id>.json} on the classpath, listed in {@code providers/index.txt}.
 * A function loads only its own provider at init; tests load and validate them all, so a bad entry
 * fails the build rather than a user's callback.
 */
public final class ProviderRegistry {
    private static final ObjectMapper JSON = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9_]{1,30}");
    /** Configuration keys a per-connection input may never shadow. */
    private static final Set<String> RESERVED = Set.of("client_id", "client_secret", "authorize_url", "token_url",
            "api_base_url", "scopes");

    private ProviderRegistry() {
    }

    public static List<String> allIds() {
        try (InputStream in = resource("providers/index.txt")) {
            List<String> ids = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                String id = line.strip();
                if (!id.isEmpty() && !id.startsWith("#")) {
                    ids.add(id);
                }
            }
            return List.copyOf(ids);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #load} remembered per id: functions serving many providers parse each entry once. */
    public static java.util.function.Function<String, ProviderSpec> cachedLoader() {
        java.util.Map<String, ProviderSpec> cache = new java.util.concurrent.ConcurrentHashMap<>();
        return id -> cache.computeIfAbsent(id, ProviderRegistry::load);
    }

    /** Loads and validates one provider; an unknown id is {@code unknown_provider}. */
    public static ProviderSpec load(String id) {
        if (id == null || !ID.matcher(id).matches() || !allIds().contains(id)) {
            throw new ConnectorException(ErrorCode.UNKNOWN_PROVIDER, "unknown provider");
        }
        try (InputStream in = resource("providers/" + id + ".json")) {
            ProviderSpec spec = JSON.readValue(in, ProviderSpec.class);
            List<String> problems = problems(id, spec);
            if (!problems.isEmpty()) {
                throw new IllegalStateException("provider " + id + " is invalid: " + problems);
            }
            return spec;
        } catch (IOException e) {
            throw new IllegalStateException("provider " + id + " cannot be read: " + e.getMessage(), e);
        }
    }

    /** Every rule an entry must satisfy; empty when the entry is good. */
    public static List<String> problems(String fileId, ProviderSpec s) {
        List<String> p = new ArrayList<>();
        if (!fileId.equals(s.id())) p.add("id must equal the file name");
        if (blank(s.displayName())) p.add("displayName is required");
        String authType = s.authTypeOrDefault();
        boolean oauth = !authType.equals(ProviderSpec.API_KEY) && !authType.equals(ProviderSpec.LINK_TOKEN);
        // oauth1 (RFC 5849) runs in the OAuth function too, with authorize + callback routes
        if (!Set.of(ProviderSpec.OAUTH2, ProviderSpec.OAUTH1, ProviderSpec.API_KEY, ProviderSpec.LINK_TOKEN).contains(authType)) {
            p.add("authType must be oauth2, oauth1, api_key or link_token");
        }
        checkUrl(p, "authorizeUrl", s.authorizeUrl(), oauth);
        checkUrl(p, "tokenUrl", s.tokenUrl(), oauth);
        if (!oauth) flowProblems(p, s, authType);
        else if (s.validation() != null || s.link() != null) p.add("validation and link are for api_key and link_token providers");
        checkUrl(p, "requestTokenUrl", s.requestTokenUrl(), ProviderSpec.OAUTH1.equals(authType));
        if (s.requestTokenUrl() != null && !ProviderSpec.OAUTH1.equals(authType)) p.add("requestTokenUrl is for oauth1 only");
        if (ProviderSpec.OAUTH1.equals(authType) && (s.pkce() || !s.tokenParams().isEmpty() || s.quirk() != null)) {
            p.add("oauth1: pkce, tokenParams and quirk do not apply");
        }
        if (s.revoke() != null) revokeProblems(p, s.revoke());
        checkUrl(p, "refreshUrl", s.refreshUrl(), false);
        checkUrl(p, "apiBaseUrl", s.apiBaseUrl(), false);
        if (!Set.of(" ", ",").contains(s.scopeSeparator())) p.add("scopeSeparator must be a space or a comma");
        for (String scope : s.scopes()) {
            if (blank(scope) || scope.contains(s.scopeSeparator())) p.add("bad scope '" + scope + "'");
        }
        if (s.authorizeParams().keySet().stream().anyMatch(Set.of("state", "redirect_uri", "client_id",
                "code_challenge", "code_challenge_method")::contains)) {
            p.add("authorizeParams may not set state, redirect_uri, client_id or PKCE parameters");
        }
        if (s.postConnect() != null) {
            checkUrl(p, "postConnect.url", s.postConnect().url(), true);
            if (!s.postConnect().authScheme().matches("[A-Za-z][A-Za-z0-9-]{0,30}")) p.add("postConnect.authScheme must be one word");
        }
        if (s.quirk() != null && !ProviderQuirks.exists(s.quirk())) p.add("quirk '" + s.quirk() + "' is not a known quirk");
        if (!s.secretName().matches("[a-z][a-z0-9_-]{1,40}")) p.add("secretName must be a short lower-case name");
        for (String key : s.defaults().keySet()) {
            if (RESERVED.contains(key)) p.add("defaults may not set " + key);
        }
        for (ProviderSpec.Input input : s.inputs()) {
            String where = "inputs." + input.name();
            if (input.name() == null || !input.name().matches("[a-z_]{1,30}") || RESERVED.contains(input.name())) {
                p.add(where + ": name must be lower_case and not a configuration key");
            }
            if (input.from() == null || blank(input.param())) p.add(where + ": from and param are required");
            if (blank(input.pattern()) || input.pattern().contains(".*") || input.pattern().contains(".+")) {
                p.add(where + ": pattern is required and must not accept anything");
            } else {
                try {
                    if (input.example() == null || !Pattern.compile(input.pattern()).matcher(input.example()).matches()) {
                        p.add(where + ": example is required and must match the pattern");
                    }
                } catch (java.util.regex.PatternSyntaxException e) {
                    p.add(where + ": pattern does not compile");
                }
            }
        }
        if (s.backfill() != null) {
            if (blank(s.apiBaseUrl())) p.add("backfill needs apiBaseUrl");
            Set<String> models = new HashSet<>();
            for (BackfillSpec.Resource r : s.backfill().resources()) {
                String where = "backfill." + r.model();
                if (blank(r.model())) p.add("backfill resource without model");
                if (blank(r.path()) || !r.path().startsWith("/")) p.add(where + ".path must start with /");
                if (blank(r.id())) p.add(where + ".id is required");
                if (!Set.of("GET", "POST").contains(r.method())) p.add(where + ".method must be GET or POST");
                if (r.parent() != null && !models.contains(r.parent())) p.add(where + ".parent must name an earlier model");
                BackfillSpec.Paginator pg = r.paginator();
                if (pg.type() == null) p.add(where + ".paginator.type is required");
                else if ((pg.type() == BackfillSpec.Paginator.Type.cursor || pg.type() == BackfillSpec.Paginator.Type.next_url)
                        && blank(pg.cursorPath())) p.add(where + ".paginator.cursorPath is required");
                if ((pg.type() == BackfillSpec.Paginator.Type.cursor || pg.type() == BackfillSpec.Paginator.Type.page
                        || pg.type() == BackfillSpec.Paginator.Type.last_id)
                        && blank(pg.param())) p.add(where + ".paginator.param is required");
                if (s.backfill().auth().startsWith("body_field:") && !"POST".equals(r.method())) {
                    p.add(where + ": auth body_field needs method POST");
                }
                if (r.stopBeforeWindow() && blank(r.updatedAt())) p.add(where + ".stopBeforeWindow needs updatedAt");
                if (r.filterToWindow() && blank(r.updatedAt())) p.add(where + ".filterToWindow needs updatedAt");
                if (pg.continuePath() != null && !pg.continuePath().startsWith("/")) p.add(where + ".paginator.continuePath must start with /");
                if (pg.continueBody() != null && !"POST".equals(r.method())) p.add(where + ".paginator.continueBody needs method POST");
                if (!r.skipParentStatuses().isEmpty() && r.parent() == null) p.add(where + ".skipParentStatuses needs a parent");
                for (Integer status : r.skipParentStatuses()) {
                    // 401 is a grant to refresh or re-authorize, 429 a rate limit: neither may drop a parent's history
                    if (status == null || status < 400 || status > 499 || status == 401 || status == 429) {
                        p.add(where + ".skipParentStatuses must be 4xx statuses other than 401 and 429: " + status);
                    }
                }
                models.add(r.model());
            }
            BackfillSpec.RateLimitErrors limits = s.backfill().rateLimitErrors();
            if (limits != null && (blank(limits.field()) || limits.values().isEmpty() || limits.values().stream().anyMatch(ProviderRegistry::blank))) {
                p.add("backfill.rateLimitErrors needs a field and non-blank values");
            }
            if (s.backfill().resources().isEmpty() && blank(s.backfill().outcome())) {
                p.add("backfill needs resources or an explicit outcome");
            }
        }
        return p;
    }

    /** Rules for the flows that are not OAuth: what they need, and the OAuth fields that would mean nothing. */
    private static void flowProblems(List<String> p, ProviderSpec s, String authType) {
        if (s.authorizeUrl() != null || s.tokenUrl() != null || s.pkce() || !s.authorizeParams().isEmpty()
                || s.postConnect() != null || !s.inputs().isEmpty()) {
            p.add(authType + ": authorizeUrl, tokenUrl, pkce, authorizeParams, postConnect and inputs do not apply");
        }
        if (authType.equals(ProviderSpec.API_KEY)) {
            ProviderSpec.KeyValidation v = s.validation();
            if (v == null) {
                p.add("api_key needs validation {url, authScheme, successStatus}");
                return;
            }
            checkUrl(p, "validation.url", v.url(), true);
            if (v.url() != null) {
                // these functions read no provider secret: every placeholder must have a default
                java.util.regex.Matcher m = Pattern.compile("\\{([a-z_.]+)}").matcher(v.url());
                while (m.find()) {
                    if (!s.defaults().containsKey(m.group(1))) p.add("validation.url placeholder {" + m.group(1) + "} needs a default");
                }
            }
            if (v.successStatus() < 200 || v.successStatus() > 299) p.add("validation.successStatus must be 2xx");
            if (s.link() != null || !s.scopes().isEmpty() || s.quirk() != null) p.add("api_key: link, scopes and quirk do not apply");
        } else {
            ProviderSpec.Link l = s.link();
            if (l == null) {
                p.add("link_token needs link {createUrl, exchangeUrl, ...}");
                return;
            }
            checkUrl(p, "link.createUrl", l.createUrl(), true);
            checkUrl(p, "link.exchangeUrl", l.exchangeUrl(), true);
            if (l.createBody() != null && !l.createBody().isObject()) p.add("link.createBody must be an object");
            if (blank(l.userIdField())) p.add("link.userIdField is required (an opaque per-user id)");
            if (s.validation() != null) p.add("link_token: validation does not apply");
        }
    }

    private static void revokeProblems(List<String> p, ProviderSpec.Revoke r) {
        checkUrl(p, "revoke.url", r.url(), true);
        if (!Set.of("POST", "DELETE").contains(r.method())) p.add("revoke.method must be POST or DELETE");
        boolean header = r.authScheme() != null;
        if (header && !r.authScheme().matches("[A-Za-z][A-Za-z0-9-]{0,30}")) p.add("revoke.authScheme must be one word");
        if (header != (r.bodyFormat() == ProviderSpec.Revoke.RevokeFormat.none)) {
            p.add("revoke: the token goes either in the Authorization header (authScheme, bodyFormat none) or in the request");
        }
        if (header && r.clientAuth() == ProviderSpec.Revoke.RevokeClientAuth.client_secret_basic) {
            p.add("revoke: authScheme and client_secret_basic both need the Authorization header");
        }
        if (r.clientAuth() == ProviderSpec.Revoke.RevokeClientAuth.client_secret_post
                && !Set.of(ProviderSpec.Revoke.RevokeFormat.form, ProviderSpec.Revoke.RevokeFormat.json).contains(r.bodyFormat())) {
            p.add("revoke: client_secret_post needs a form or json body");
        }
        if (!r.tokenParam().matches("[A-Za-z_]{1,40}")) p.add("revoke.tokenParam must be a plain name");
    }

    private static void checkUrl(List<String> p, String field, String url, boolean required) {
        if (blank(url)) {
            if (required) p.add(field + " is required");
            return;
        }
        // either https, or a whole-URL placeholder filled from configuration (generic provider)
        if (!url.startsWith("https://") && !url.matches("\\{[a-z_]+}.*")) {
            p.add(field + " must be https or a {placeholder}");
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static InputStream resource(String name) throws IOException {
        InputStream in = ProviderRegistry.class.getClassLoader().getResourceAsStream(name);
        if (in == null) throw new IOException("missing resource " + name);
        return in;
    }
}
