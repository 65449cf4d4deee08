package dev.connectors.system;

import dev.connectors.errors.ErrorCode;
import dev.connectors.errors.ErrorFormatter;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;
import dev.connectors.sync.JobOutcome;
import dev.connectors.sync.JobStatus;
import dev.connectors.testing.ProviderScaffold;
import dev.connectors.testing.RepoRoot;
import dev.connectors.tokens.ConnectionStatus;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The operator docs stay true to the code: every error code has a troubleshooting section (and every section a
 * code), every registry entry its provider page with the registry's name, redirect path and scopes, and every
 * relative link a file. Failures name the page and the difference.
 */
class DocsTest {
    private static final Path ROOT = RepoRoot.path();
    private static final Path DOCS = ROOT.resolve("docs");
    private static final Path PROVIDER_PAGES = DOCS.resolve("providers");
    private static final Template TEMPLATE = Template.load();
    /** The provider the troubleshooting guide's quoted messages name. */
    private static final String EXAMPLE_PROVIDER = "Slack";
    private static final String NO_SCOPES = "Connectors requests no scopes";
    private static final String API_KEY_REDIRECT = "none (API key: no redirect)";

    /**
     * Every code a user, an app or an operator can meet, collected from the code: the user-facing error codes,
     * the statuses a sync job ends in other than succeeded, the statuses of a connection other than active, and
     * the outcomes of succeeded jobs other than complete (no or only partial history).
     */
    static Set<String> troubleshootingCodes() {
        Set<String> codes = new TreeSet<>();
        Stream.of(ErrorCode.values()).map(ErrorCode::code).forEach(codes::add);
        Stream.of(JobStatus.values()).filter(s -> s.finished() && s != JobStatus.succeeded).map(Enum::name).forEach(codes::add);
        Stream.of(ConnectionStatus.values()).filter(s -> s != ConnectionStatus.active).map(Enum::name).forEach(codes::add);
        Stream.of(JobOutcome.values()).filter(o -> o != JobOutcome.complete).map(Enum::name).forEach(codes::add);
        return codes;
    }

    /** A registry outcome outside {@link JobOutcome} would end jobs with a code nobody documented. */
    @Test
    void everyRegistryOutcomeIsAJobOutcome() {
        Set<String> known = Stream.of(JobOutcome.values()).map(Enum::name).collect(Collectors.toSet());
        List<String> problems = new ArrayList<>();
        for (String id : ProviderRegistry.allIds()) {
            var backfill = ProviderRegistry.load(id).backfill();
            if (backfill != null && backfill.outcome() != null && !known.contains(backfill.outcome())) {
                problems.add("providers/" + id + ".json declares backfill.outcome " + backfill.outcome() + ", which JobOutcome does not name");
            }
        }
        assertThat(problems).as("registry outcomes against JobOutcome").isEmpty();
        assertThat(ProviderRegistry.allIds().stream().map(ProviderRegistry::load)
                .filter(s -> s.backfill() != null && s.backfill().outcome() != null)).isNotEmpty();
    }

    @Test
    void everyCodeHasATroubleshootingSectionAndEverySectionACode() {
        MarkdownPage guide = MarkdownPage.read(DOCS.resolve("troubleshooting.md"));
        List<String> headings = guide.codeHeadings();
        Set<String> expected = troubleshootingCodes();
        List<String> problems = new ArrayList<>();
        expected.stream().filter(c -> !headings.contains(c))
                .forEach(c -> problems.add("docs/troubleshooting.md has no section \"### `" + c + "`\" for a code the code produces"));
        headings.stream().filter(c -> !expected.contains(c))
                .forEach(c -> problems.add("docs/troubleshooting.md has a section for `" + c + "`, which no longer exists in the code"));
        headings.stream().filter(c -> headings.indexOf(c) != headings.lastIndexOf(c)).distinct()
                .forEach(c -> problems.add("docs/troubleshooting.md has more than one section for `" + c + "`"));
        assertThat(problems).as("troubleshooting.md sections against the codes in the code").isEmpty();
        assertThat(expected).contains("browser_mismatch", "needs_reauth", "failed", "no_history_available");
    }

    @Test
    void everyErrorCodeSectionQuotesTheMessageUsersSee() {
        MarkdownPage guide = MarkdownPage.read(DOCS.resolve("troubleshooting.md"));
        List<String> problems = new ArrayList<>();
        for (ErrorCode code : ErrorCode.values()) {
            String message = ErrorFormatter.format(code, "slack", EXAMPLE_PROVIDER).message();
            String body = String.join("\n", guide.section("### `" + code.code() + "`").orElse(List.of()));
            if (!body.contains(message)) {
                problems.add("docs/troubleshooting.md, section `" + code.code() + "`: does not quote the message users see: \"" + message + "\"");
            }
        }
        assertThat(problems).as("troubleshooting.md sections quoting each error code's message").isEmpty();
    }

    @Test
    void everyRegistryEntryHasAProviderPageAndEveryPageAnEntry() {
        Set<String> ids = new TreeSet<>(ProviderRegistry.allIds());
        Set<String> pages = providerPages().keySet();
        List<String> problems = new ArrayList<>();
        ids.stream().filter(id -> !pages.contains(id)).forEach(id -> problems.add("docs/providers/" + id + ".md is missing (registry entry " + id + ")"));
        pages.stream().filter(p -> !ids.contains(p)).forEach(p -> problems.add("docs/providers/" + p + ".md names no registry entry"));
        assertThat(problems).as("docs/providers pages against the registry").isEmpty();
    }

    @Test
    void providerPagesMatchTheRegistryAndTheTemplate() throws IOException {
        Map<String, ProviderScaffold.Provider> providers = ProviderScaffold.providers(ROOT).stream()
                .collect(Collectors.toMap(ProviderScaffold.Provider::id, p -> p));
        Map<String, String> callbackOutputs = callbackOutputs();
        List<String> problems = new ArrayList<>();
        providerPages().forEach((id, page) -> {
            ProviderScaffold.Provider provider = providers.get(id);
            if (provider == null) return; // reported by the page/entry test
            ProviderSpec spec = ProviderRegistry.load(id);
            String where = "docs/providers/" + id + ".md: ";
            if (!page.firstLine().equals("# " + spec.displayName())) {
                problems.add(where + "first line is \"" + page.firstLine() + "\", expected \"# " + spec.displayName() + "\"");
            }
            problems.addAll(summaryProblems(where, id, provider, spec, page));
            problems.addAll(redirectProblems(where, id, provider, page, callbackOutputs));
            problems.addAll(scopeProblems(where, spec, page));
        });
        assertThat(problems).as("provider pages against the registry and template.yaml").isEmpty();
    }

    /** The Registry entry, Sign-in and Secret rows against the registry and the provider function's secret parameter. */
    private static List<String> summaryProblems(String where, String id, ProviderScaffold.Provider provider, ProviderSpec spec,
                                                MarkdownPage page) {
        List<String> problems = new ArrayList<>();
        List<String> entry = page.row("Registry entry").map(r -> MarkdownPage.backticked(r.get(r.size() - 1))).orElse(List.of());
        if (entry.isEmpty() || !entry.get(0).equals(id)) {
            problems.add(where + "Registry entry row names " + entry + ", expected `" + id + "` first");
        }
        String signIn = page.row("Sign-in").map(r -> r.get(r.size() - 1)).orElse("");
        String expected = signIn(spec);
        boolean noPkce = expected.endsWith("(no PKCE)");
        if (noPkce ? !signIn.startsWith(expected.substring(0, expected.length() - 1)) : !signIn.equals(expected)) {
            problems.add(where + "Sign-in is \"" + signIn + "\", the registry entry means \"" + expected + "\"");
        }
        String secret = page.row("Secret").map(r -> r.get(r.size() - 1)).orElse("");
        Object secretRef = TEMPLATE.environment(provider.function()).get("PROVIDER_SECRET_ID");
        String parameter = Template.refTarget(secretRef);
        if (parameter == null) {
            if (!secret.startsWith("none")) problems.add(where + "Secret is \"" + secret + "\", but " + provider.function() + " reads no provider secret");
            return problems;
        }
        Object defaultName = Template.map(TEMPLATE.parameters().get(parameter)).get("Default");
        List<String> named = MarkdownPage.backticked(secret);
        if (!named.equals(List.of(parameter, String.valueOf(defaultName)))) {
            problems.add(where + "Secret row names " + named + ", template.yaml has parameter " + parameter + " (default " + defaultName + ")");
        }
        return problems;
    }

    /** The Redirect URI row against the callback path and the template's {@code <X>CallbackUrl} output. */
    private static List<String> redirectProblems(String where, String id, ProviderScaffold.Provider provider, MarkdownPage page,
                                                 Map<String, String> callbackOutputs) {
        String path = "/oauth/" + id + "/callback";
        Optional<String> output = callbackOutputs.entrySet().stream()
                .filter(e -> e.getValue().equals("${PublicBaseUrl}" + path)).map(Map.Entry::getKey).findFirst();
        Optional<List<String>> row = page.row("Redirect URI");
        if (row.isEmpty() || row.get().size() < 2) return List.of(where + "has no \"| Redirect URI | … |\" row");
        String cell = row.get().get(1);
        List<String> values = MarkdownPage.backticked(cell);
        List<String> problems = new ArrayList<>();
        if (ProviderSpec.API_KEY.equals(provider.authType())) {
            if (!cell.replace("`", "").strip().equals(API_KEY_REDIRECT)) {
                problems.add(where + "Redirect URI of an API-key provider is \"" + cell + "\", expected `" + API_KEY_REDIRECT + "`");
            }
            output.ifPresent(o -> problems.add(where + "template.yaml has output " + o + " for an API-key provider"));
            return problems;
        }
        if (!provider.redirectFlow() && cell.replace("`", "").strip().matches("none \\(.*: no redirect\\)")) {
            // Plaid Link: the widget posts back to the API, nothing to register at the provider
            output.ifPresent(o -> problems.add(where + "template.yaml has output " + o + ", but " + id + " has no browser redirect"));
            return problems;
        }
        if (values.isEmpty()) return List.of(where + "Redirect URI row has no backticked URI: \"" + cell + "\"");
        String pagePath = pathOf(values.get(0));
        if (!path.equals(pagePath)) {
            problems.add(where + "Redirect URI `" + values.get(0) + "` has path " + pagePath + ", the callback is " + path);
        }
        List<String> named = values.stream().filter(v -> v.endsWith("CallbackUrl")).toList();
        if (provider.redirectFlow() && output.isEmpty()) {
            problems.add(where + "template.yaml has no <X>CallbackUrl output with value ${PublicBaseUrl}" + path);
        }
        if (provider.redirectFlow() && output.isPresent() && !named.contains(output.get())) {
            problems.add(where + "Redirect URI row names stack output " + named + ", template.yaml's is " + output.get());
        }
        if (!provider.redirectFlow()) {
            output.ifPresent(o -> problems.add(where + "template.yaml has output " + o + ", but " + id + " has no browser redirect"));
            named.forEach(n -> problems.add(where + "Redirect URI row names stack output " + n + ", which " + id + " does not have"));
        }
        return problems;
    }

    /** {@code ${PublicBaseUrl}/oauth/x/callback} or a full URL → its path. */
    private static String pathOf(String value) {
        if (value.startsWith("${PublicBaseUrl}")) return value.substring("${PublicBaseUrl}".length());
        try {
            return URI.create(value).getPath();
        } catch (IllegalArgumentException e) {
            return value;
        }
    }

    private static List<String> scopeProblems(String where, ProviderSpec spec, MarkdownPage page) {
        Optional<List<String>> section = page.section("## Scopes");
        if (section.isEmpty()) return List.of(where + "has no \"## Scopes\" section");
        Set<String> registry = new TreeSet<>(spec.scopes() == null ? List.of() : spec.scopes());
        Set<String> documented = new TreeSet<>();
        List<List<String>> rows = MarkdownPage.tableRows(section.get());
        rows.forEach(cells -> documented.addAll(MarkdownPage.backticked(cells.get(0))));
        List<String> problems = new ArrayList<>();
        if (registry.isEmpty()) {
            if (!String.join("\n", section.get()).contains(NO_SCOPES)) {
                problems.add(where + "the registry requests no scopes, but ## Scopes does not say \"" + NO_SCOPES + "\"");
            }
            if (!rows.isEmpty()) problems.add(where + "the registry requests no scopes, but ## Scopes has a table listing " + documented);
            return problems;
        }
        Set<String> missing = new TreeSet<>(registry);
        missing.removeAll(documented);
        Set<String> extra = new TreeSet<>(documented);
        extra.removeAll(registry);
        if (!missing.isEmpty()) problems.add(where + "## Scopes table lacks registry scopes " + missing);
        if (!extra.isEmpty()) problems.add(where + "## Scopes table lists scopes the registry does not request " + extra);
        return problems;
    }

    @Test
    void everyRelativeLinkResolvesToAFileAndHeading() {
        List<Path> pages = new ArrayList<>(markdownUnder(DOCS));
        pages.add(ROOT.resolve("README.md"));
        List<String> problems = new ArrayList<>();
        for (Path file : pages) {
            MarkdownPage page = MarkdownPage.read(file);
            for (String target : page.linkTargets()) {
                if (target.matches("^[a-zA-Z][a-zA-Z0-9+.-]*:.*")) continue; // http:, mailto:
                String local = target.replaceFirst("[#?].*$", "");
                Path resolved = local.isEmpty() ? file : file.getParent().resolve(local).normalize();
                if (!Files.exists(resolved)) {
                    problems.add(ROOT.relativize(file) + ": link (" + target + ") points at no file");
                    continue;
                }
                int hash = target.indexOf('#');
                String anchor = hash < 0 ? "" : target.substring(hash + 1);
                if (!anchor.isEmpty() && resolved.toString().endsWith(".md") && !MarkdownPage.read(resolved).anchors().contains(anchor)) {
                    problems.add(ROOT.relativize(file) + ": link (" + target + ") names no heading of " + ROOT.relativize(resolved));
                }
            }
        }
        assertThat(problems).as("relative links and their anchors in docs/ and README.md").isEmpty();
    }

    @Test
    void theDocsIndexLinksEveryProviderPageWithItsNameAndSignIn() {
        MarkdownPage index = MarkdownPage.read(DOCS.resolve("README.md"));
        List<String> problems = new ArrayList<>();
        for (String id : ProviderRegistry.allIds()) {
            String target = "providers/" + id + ".md";
            if (!index.linkTargets().contains(target)) {
                problems.add("docs/README.md does not link " + target);
                continue;
            }
            ProviderSpec spec = ProviderRegistry.load(id);
            String line = index.lines.stream().filter(l -> l.contains("(" + target + ")")).findFirst().orElse("");
            if (!line.contains(spec.displayName())) {
                problems.add("docs/README.md links " + target + " without its display name \"" + spec.displayName() + "\" on that line");
            }
            if (!line.contains(signIn(spec))) {
                problems.add("docs/README.md links " + target + " without its sign-in type \"" + signIn(spec) + "\" on that line");
            }
        }
        assertThat(problems).as("docs/README.md's provider table").isEmpty();
    }

    /** How users sign in, in the words of the index (and of the pages' Sign-in row). */
    static String signIn(ProviderSpec spec) {
        return switch (spec.authTypeOrDefault()) {
            case ProviderSpec.OAUTH1 -> "OAuth 1.0a";
            case ProviderSpec.API_KEY -> "API key";
            case ProviderSpec.LINK_TOKEN -> "Plaid Link";
            default -> spec.pkce() ? "OAuth 2.0 authorization code with PKCE (S256)" : "OAuth 2.0 authorization code (no PKCE)";
        };
    }

    /** Registry id → page, for every docs/providers/*.md. */
    private static Map<String, MarkdownPage> providerPages() {
        Map<String, MarkdownPage> pages = new LinkedHashMap<>();
        if (!Files.isDirectory(PROVIDER_PAGES)) return pages;
        for (Path file : markdownUnder(PROVIDER_PAGES)) {
            String name = file.getFileName().toString();
            pages.put(name.substring(0, name.length() - ".md".length()), MarkdownPage.read(file));
        }
        return pages;
    }

    private static List<Path> markdownUnder(Path dir) {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(f -> f.toString().endsWith(".md")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Output name → its {@code Fn::Sub} value, for every {@code <X>CallbackUrl} output of template.yaml. */
    private static Map<String, String> callbackOutputs() {
        Map<String, String> outputs = new LinkedHashMap<>();
        TEMPLATE.outputs().forEach((name, body) -> {
            if (name.endsWith("CallbackUrl")) outputs.put(name, String.valueOf(Template.sub(Template.map(body).get("Value"))));
        });
        return outputs;
    }
}
