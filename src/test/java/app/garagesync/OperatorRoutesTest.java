package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Operators reshape flows with YAML files in a routes folder, without recompiling. */
class OperatorRoutesTest {

    static final String HELLO = """
            - rest:
                path: /api/hello
                get:
                  - routeId: hello-rest
                    to: direct:hello
            - route:
                id: hello
                from:
                  uri: direct:hello
                  steps:
                    - setHeader:
                        name: Content-Type
                        constant: application/json
                    - setBody:
                        constant: '{"hello":"garage"}'
            """;

    @Test
    void should_add_the_routes_of_the_operator_folder(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("hello.camel.yaml"), HELLO);
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), "garagesync.routes-dir", routes.toString())) {
            assertThat(daemon.http().get("/api/hello").body()).isEqualTo("{\"hello\":\"garage\"}");
            assertThat(daemon.http().get("/api/health").status()).isEqualTo(200);
        }
    }

    @Test
    void should_load_a_route_file_that_ends_in_yaml_only(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("custom.yaml"), HELLO);
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), "garagesync.routes-dir", routes.toString())) {
            assertThat(daemon.http().get("/api/hello").body()).isEqualTo("{\"hello\":\"garage\"}");
        }
    }

    @Test
    void should_refuse_to_start_with_a_yml_route_file_it_would_not_load(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("custom.yml"), HELLO);
        assertThatThrownBy(() -> RunningDaemon.start(dir.resolve("data"), "garagesync.routes-dir", routes.toString()).close())
                .hasStackTraceContaining("custom.yml would not be loaded");
    }

    @Test
    void should_replace_a_built_in_route_file_of_the_same_name(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        String builtIn;
        try (InputStream in = getClass().getResourceAsStream("/routes/api.camel.yaml")) {
            builtIn = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String step = "        - bean: { ref: health, method: check }";
        assertThat(builtIn).contains(step);
        Files.writeString(routes.resolve("api.camel.yaml"), builtIn.replace(step,
                step + "\n        - setHeader: { name: X-Operator, constant: replaced }"));
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), "garagesync.routes-dir", routes.toString())) {
            assertThat(daemon.http().get("/api/health").header("X-Operator")).isEqualTo("replaced");
        }
    }

    @Test
    void should_start_without_the_folder(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), "garagesync.routes-dir", dir.resolve("absent").toString())) {
            assertThat(daemon.http().get("/api/health").status()).isEqualTo(200);
            assertThat(daemon.http().get("/api/hello").status()).isEqualTo(404);
        }
    }

    @Test
    void should_reload_edited_routes_when_reloading_is_on(@TempDir Path dir) throws Exception {
        Path routes = Files.createDirectories(dir.resolve("routes"));
        Files.writeString(routes.resolve("hello.camel.yaml"), HELLO);
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), "garagesync.routes-dir", routes.toString(),
                "camel.main.routesReloadEnabled", "true")) {
            Http http = daemon.http();
            assertThat(http.get("/api/hello").body()).isEqualTo("{\"hello\":\"garage\"}");
            Files.writeString(routes.resolve("hello.camel.yaml"), HELLO.replace("garage", "atelier"));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> http.get("/api/hello").body().equals("{\"hello\":\"atelier\"}"));
        }
    }
}
