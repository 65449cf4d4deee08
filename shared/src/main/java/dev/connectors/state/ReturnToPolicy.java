package dev.connectors.state;

import dev.connectors.errors.ConnectorException;
import dev.connectors.errors.ErrorCode;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The allow-list for the app's {@code return_to}: no open redirect. An address is accepted only
 * when it is an absolute http(s) URL whose origin (scheme, host, port) is exactly a configured
 * one. The authority is parsed by hand with a strict grammar and cross-checked against
 * {@link URI}, so a string that parsers might read differently is refused rather than guessed at.
 */
public final class ReturnToPolicy {
    public static final int MAX_LENGTH = 2048;

    /** LDH labels, no empty label (so no trailing dot). */
    private static final Pattern HOSTNAME = Pattern.compile(
            "(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*");
    private static final Pattern IPV6 = Pattern.compile("\\[[0-9a-f:.]{2,45}]");
    private static final Pattern PORT = Pattern.compile("[1-9][0-9]{0,4}"); // no leading zeros

    private record Origin(String scheme, String host, int port) {
        /** Origin as written in a redirect: the default port left out. */
        String render() {
            return scheme + "://" + host + (port == defaultPort(scheme) ? "" : ":" + port);
        }
    }

    private final Set<Origin> allowed;

    /** Entries like {@code https://app.example.com} or {@code http://localhost:3000}. */
    public ReturnToPolicy(List<String> allowedOrigins) {
        Objects.requireNonNull(allowedOrigins, "allowedOrigins");
        Set<Origin> origins = new LinkedHashSet<>();
        for (String entry : allowedOrigins) {
            origins.add(parseConfiguredOrigin(entry));
        }
        this.allowed = Collections.unmodifiableSet(origins);
    }

    /** Comma-separated origins; blank entries are ignored, a blank string allows nothing. */
    public static ReturnToPolicy parse(String commaSeparated) {
        List<String> entries = new ArrayList<>();
        if (commaSeparated != null) {
            for (String part : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    entries.add(part.strip());
                }
            }
        }
        return new ReturnToPolicy(entries);
    }

    /** The normalised allowed origins, e.g. {@code https://app.example.com}. */
    public List<String> allowedOrigins() {
        return allowed.stream().map(Origin::render).toList();
    }

    /**
     * Empty when no {@code return_to} was given (null or ""); the accepted URL, rebuilt on its
     * normalised origin, when allowed; otherwise {@code INVALID_RETURN_TO}.
     */
    public Optional<URI> check(String returnTo) {
        if (returnTo == null || returnTo.isEmpty()) {
            return Optional.empty();
        }
        if (returnTo.length() > MAX_LENGTH) {
            throw rejected("longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < returnTo.length(); i++) {
            char c = returnTo.charAt(i);
            // Controls, whitespace and non-ASCII are stripped or re-mapped by browsers, which is
            // how "https://app.example.com\t@evil" tricks work; a real return_to never needs them.
            if (c <= 0x20 || c >= 0x7f) {
                throw rejected("contains whitespace, control or non-ASCII characters");
            }
            if (c == '\\') {
                throw rejected("contains a backslash"); // browsers read it as '/'
            }
        }
        Parsed parsed = parseAbsolute(returnTo);
        if (parsed == null) {
            throw rejected("not an absolute http(s) URL with a plain host[:port] authority");
        }
        if (!allowed.contains(parsed.origin)) {
            throw rejected("origin " + parsed.origin.render() + " is not allowed");
        }
        String rebuilt = parsed.origin.render() + parsed.rest;
        try {
            URI uri = new URI(rebuilt);
            // Cross-check: java.net.URI must see the same origin we parsed.
            if (!parsed.origin.scheme.equals(uri.getScheme()) || uri.getRawUserInfo() != null
                    || !parsed.origin.host.equals(uri.getHost())
                    || parsed.origin.port != effectivePort(uri.getScheme(), uri.getPort())) {
                throw rejected("ambiguous authority");
            }
            return Optional.of(uri);
        } catch (URISyntaxException e) {
            throw rejected("not a valid URI"); // e's message would echo the input
        }
    }

    /**
     * {@code base} with {@code params} added to its query (percent-encoded, spaces as %20), its
     * other query parameters kept, same-named ones replaced so ours are authoritative, and any
     * fragment dropped. Used for {@code ?connected=slack} and {@code ?error=code&message=...}.
     */
    public static URI withParams(URI base, Map<String, String> params) {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(params, "params");
        if (base.isOpaque() || base.getScheme() == null || base.getRawAuthority() == null) {
            throw new IllegalArgumentException("base must be an absolute hierarchical URL");
        }
        List<String> parts = new ArrayList<>();
        String query = base.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String part : query.split("&")) {
                if (!part.isEmpty() && !params.containsKey(decodedName(part))) {
                    parts.add(part);
                }
            }
        }
        params.forEach((name, value) -> {
            Objects.requireNonNull(name, "param name");
            Objects.requireNonNull(value, "param value");
            parts.add(encode(name) + "=" + encode(value));
        });
        StringBuilder url = new StringBuilder()
                .append(base.getScheme()).append("://").append(base.getRawAuthority())
                .append(base.getRawPath() == null ? "" : base.getRawPath());
        if (!parts.isEmpty()) {
            url.append('?').append(String.join("&", parts));
        }
        return URI.create(url.toString());
    }

    @Override
    public String toString() {
        return "ReturnToPolicy" + allowedOrigins();
    }

    private record Parsed(Origin origin, String rest) {
    }

    /** scheme "://" host [":" port] rest, or null when it is not exactly that shape. */
    private static Parsed parseAbsolute(String url) {
        int colon = url.indexOf(':');
        if (colon <= 0) {
            return null;
        }
        String scheme = url.substring(0, colon).toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            return null;
        }
        if (!url.startsWith("//", colon + 1)) {
            return null; // "https:evil.example" and friends
        }
        int start = colon + 3;
        int end = start;
        while (end < url.length() && "/?#".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        Origin origin = parseAuthority(scheme, url.substring(start, end));
        return origin == null ? null : new Parsed(origin, url.substring(end));
    }

    /** host [":" port] only: no userinfo, no percent-encoding, no trailing dot, no empty port. */
    private static Origin parseAuthority(String scheme, String authority) {
        String lower = authority.toLowerCase(Locale.ROOT);
        String host;
        String portText = null;
        if (lower.startsWith("[")) {
            int close = lower.indexOf(']');
            if (close < 0) {
                return null;
            }
            host = lower.substring(0, close + 1);
            String after = lower.substring(close + 1);
            if (!after.isEmpty()) {
                if (!after.startsWith(":")) {
                    return null;
                }
                portText = after.substring(1);
            }
            if (!IPV6.matcher(host).matches()) {
                return null;
            }
        } else {
            int portColon = lower.indexOf(':');
            host = portColon < 0 ? lower : lower.substring(0, portColon);
            portText = portColon < 0 ? null : lower.substring(portColon + 1);
            if (host.length() > 253 || !HOSTNAME.matcher(host).matches()) {
                return null; // also refuses '@', '%', '_' and a trailing dot
            }
        }
        int port = defaultPort(scheme);
        if (portText != null) {
            if (!PORT.matcher(portText).matches()) {
                return null;
            }
            port = Integer.parseInt(portText);
            if (port < 1 || port > 65535) {
                return null;
            }
        }
        return new Origin(scheme, host, port);
    }

    private static Origin parseConfiguredOrigin(String entry) {
        if (entry == null || entry.isBlank()) {
            throw new IllegalArgumentException("allowed return_to origin must not be blank");
        }
        String trimmed = entry.strip();
        // Tolerate one trailing slash ("https://app.example.com/"); anything else is a mistake.
        String origin = trimmed.endsWith("/") ? trimmed.substring(0, trimmed.length() - 1) : trimmed;
        Parsed parsed = origin.chars().allMatch(c -> c > 0x20 && c < 0x7f && c != '\\')
                ? parseAbsolute(origin) : null;
        if (parsed == null || !parsed.rest.isEmpty()) {
            throw new IllegalArgumentException("allowed return_to origin '" + trimmed
                    + "' must look like https://host or http://host:port (no path, query,"
                    + " wildcard or trailing dot)");
        }
        return parsed.origin;
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }

    private static int effectivePort(String scheme, int port) {
        return port == -1 ? defaultPort(scheme) : port;
    }

    private static String decodedName(String part) {
        int eq = part.indexOf('=');
        String name = eq < 0 ? part : part.substring(0, eq);
        try {
            return URLDecoder.decode(name, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return name; // a malformed escape can't equal one of our names anyway
        }
    }

    private static String encode(String s) {
        // URLEncoder is form encoding: '+' for space, which not every reader decodes; use %20.
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static ConnectorException rejected(String check) {
        return new ConnectorException(ErrorCode.INVALID_RETURN_TO, "return_to rejected: " + check);
    }
}
