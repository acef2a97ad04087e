package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The start-up class list must still describe this build: a stale one silently stops helping. */
class ClassPreloaderTest {

    @Test
    void the_list_names_classes_this_build_has() throws IOException {
        List<String> names;
        try (InputStream in = ClassPreloader.class.getResourceAsStream(ClassPreloader.LIST)) {
            assertThat(in).as(ClassPreloader.LIST + " on the classpath").isNotNull();
            names = new String(in.readAllBytes(), StandardCharsets.US_ASCII).lines().toList();
        }
        assertThat(names).hasSizeGreaterThan(1_000).contains("app.garagesync.GarageSyncBeans",
                "org.apache.camel.main.Main", "io.vertx.core.Vertx");
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            try {
                Class.forName(name, false, getClass().getClassLoader());
            } catch (ClassNotFoundException | LinkageError e) {
                missing.add(name);
            }
        }
        // a few may vary between JDK builds; more means dependencies changed: run scripts/update-preload-list.sh
        assertThat(missing).as("classes listed but not found").hasSizeLessThan(names.size() / 50);
    }
}
