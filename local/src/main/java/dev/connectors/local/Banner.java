package dev.connectors.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** What the runner prints at start: where things are, a dev token, each provider's state and callback URL. Never a secret. */
final class Banner {
    private Banner() {
    }

    static List<String> lines(LocalRunner.Running running, LocalRunner.Config config, Path dataDir, RouteTable routes,
                              LocalFunctions functions, LocalProviders providers, List<String> workers, List<String> scheduled) {
        String base = running.baseUrl();
        List<String> out = new ArrayList<>();
        out.add("");
        out.add("Connectors local runner: " + base + "   (Ctrl-C stops it)");
        out.add("  page      " + base + ConnectPage.PATH + "  (connect page: every provider, its connection and backfill progress)");
        out.add("  data      " + dataDir + "  (tables, tokens, jobs, records and keys survive a restart; queued messages are re-sent)");
        out.add("  routes    " + routes.routes().size() + " from template.yaml, plus GET " + ApiServer.DEV_TOKEN_PATH + "?tenant=&user= and "
                + LocalProviders.PATH);
        functions.all().values().stream().filter(f -> f.initError() != null)
                .forEach(f -> out.add("  WARNING   " + f.id() + " could not be initialised (its routes answer 500): " + f.initError()));
        out.add("  worker    " + String.join("; ", workers));
        if (!scheduled.isEmpty()) {
            out.add("  schedule  " + String.join(", ", scheduled) + " every " + config.scheduleEvery().toSeconds() + " s");
        }
        out.add("  providers (register the callback URL as the redirect URI in the provider's app settings)");
        providers.entries().forEach(e -> out.add(String.format("    %-8s %s", e.spec().id(), e.state())
                + (e.redirects() ? String.format("%n             callback %s/oauth/%s/callback", base, e.spec().id()) : "")));
        out.add("  dev token for " + LocalRunner.DEV_TENANT + " / " + LocalRunner.DEV_USER + " (valid " + DevJwt.LIFETIME.toHours() + " h):");
        out.add("    export TOKEN=" + running.devToken(LocalRunner.DEV_TENANT, LocalRunner.DEV_USER));
        out.add("  try       curl -i -H \"Authorization: Bearer $TOKEN\" \"" + base + "/oauth/generic/authorize?return_to=" + base + "/done\"");
        out.add("");
        return out;
    }
}
