package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.main.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/routes.md lists the beans a route may call; GarageSyncBeans is the one place that binds them.
 * The real daemon starts, and the names it bound must be the documented ones, and every bean the
 * built-in YAML routes refer to must be among them.
 */
class BeanListTest {

    private static final Pattern DOC_ROW = Pattern.compile("^\\| `([A-Za-z0-9]+)` \\|", Pattern.MULTILINE);
    private static final Pattern ROUTE_REF = Pattern.compile(
            // ref: x, redeliveryPolicyRef: x, "#x", and a template's bean parameter { name: bean, value: x };
            // a target's own S3 client ("#s3-client-{{name}}") is bound per target, not here
            "(?:\\bref: |(?:redeliveryPolicy|onRedelivery)Ref: |\"#(?!s3-client-)|name: bean, value: )([A-Za-z][A-Za-z0-9]*)\\b");

    @Test
    void should_bind_exactly_the_beans_docs_routes_md_lists(@TempDir Path dir) throws Exception {
        Set<String> documented = documented();
        GarageSyncBeans beans;
        Main main = Application.newMain(daemonProperties(dir));
        try {
            main.start();
            beans = configuration(main);
            for (String name : beans.boundNames()) {
                assertThat(main.getCamelContext().getRegistry().lookupByName(name)).as(name).isNotNull();
            }
        } finally {
            main.stop();
        }
        assertThat(new TreeSet<>(beans.boundNames())).isEqualTo(documented);
    }

    @Test
    void should_document_every_bean_the_built_in_routes_call() throws Exception {
        Set<String> referred = new TreeSet<>();
        try (Stream<Path> files = Files.list(Path.of("routes"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".camel.yaml")).toList()) {
                Matcher m = ROUTE_REF.matcher(Files.readString(file));
                while (m.find()) {
                    referred.add(m.group(1));
                }
            }
        }
        assertThat(referred).isNotEmpty().isSubsetOf(documented());
    }

    private static Set<String> documented() throws Exception {
        String doc = Files.readString(Path.of("docs", "routes.md"));
        String section = doc.substring(doc.indexOf("## Beans the routes can call"));
        Set<String> names = new TreeSet<>();
        Matcher m = DOC_ROW.matcher(section);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static GarageSyncBeans configuration(Main main) {
        List<CamelConfiguration> all = main.configure().getConfigurations();
        return all.stream().filter(GarageSyncBeans.class::isInstance).map(GarageSyncBeans.class::cast)
                .findFirst().orElseThrow();
    }

    private static Properties daemonProperties(Path dir) {
        Properties p = new Properties();
        p.setProperty("camel.server.port", "0");
        p.setProperty("garagesync.data-dir", dir.resolve("data").toString());
        p.setProperty("garagesync.routes-dir", dir.resolve("no-operator-routes").toString());
        p.setProperty("garagesync.warmup.rounds", "0");
        return p;
    }
}
