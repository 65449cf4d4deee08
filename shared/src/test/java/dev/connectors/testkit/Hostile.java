package dev.connectors.testkit;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.util.List;

/**
 * Generators of hostile input for property tests: any unicode (lone surrogates and controls included),
 * empty and huge strings, and strings assembled from the pieces attacks are made of (markup, quotes,
 * percent-escapes, separators, lookalike dots, URL tricks, injection payloads).
 */
public final class Hostile {
    /**
     * One fixed seed for every property of the suite, so a CI run is repeatable (a random seed found a new
     * edge case in about one run in three while this was built). To explore, change it and run the
     * properties again; failing seeds are kept in target/jqwik-database and re-run first.
     */
    public static final String SEED = "20261126";

    /** Fragments attackers splice together; each one has broken some parser somewhere. */
    public static final List<String> FRAGMENTS = List.of(
            "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "</title>", "\"", "'", "`", "&", "&amp;",
            "%00", "%", "%zz", "%2F", "%252F", "%5C", "%40", "%0d%0a", "%E2%80%AE", "..", "/", "//", "\\", "@", "#", "?",
            "=", ";", ",", "&state=", "&code=", "&iss=", "state", "code", "error", "\u0000", "\r\n", "\t", "\u000b", "\u007f",
            "\u202e", "\u2028", "\uFEFF", "\uD83D\uDE00", "\uD800", "\u3002", "\uFF0E", "\uFF45vil", "evil.example",
            "app.example.com", "https://", "http://", "javascript:", ":", "[::1]", "0x7f000001", "xn--", "${jndi:ldap://x/a}",
            "{{7*7}}", "v1.", "eyJuIjoieCJ9", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "null", "{}", "[]", "{\"a\":",
            " ", "+", "*", "$", "\u0430");

    private Hostile() {
    }

    /** Any of the kinds below, weighted towards the assembled attacks. */
    public static Arbitrary<String> strings() {
        return Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(1, Arbitraries.just("")),
                net.jqwik.api.Tuple.of(3, anyUnicode()),
                net.jqwik.api.Tuple.of(5, assembled()),
                net.jqwik.api.Tuple.of(1, huge()));
    }

    /** Every char value, unpaired surrogates and controls included. */
    public static Arbitrary<String> anyUnicode() {
        return Arbitraries.strings().all().ofMaxLength(80);
    }

    public static Arbitrary<String> assembled() {
        return Arbitraries.oneOf(Arbitraries.of(FRAGMENTS), Arbitraries.strings().alpha().numeric().ofMaxLength(6))
                .list().ofMinSize(1).ofMaxSize(12).map(parts -> String.join("", parts));
    }

    /** 4 to 40 thousand characters: past every length limit we have. */
    public static Arbitrary<String> huge() {
        return Arbitraries.of(FRAGMENTS).flatMap(f -> Arbitraries.integers().between(4_000, 40_000)
                .map(n -> f.repeat(Math.max(1, n / Math.max(1, f.length())))));
    }
}
