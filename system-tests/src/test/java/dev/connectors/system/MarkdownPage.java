package dev.connectors.system;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The few parts of a Markdown page the docs tests read: lines outside fenced code blocks, sections under
 * {@code ##} headings, table rows, backticked values and link targets. Plain line parsing, enough for the
 * docs' own conventions (docs/providers pages follow a contract; see docs/README.md).
 */
final class MarkdownPage {
    private static final Pattern BACKTICKED = Pattern.compile("`([^`]+)`");
    /** {@code [text](target)} and {@code ![alt](target)}; the target ends at whitespace or the closing parenthesis. */
    private static final Pattern HEADING = Pattern.compile("^#{1,6} (.+?)#*\\s*$");
    private static final Pattern LINK = Pattern.compile("!?\\[[^\\]]*]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");

    final Path path;
    /** Every line outside fenced code blocks, in order. */
    final List<String> lines;

    private MarkdownPage(Path path, List<String> lines) {
        this.path = path;
        this.lines = lines;
    }

    static MarkdownPage read(Path path) {
        try {
            List<String> prose = new ArrayList<>();
            boolean fenced = false;
            for (String line : Files.readAllLines(path)) {
                if (line.strip().startsWith("```")) {
                    fenced = !fenced;
                    continue;
                }
                if (!fenced) prose.add(line);
            }
            return new MarkdownPage(path, prose);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String firstLine() {
        return lines.isEmpty() ? "" : lines.get(0);
    }

    /** The lines under {@code heading} (e.g. {@code "## Scopes"}) up to the next heading of the same or a higher level. */
    Optional<List<String>> section(String heading) {
        int level = heading.indexOf(' ');
        for (int i = 0; i < lines.size(); i++) {
            if (!lines.get(i).strip().equals(heading)) continue;
            List<String> body = new ArrayList<>();
            for (int j = i + 1; j < lines.size(); j++) {
                String line = lines.get(j);
                int hashes = line.length() - line.replaceFirst("^#+", "").length();
                if (hashes > 0 && hashes <= level && line.startsWith("#".repeat(hashes) + " ")) break;
                body.add(line);
            }
            return Optional.of(body);
        }
        return Optional.empty();
    }

    /** Headings of the form {@code ### `code`}, in order (duplicates kept, so a test can see them). */
    List<String> codeHeadings() {
        List<String> codes = new ArrayList<>();
        Pattern heading = Pattern.compile("^### `([^`]+)`\\s*$");
        for (String line : lines) {
            Matcher m = heading.matcher(line);
            if (m.matches()) codes.add(m.group(1));
        }
        return codes;
    }

    /** The cells of the first table row whose first cell is {@code firstCell}. */
    Optional<List<String>> row(String firstCell) {
        return tableRows(lines).stream().filter(cells -> cells.get(0).equals(firstCell)).findFirst();
    }

    /** Data rows of the tables in {@code lines}: header and separator rows dropped, cells trimmed. */
    static List<List<String>> tableRows(List<String> lines) {
        List<List<String>> rows = new ArrayList<>();
        boolean header = true;
        for (String line : lines) {
            String s = line.strip();
            if (!s.startsWith("|")) {
                header = true; // a new table starts with its own header
                continue;
            }
            if (s.matches("[|:\\s-]+") && s.contains("-")) continue; // |---|---| (a header may be | | | itself)
            if (header) {
                header = false;
                continue;
            }
            String inner = s.substring(1, s.endsWith("|") && s.length() > 1 ? s.length() - 1 : s.length());
            rows.add(Arrays.stream(inner.split("(?<!\\\\)\\|", -1)).map(String::strip).toList());
        }
        return rows;
    }

    static List<String> backticked(String text) {
        List<String> values = new ArrayList<>();
        Matcher m = BACKTICKED.matcher(text);
        while (m.find()) values.add(m.group(1));
        return values;
    }

    /** Link targets outside code (fenced blocks and inline code spans are not links). */
    Set<String> linkTargets() {
        Set<String> targets = new LinkedHashSet<>();
        for (String line : lines) {
            Matcher m = LINK.matcher(BACKTICKED.matcher(line).replaceAll(""));
            while (m.find()) targets.add(m.group(1));
        }
        return targets;
    }

    /** The anchors GitHub gives this page's headings: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
    Set<String> anchors() {
        Set<String> anchors = new LinkedHashSet<>();
        java.util.Map<String, Integer> seen = new java.util.HashMap<>();
        for (String line : lines) {
            Matcher m = HEADING.matcher(line);
            if (!m.matches()) continue;
            String slug = m.group(1).strip().toLowerCase(java.util.Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "").replace(' ', '-');
            int n = seen.merge(slug, 1, Integer::sum);
            anchors.add(n == 1 ? slug : slug + "-" + (n - 1));
        }
        return anchors;
    }

    @Override
    public String toString() {
        return path.toString();
    }
}
