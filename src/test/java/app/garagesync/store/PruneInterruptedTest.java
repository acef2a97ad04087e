package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.backup.BackupReader;
import app.garagesync.ops.StoreVerifier;
import app.garagesync.testing.Backups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A prune interrupted after recording what it removes, before removing all of it, is finished at load. */
class PruneInterruptedTest {

    private static VersionStore open(Path dir) {
        return new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 1, new VersionStore.StoragePolicy(100.0, 50));
    }

    @Test
    void versions_recorded_as_pruned_are_removed_at_load_and_the_rest_reads_back(@TempDir Path dir) throws Exception {
        BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);
        VersionStore store = open(dir);
        for (int i = 1; i <= 4; i++) {
            byte[] b = Backups.small(i).getBytes(StandardCharsets.UTF_8);
            store.put("p", b, reader.read(b));
        }
        byte[] second = StoredVersions.read(dir, "p", 2); // a delta of version 1
        assertThat(store.prune("p", v -> Set.of(3L, 4L))).containsExactly(1L, 2L);
        assertThat(StoredVersions.ids(dir, "p")).containsExactly(3L, 4L);
        // what a kill between the two deletions leaves: 1 gone, 2 (whose parent is gone) still there; put back
        // as a file of its own (a pack's deletions are one write, so the file is how 2 can still be there)
        StoredVersions.overwrite(dir, "p", 2, second);
        assertThat(StoredVersions.ids(dir, "p")).containsExactly(2L, 3L, 4L);

        VersionStore reopened = open(dir);
        assertThat(reopened.versions("p")).extracting(VersionInfo::id).containsExactly(4L, 3L);
        assertThat(StoredVersions.ids(dir, "p")).as("version 2 removed from the store").containsExactly(3L, 4L);
        assertThat(Files.exists(StoredVersions.file(dir, "p", 2))).isFalse();
        assertThat(reopened.read("p", 3)).isEqualTo(Backups.small(3).getBytes(StandardCharsets.UTF_8));
        assertThat(reopened.read("p", 4)).isEqualTo(Backups.small(4).getBytes(StandardCharsets.UTF_8));
        assertThat(new StoreVerifier(reopened, reader).verify(List.of("p")).problems()).isEmpty();
    }
}
