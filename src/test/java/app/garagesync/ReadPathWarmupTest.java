package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.backup.BackupReader;
import app.garagesync.store.VersionStore;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReadPathWarmupTest {

    @TempDir
    Path dir;

    @Test
    void runs_the_store_code_to_the_end_on_its_made_up_shop() {
        ReadPathWarmup warmup = new ReadPathWarmup(new BackupReader(64, 1 << 20), 1,
                new VersionStore.StoragePolicy(1.0, 100));
        assertThat(warmup.seconds()).isEqualTo(-1);
        warmup.run(3, () -> false, 0);
        // seconds() is set only when every round stored and read back its versions without an error
        assertThat(warmup.seconds()).isPositive();
    }

    @Test
    void waits_while_real_work_is_in_flight() {
        ReadPathWarmup warmup = new ReadPathWarmup(new BackupReader(64, 1 << 20), 1,
                new VersionStore.StoragePolicy(1.0, 100));
        java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();
        // busy for the first five looks: the warm-up must keep asking, then do every round
        warmup.run(2, () -> asked.incrementAndGet() <= 5, 0);
        assertThat(asked.get()).isEqualTo(5 + 2);
        assertThat(warmup.seconds()).isPositive();
    }

    @Test
    void the_daemon_warms_up_in_the_background_without_touching_its_data_directory() throws Exception {
        try (RunningDaemon d = RunningDaemon.start(dir, "garagesync.warmup.rounds", "2")) {
            Pattern gauge = Pattern.compile("(?m)^garagesync_warmup_seconds ([-0-9.Ee]+)$");
            // the warm-up yields to real work and to a busy machine: on 2 shared cores it can take a while.
            // Each poll of the metrics is real work in flight, so polling more often than the quiet time a
            // round waits for kept the warm-up waiting for over a minute: poll less often than that
            await().atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(2 * ReadPathWarmup.QUIET_MS)).until(() -> {
                Matcher m = gauge.matcher(d.http().get("/api/metrics").body());
                return m.find() && Double.parseDouble(m.group(1)) > 0;
            });
            assertThat(d.http().as("warmup").get("/api/backup").status()).isEqualTo(404);
            assertThat(Files.exists(dir.resolve("users").resolve("warmup"))).isFalse();
        }
    }
}
