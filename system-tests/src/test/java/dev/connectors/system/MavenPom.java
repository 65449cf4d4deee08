package dev.connectors.system;

import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The few facts of a pom.xml the template checks need (no inheritance or interpolation: read as written). */
record MavenPom(String artifactId, String parentArtifactId, String packaging, List<String> modules,
                List<Dependency> dependencies, List<Profile> profiles) {

    record Dependency(String groupId, String artifactId, String scope, String type) {
        /** What `mvn dependency:copy-dependencies -DincludeScope=runtime` copies: compile and runtime scope. */
        boolean onRuntimeClasspath() {
            return (scope.equals("compile") || scope.equals("runtime")) && type.equals("jar");
        }
    }

    record Profile(String id, String missingFile, Map<String, String> properties) {}

    static MavenPom read(Path pom) {
        try {
            Element project = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(pom.toFile()).getDocumentElement();
            Element parent = child(project, "parent");
            List<String> modules = new ArrayList<>();
            for (Element m : children(child(project, "modules"), "module")) modules.add(m.getTextContent().trim());
            List<Dependency> dependencies = new ArrayList<>();
            for (Element d : children(child(project, "dependencies"), "dependency")) {
                dependencies.add(new Dependency(text(d, "groupId", ""), text(d, "artifactId", ""),
                        text(d, "scope", "compile"), text(d, "type", "jar")));
            }
            List<Profile> profiles = new ArrayList<>();
            for (Element p : children(child(project, "profiles"), "profile")) {
                Element file = child(child(p, "activation"), "file");
                Map<String, String> properties = new LinkedHashMap<>();
                for (Element e : children(child(p, "properties"), null)) properties.put(e.getTagName(), e.getTextContent().trim());
                profiles.add(new Profile(text(p, "id", ""), file == null ? null : text(file, "missing", null), properties));
            }
            return new MavenPom(text(project, "artifactId", null), parent == null ? null : text(parent, "artifactId", null),
                    text(project, "packaging", "jar"), modules, dependencies, profiles);
        } catch (Exception e) {
            throw new IllegalStateException("cannot read " + pom, e);
        }
    }

    private static String text(Element parent, String name, String otherwise) {
        Element e = child(parent, name);
        return e == null ? otherwise : e.getTextContent().trim();
    }

    private static Element child(Element parent, String name) {
        List<Element> found = children(parent, name);
        return found.isEmpty() ? null : found.get(0);
    }

    /** Direct children only: a dependency's artifactId must not be mistaken for the project's. */
    private static List<Element> children(Element parent, String name) {
        List<Element> found = new ArrayList<>();
        if (parent == null) return found;
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && (name == null || e.getTagName().equals(name))) found.add(e);
        }
        return found;
    }
}
