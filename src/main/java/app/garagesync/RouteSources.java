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

/**
 * Which YAML route files Camel loads: the built-in ones from the jar's {@code routes/}, except those an
 * operator replaced by a file of the same name in the routes folder, plus every other file there.
 * The folder is optional: a missing one must not stop start-up, so it is only named when it exists.
 */
final class RouteSources {

    static final String SUFFIX = ".camel.yaml";

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
            sources.add("file:" + operatorDir.toAbsolutePath().normalize() + "/*" + SUFFIX);
        }
        return String.join(",", sources);
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
