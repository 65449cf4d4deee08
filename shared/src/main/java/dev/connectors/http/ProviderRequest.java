package dev.connectors.http;

import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.StringJoiner;

/**
 * An immutable request to a provider. Headers and body may carry secrets (client secret, codes,
 * tokens), so {@link #toString()} shows only the method and the URI without its query.
 */
public final class ProviderRequest {
    public static final String FORM = "application/x-www-form-urlencoded; charset=UTF-8";
    public static final String JSON = "application/json; charset=UTF-8";

    // the JDK client sets these itself and rejects them; failing here points at the caller
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "expect", "host", "upgrade");

    /** One header line; its value may be a secret, so toString hides it. */
    public record Header(String name, String value) {
        public Header {
            if (name == null || name.isEmpty() || !name.chars().allMatch(ProviderRequest::isTokenChar)) {
                throw new IllegalArgumentException("invalid header name");
            }
            Objects.requireNonNull(value, "value");
            if (value.chars().anyMatch(c -> c == '\r' || c == '\n' || c == 0)) {
                throw new IllegalArgumentException("header value of " + name + " contains a line break");
            }
            if (RESTRICTED.contains(name.toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("header " + name + " is set by the HTTP client");
            }
        }

        @Override
        public String toString() {
            return name + ": ***";
        }
    }

    private final String method;
    private final URI uri;
    private final List<Header> headers;
    private final byte[] body;

    private ProviderRequest(String method, URI uri, List<Header> headers, byte[] body) {
        this.method = method;
        this.uri = uri;
        this.headers = List.copyOf(headers);
        this.body = body;
    }

    public static ProviderRequest get(URI uri) {
        return new ProviderRequest("GET", checked(uri), List.of(), new byte[0]);
    }

    /** Entries with a null value are left out, so optional OAuth parameters can be passed as null. */
    public static ProviderRequest postForm(URI uri, Map<String, String> form) {
        StringJoiner encoded = new StringJoiner("&");
        form.forEach((name, value) -> {
            if (value != null) {
                encoded.add(URLEncoder.encode(Objects.requireNonNull(name, "form name"), StandardCharsets.UTF_8)
                        + "=" + URLEncoder.encode(value, StandardCharsets.UTF_8));
            }
        });
        return post(uri, FORM, encoded.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** A request without a body (a DELETE, or a POST whose only argument is a header or the query). */
    public static ProviderRequest withoutBody(String method, URI uri) {
        if (!java.util.Set.of("GET", "POST", "DELETE").contains(method)) throw new IllegalArgumentException("method " + method);
        return new ProviderRequest(method, checked(uri), List.of(), new byte[0]);
    }

    public static ProviderRequest postJson(URI uri, String json) {
        return post(uri, JSON, json.getBytes(StandardCharsets.UTF_8));
    }

    public static ProviderRequest post(URI uri, String contentType, byte[] body) {
        return new ProviderRequest("POST", checked(uri), List.of(new Header("Content-Type", contentType)), body.clone());
    }

    /**
     * A copy with one more header. Headers are multi-valued and keep their order, except
     * Content-Type, which describes the one body and is replaced.
     */
    public ProviderRequest header(String name, String value) {
        Header added = new Header(name, value);
        List<Header> copy = new ArrayList<>(headers);
        if (name.equalsIgnoreCase("Content-Type")) {
            copy.removeIf(h -> h.name().equalsIgnoreCase("Content-Type"));
        }
        copy.add(added);
        return new ProviderRequest(method, uri, copy, body);
    }

    public String method() {
        return method;
    }

    public URI uri() {
        return uri;
    }

    public List<Header> headers() {
        return headers;
    }

    /** The first value of a header, case-insensitively. */
    public Optional<String> header(String name) {
        return headers.stream().filter(h -> h.name().equalsIgnoreCase(name)).map(Header::value).findFirst();
    }

    public Optional<String> contentType() {
        return header("Content-Type");
    }

    public byte[] body() {
        return body.clone();
    }

    /** "POST https://host/path": safe for logs and error details. */
    public String target() {
        return method + " " + withoutQuery(uri);
    }

    @Override
    public String toString() {
        return target();
    }

    /** Scheme, host, port and path only: the query may hold codes, user info may hold credentials. */
    public static String withoutQuery(URI uri) {
        if (uri == null) {
            return "(no uri)";
        }
        StringBuilder sb = new StringBuilder();
        if (uri.getScheme() != null) {
            sb.append(uri.getScheme()).append("://");
        }
        sb.append(uri.getHost() == null ? "" : uri.getHost());
        if (uri.getPort() != -1) {
            sb.append(':').append(uri.getPort());
        }
        sb.append(uri.getRawPath() == null ? "" : uri.getRawPath());
        return sb.toString();
    }

    private static URI checked(URI uri) {
        Objects.requireNonNull(uri, "uri");
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
            throw new IllegalArgumentException("provider URI must be absolute http(s) with a host: " + withoutQuery(uri));
        }
        return uri;
    }

    private static boolean isTokenChar(int c) {
        return c > 0x20 && c < 0x7F && "\"(),/:;<=>?@[\\]{}".indexOf(c) < 0;
    }
}
