package dev.connectors.http;

/** What a provider actually sent back, whatever its Content-Type claimed. */
public enum BodyKind {
    /** Parsed as JSON: any top-level value (object, array, string, number, boolean, null). */
    JSON,
    /** An HTML page (error page, maintenance page, login wall), detected by content type or by sniffing. */
    HTML,
    /** XML that is not XHTML, e.g. an S3-style {@code <Error>} document. */
    XML,
    /** Anything else that decodes as UTF-8: plain text, form-encoded pairs, malformed non-JSON. */
    TEXT,
    /** No bytes, or only whitespace. */
    EMPTY,
    /** Bytes that are not valid UTF-8 (or UTF-16 after a UTF-16 BOM), and not sniffable as HTML. */
    NOT_UTF8,
    /** Cut by our size cap, or JSON that ends early (the provider or a proxy dropped the tail). */
    TRUNCATED
}
