package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The application.properties an operator writes in the working directory (the systemd unit's
 * /etc/garage-sync) overrides the built-in defaults key by key; -D stays above it. Real daemons in
 * their own JVM and working directory, as {@code java -jar} runs them.
 */
class OperatorSettingsTest {

    @Test
    void should_take_the_working_directory_file_over_the_built_in_defaults(@TempDir Path dir) throws Exception {
        int port = ChildDaemon.freePort();
        Path log = dir.resolve("daemon.log");
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "garagesync.auth.mode = token",
                "camel.server.port = " + port,
                "garagesync.data-dir = " + dir.resolve("data"),
                "garagesync.routes-dir = " + dir.resolve("no-routes"),
                "garagesync.auth.mdoe = token",
                ""));
        try (ChildDaemon daemon = ChildDaemon.startIn(dir, port, log)) {
            Http http = daemon.http();
            Http.Response anonymous = http.postJson("/api/backup", Backups.small(2));
            assertThat(anonymous.status()).as(anonymous.body()).isEqualTo(401);
            assertThat(http.with("X-User-Id", "default").postJson("/api/backup", Backups.small(2)).status()).isEqualTo(401);
        }
        String output = Files.readString(log);
        assertThat(output).contains("garagesync.auth.mode = token (from " + dir.resolve("application.properties"));
        assertThat(output).contains("UNKNOWN SETTING garagesync.auth.mdoe").contains("did you mean garagesync.auth.mode?");
        assertThat(Files.exists(dir.resolve("data"))).isTrue();
    }

    @Test
    void should_let_command_line_properties_win_over_the_file(@TempDir Path dir) throws Exception {
        int port = ChildDaemon.freePort();
        Files.writeString(dir.resolve("application.properties"), String.join("\n",
                "garagesync.auth.mode = token",
                "camel.server.port = " + port,
                "garagesync.data-dir = " + dir.resolve("data"),
                "garagesync.routes-dir = " + dir.resolve("no-routes"),
                ""));
        try (ChildDaemon daemon = ChildDaemon.startIn(dir, port, dir.resolve("daemon.log"), "garagesync.auth.mode=header")) {
            assertThat(daemon.http().postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
        }
    }

    @Test
    void should_refuse_to_start_on_a_settings_file_it_cannot_read(@TempDir Path dir) throws Exception {
        // the tests run as root, for whom no permission bit makes a file unreadable: a folder by that name is
        Files.createDirectories(dir.resolve("application.properties"));
        Path log = dir.resolve("daemon.log");
        int exit = ChildDaemon.runUntilExit(dir, log, "camel.server.port=0", "garagesync.data-dir=" + dir.resolve("data"));
        assertThat(exit).isNotZero();
        assertThat(lastLine(log)).startsWith("garage-sync cannot start: cannot read the settings file "
                + dir.resolve("application.properties"));
    }

    static String lastLine(Path log) throws Exception {
        String[] lines = Files.readString(log).strip().split("\\R");
        return lines[lines.length - 1];
    }
}
