package app.garagesync.trust.rules;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.backup.BackupReader;
import app.garagesync.store.FileBlobStore;
import app.garagesync.store.VersionStore;
import app.garagesync.testing.Backups;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The background checks run for a user's latest once it has stood for the quiet time: versions a device
 * replaced meanwhile are left to the first GET of their checks, and every user's latest is checked.
 */
class QuietChecksTest {

    private final BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);

    @Test
    void only_each_users_latest_is_checked_once_it_stood_still(@TempDir Path dir) {
        VersionStore store = new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 1, VersionStore.StoragePolicy.WHOLE);
        ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor();
        try {
            // long enough that five small writes in a row come within it, even on a loaded machine
            VersionChecks checks = new VersionChecks(store, new MeaningChecks(java.util.List.of()), thread, Duration.ofSeconds(3));
            store.addListener(checks);
            for (int i = 1; i <= 5; i++) {
                byte[] v = Backups.small(i).getBytes(UTF_8);
                store.put("alice", v, reader.read(v));
            }
            byte[] b = Backups.small(1).getBytes(UTF_8);
            store.put("bob", b, reader.read(b));

            await().atMost(Duration.ofSeconds(30)).until(() -> checks.kept().size() >= 2);
            assertThat(checks.kept()).containsExactlyInAnyOrder("alice/5", "bob/1");

            byte[] v6 = Backups.small(6).getBytes(UTF_8);
            store.put("alice", v6, reader.read(v6));
            await().atMost(Duration.ofSeconds(30)).until(() -> checks.kept().size() >= 3);
            assertThat(checks.kept()).containsExactlyInAnyOrder("alice/5", "bob/1", "alice/6");
        } finally {
            thread.shutdownNow();
        }
    }
}
