package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The zstd native library is loaded at start: a daemon that could not compress never claims to be UP. */
class NativeLibrariesTest {

    @Test
    void a_start_without_the_zstd_library_fails_and_says_why(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("daemon.log");
        boolean started;
        // zstd-jni's own override, pointed at a library that is not there: the load fails as it did when
        // the file-handle table was full
        try (ChildDaemon daemon = ChildDaemon.start(dir.resolve("data"), log, "ZstdNativePath=" + dir.resolve("missing.so"))) {
            started = true;
        } catch (IllegalStateException exited) {
            started = false;
        }
        assertThat(started).as("the daemon started (and answered health UP) without its compression library").isFalse();
        assertThat(Files.readString(log)).contains("zstd compression library could not be loaded");
    }

    @Test
    void health_reports_the_compression_library(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            assertThat(daemon.http().get("/api/health").body()).contains("\"compression\":{\"status\":\"UP\"");
        }
    }
}
