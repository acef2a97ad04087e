package app.garagesync.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.backup.BackupReader;
import app.garagesync.testing.Backups;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store tells its listeners of each version it stored, and a listener's failure is never the store's. */
class VersionListenerTest {

    private final BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);

    @Test
    void every_stored_version_is_announced_once_and_a_failing_listener_fails_no_store(@TempDir Path dir) {
        VersionStore store = new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 1, VersionStore.StoragePolicy.WHOLE);
        List<String> heard = new CopyOnWriteArrayList<>();
        store.addListener((user, version) -> {
            throw new IllegalStateException("a listener's bug");
        });
        store.addListener((user, version) -> heard.add(user + "@" + version));

        byte[] v1 = Backups.small(1).getBytes(UTF_8);
        assertThat(store.put("alice", v1, reader.read(v1))).isInstanceOf(StoreResult.Stored.class);
        // identical to the latest: nothing stored, nothing announced
        assertThat(store.put("alice", v1, reader.read(v1))).isInstanceOf(StoreResult.Unchanged.class);
        byte[] v2 = Backups.small(2).getBytes(UTF_8);
        assertThat(store.putOnBase("alice", 1, Incoming.inline(v2, v2.length), reader.read(v2)))
                .isInstanceOf(StoreResult.Stored.class);
        store.putRestored("bob", store.version("alice", 1).orElseThrow(), v1);

        assertThat(heard).containsExactly("alice@1", "alice@2", "bob@1");
        assertThat(store.read("alice", 2)).isEqualTo(v2);
        assertThat(store.read("bob", 1)).isEqualTo(v1);
    }
}
