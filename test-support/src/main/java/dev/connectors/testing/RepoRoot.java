package dev.connectors.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository root: the nearest ancestor of the working directory holding template.yaml and standins/. */
public final class RepoRoot {
    private RepoRoot() {}

    /** Maven runs tests with the module as working directory, so walk up rather than assume one. */
    public static Path path() {
        Path start = Path.of("").toAbsolutePath();
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("template.yaml")) && Files.isDirectory(dir.resolve("standins"))) {
                return dir;
            }
        }
        throw new IllegalStateException("No directory containing template.yaml and standins/ above " + start);
    }

    public static Path template() {
        return path().resolve("template.yaml");
    }
}
