package app.garagesync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/metrics is Prometheus text a scraper takes without a warning: help on every family, snake_case labels. */
class MetricsFormatTest {

    @TempDir
    Path dataDir;

    @Test
    void should_serve_metrics_that_parse_strictly_and_pass_promtool_lint() throws Exception {
        try (RunningDaemon d = RunningDaemon.start(dataDir)) {
            Http http = d.http().as("metered");
            // traffic through several routes, so Camel's per-route meters are all there
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(http.postJson("/api/backup", "{}").status()).isEqualTo(400);
            assertThat(http.get("/api/backup").status()).isEqualTo(200);
            Http.Response r = d.http().get("/api/metrics");
            assertThat(r.status()).isEqualTo(200);

            PrometheusText text = PrometheusText.parse(r.body());
            assertThat(text.errors).isEmpty();
            assertThat(text.warnings).isEmpty();
            // Camel's meters are there, labelled the Prometheus way
            assertThat(text.samples).anyMatch(s -> s.name().equals("camel_exchanges_total")
                    && "backup-post-flow".equals(s.labels().get("route_id")) && s.value() >= 1);
            assertThat(text.samples).anyMatch(s -> s.name().equals("app_info"));
            assertThat(text.help.get("app_info")).isNotBlank();

            promtoolCheck(r.body());
        }
    }

    /** When promtool is installed (Debian's prometheus package), its own lint agrees. */
    private void promtoolCheck(String metrics) throws Exception {
        Path promtool = promtool();
        if (promtool == null) {
            return;
        }
        Path file = Files.writeString(dataDir.resolve("metrics.txt"), metrics);
        Process p = new ProcessBuilder(promtool.toString(), "check", "metrics")
                .redirectInput(file.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).as("promtool check metrics").isBlank();
        assertThat(p.exitValue()).isZero();
    }

    private static Path promtool() {
        String configured = System.getenv("PROMTOOL");
        if (configured != null && Files.isExecutable(Path.of(configured))) {
            return Path.of(configured);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "promtool");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }
}
