package dev.connectors.local;

import dev.connectors.config.Settings;
import dev.connectors.providers.ProviderRegistry;
import dev.connectors.providers.ProviderSpec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every provider the template deploys, with whether it can be connected on this runner and why:
 * what the start banner prints and {@code GET /local/providers} (the connect page's list) answers.
 * Registry data only; never a secret.
 */
final class LocalProviders {
    static final String PATH = "/local/providers";

    /** @param ready false when the provider needs client credentials that {@code local-secrets.json} lacks */
    record Entry(ProviderSpec spec, boolean ready, String state) {
        /** OAuth providers send the browser back to a callback URL that must be registered with them. */
        boolean redirects() {
            String type = spec.authTypeOrDefault();
            return type.equals(ProviderSpec.OAUTH2) || type.equals(ProviderSpec.OAUTH1);
        }
    }

    private final List<Entry> entries;

    private LocalProviders(List<Entry> entries) {
        this.entries = entries;
    }

    /** @param envs each function's environment; a function with PROVIDER serves that provider */
    static LocalProviders of(Map<String, Map<String, String>> envs, Path secretsFile, Path userSecretsFile) {
        List<Entry> out = new ArrayList<>();
        envs.values().forEach(env -> {
            String id = env.get(Settings.PROVIDER);
            if (id == null) return;
            ProviderSpec spec;
            try {
                spec = ProviderRegistry.load(id);
            } catch (RuntimeException e) {
                return; // its function could not start either: the banner's WARNING names it
            }
            String secretId = env.get(Settings.PROVIDER_SECRET_ID);
            if (id.equals("generic")) out.add(0, new Entry(spec, true, "ready: the sandbox (generic) provider")); // what to try first
            else if (spec.authTypeOrDefault().equals(ProviderSpec.API_KEY)) out.add(new Entry(spec, true, "ready: the user enters an API key"));
            else if (LocalSecrets.hasClientCredentials(secretsFile, secretId)) {
                out.add(new Entry(spec, true, "ready: credentials from " + userSecretsFile.getFileName()));
            } else {
                out.add(new Entry(spec, false, "not configured: add \"" + secretId + "\": {\"client_id\": …, \"client_secret\": …} to "
                        + userSecretsFile));
            }
        });
        return new LocalProviders(out);
    }

    List<Entry> entries() {
        return entries;
    }

    /** The body of {@code GET /local/providers}: what the page needs to draw each provider and its connect form. */
    Map<String, Object> asJson() {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Entry e : entries) {
            ProviderSpec s = e.spec();
            Map<String, Object> p = new LinkedHashMap<>();
            p.put("id", s.id());
            p.put("displayName", s.displayName());
            p.put("authType", s.authTypeOrDefault());
            p.put("scopes", s.scopes());
            p.put("inputs", s.inputs().stream().filter(i -> i.from() == ProviderSpec.Input.Source.authorize)
                    .map(i -> Map.of("param", i.param(), "example", i.example())).toList());
            p.put("ready", e.ready());
            list.add(p);
        }
        return Map.of("providers", list);
    }
}
