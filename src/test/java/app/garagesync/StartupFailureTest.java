package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.DataDirectoryLock;
import app.garagesync.testing.ChildDaemon;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon that cannot start exits non-zero, its last line saying why, so systemd's
 * Restart=on-failure (or any supervisor) sees it; it never stays up half started. Real separate JVMs.
 */
class StartupFailureTest {

    @Test
    void should_exit_when_the_port_is_taken(@TempDir Path dir) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path log = dir.resolve("daemon.log");
            int exit = run(dir, log, "camel.server.port=" + taken.getLocalPort());
            assertThat(exit).isNotZero();
            assertThat(OperatorSettingsTest.lastLine(log)).isEqualTo("garage-sync cannot start: cannot listen on 127.0.0.1:"
                    + taken.getLocalPort() + " (camel.server.host, camel.server.port): the port is already in use or"
                    + " not allowed; stop the other program or choose another port");
        }
    }

    @Test
    void should_exit_when_another_process_holds_the_data_directory(@TempDir Path dir) throws Exception {
        try (DataDirectoryLock held = DataDirectoryLock.acquire(dir.resolve("data"))) {
            Path log = dir.resolve("daemon.log");
            assertThat(run(dir, log, "camel.server.port=0")).isNotZero();
            assertThat(OperatorSettingsTest.lastLine(log)).startsWith("garage-sync cannot start: data directory ")
                    .contains("is in use by another garage-sync process");
        }
    }

    @Test
    void should_exit_when_the_key_file_cannot_be_read(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("daemon.log");
        assertThat(run(dir, log, "camel.server.port=0", "garagesync.encryption.key-file=" + dir.resolve("missing.key")))
                .isNotZero();
        assertThat(OperatorSettingsTest.lastLine(log)).startsWith("garage-sync cannot start: garagesync.encryption.key-file "
                + dir.resolve("missing.key") + " cannot be read");
    }

    @Test
    void should_exit_on_a_target_of_an_unknown_kind(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("daemon.log");
        assertThat(run(dir, log, "camel.server.port=0", "garagesync.target.nas.type=ftp")).isNotZero();
        assertThat(OperatorSettingsTest.lastLine(log)).startsWith("garage-sync cannot start: target nas (ftp): no route template");
    }

    @Test
    void should_exit_on_a_target_missing_a_required_option(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("daemon.log");
        assertThat(run(dir, log, "camel.server.port=0", "garagesync.target.nas.type=dir")).isNotZero();
        assertThat(OperatorSettingsTest.lastLine(log)).startsWith("garage-sync cannot start: target nas (dir): ")
                .contains("path").contains("garagesync.target.nas.");
    }

    private static int run(Path dir, Path log, String... properties) throws Exception {
        String[] all = new String[properties.length + 2];
        all[0] = "garagesync.data-dir=" + dir.resolve("data");
        all[1] = "garagesync.routes-dir=" + dir.resolve("no-routes");
        System.arraycopy(properties, 0, all, 2, properties.length);
        return ChildDaemon.runUntilExit(dir, log, all);
    }
}
