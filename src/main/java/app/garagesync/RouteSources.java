package app.garagesync;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.List;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which YAML route files Camel loads: the built-in ones from the jar's {@code routes/}, except those an
 * operator replaced by a file of the same name in the routes folder, plus every other {@code *.yaml} file
 * there (as Camel itself loads them: {@code custom.yaml} as well as {@code custom.camel.yaml}).
 * The folder is optional: a missing one must not stop start-up, so it is only named when it exists.
 * A file there that would not load is never skipped in silence: {@code *.yml} stops start-up (Camel
 * would skip it, and the operator's flow with it), anything else is named in a warning.
 */
final class RouteSources {

    private static final Logger LOG = LoggerFactory.getLogger(RouteSources.class);

    /** The built-in route files' suffix. */
    static final String SUFFIX = ".camel.yaml";

    /** What the operator's folder may hold as routes. */
    static final String OPERATOR_SUFFIX = ".yaml";

    private RouteSources() {
    }

    static String includePattern(Path operatorDir) {
        List<String> sources = new ArrayList<>();
        boolean operatorRoutes = Files.isDirectory(operatorDir);
        for (String name : builtIn()) {
            if (!(operatorRoutes && Files.isRegularFile(operatorDir.resolve(name)))) {
                sources.add("classpath:routes/" + name);
            }
        }
        if (operatorRoutes) {
            checkOperatorFiles(operatorDir);
            sources.add("file:" + operatorDir.toAbsolutePath().normalize() + "/*" + OPERATOR_SUFFIX);
        }
        return String.join(",", sources);
    }

    private static void checkOperatorFiles(Path operatorDir) {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(operatorDir)) {
            for (Path file : files) {
                String name = file.getFileName().toString();
                if (name.startsWith(".") || Files.isDirectory(file) || name.endsWith(OPERATOR_SUFFIX)) {
                    continue;
                }
                if (name.endsWith(".yml")) {
                    throw new IllegalArgumentException("route file " + file.toAbsolutePath()
                            + " would not be loaded: route files end in .yaml (rename it "
                            + name.substring(0, name.length() - 4) + ".yaml)");
                }
                LOG.warn("{} in the routes folder is not a route file (*.yaml) and is not loaded", file.toAbsolutePath());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the routes folder " + operatorDir.toAbsolutePath(), e);
        }
    }

    /** File names of the route files packaged under {@code routes/}, from the jar or from target/classes. */
    static TreeSet<String> builtIn() {
        TreeSet<String> names = new TreeSet<>();
        try {
            Enumeration<URL> roots = RouteSources.class.getClassLoader().getResources("routes");
            while (roots.hasMoreElements()) {
                URL url = roots.nextElement();
                if ("jar".equals(url.getProtocol())) {
                    JarFile jar = ((JarURLConnection) url.openConnection()).getJarFile();
                    for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                        String n = e.nextElement().getName();
                        if (n.startsWith("routes/") && n.indexOf('/', 7) < 0 && n.endsWith(SUFFIX)) {
                            names.add(n.substring(7));
                        }
                    }
                } else if ("file".equals(url.getProtocol())) {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(Path.of(url.toURI()), "*" + SUFFIX)) {
                        ds.forEach(p -> names.add(p.getFileName().toString()));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the built-in routes", e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
        return names;
    }
}
