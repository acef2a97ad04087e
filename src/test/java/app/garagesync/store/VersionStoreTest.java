package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.garagesync.backup.BackupReader;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.EditableBackup.Doc;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every version reads back exactly across long delta chains, checkpoints and restarts. */
class VersionStoreTest {

    private final BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);

    private VersionStore store(Path dir, double ratio, int maxChain) {
        return new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 3, new VersionStore.StoragePolicy(ratio, maxChain));
    }

    private List<byte[]> postEdits(VersionStore store, String user, int versions, long seed) {
        Random r = new Random(seed);
        Doc doc = EditableBackup.initial(r, 300);
        List<byte[]> posted = new ArrayList<>();
        for (int v = 0; v < versions; v++) {
            byte[] bytes = doc.bytes();
            StoreResult result = store.put(user, bytes, reader.read(bytes));
            if (result instanceof StoreResult.Stored) {
                posted.add(bytes);
            }
            for (int k = 0; k < 1 + r.nextInt(8); k++) {
                EditableBackup.edit(doc, r);
            }
        }
        return posted;
    }

    @Test
    void every_version_of_a_long_chain_reads_back_exactly_also_after_a_restart(@TempDir Path dir) {
        List<byte[]> posted = postEdits(store(dir, 1.0, 10), "chain", 80, 1);
        for (VersionStore s : List.of(store(dir, 1.0, 10), store(dir, 0.3, 5))) {
            List<VersionInfo> versions = s.versions("chain");
            assertThat(versions).hasSize(posted.size());
            for (VersionInfo v : versions) {
                assertThat(s.read("chain", v.id())).as("version %d", v.id()).isEqualTo(posted.get((int) v.id() - 1));
            }
        }
    }

    @Test
    void small_changes_are_stored_as_small_deltas_with_periodic_checkpoints(@TempDir Path dir) throws Exception {
        VersionStore s = store(dir, 1.0, 10);
        List<byte[]> posted = postEdits(s, "deltas", 25, 2);
        long whole = 0;
        long deltas = 0;
        // each stored version, whether a record of the user's pack or a file of its own (a listing of the folder
        // shows the pack, one file for all of them)
        List<Long> ids = StoredVersions.ids(dir, "deltas");
        assertThat(ids).hasSize(25);
        for (long id : ids) {
            byte[] stored = StoredVersions.read(dir, "deltas", id);
            String head = new String(stored, 0, Math.min(400, stored.length), java.nio.charset.StandardCharsets.ISO_8859_1);
            if (head.contains("\"parent\"")) {
                deltas++;
            } else {
                whole++;
            }
        }
        // 25 versions, at most 10 deltas in a chain: at least 3 checkpoints, and deltas for the rest
        assertThat(whole).isGreaterThanOrEqualTo(3);
        assertThat(deltas).isGreaterThanOrEqualTo(15);
        VersionInfo first = s.version("deltas", 1).orElseThrow();
        VersionInfo second = s.version("deltas", 2).orElseThrow();
        assertThat(second.storedSize()).isLessThan(first.storedSize() / 5);
        assertThat(posted).hasSize(25);
    }

    @Test
    void whole_storage_policy_never_writes_deltas(@TempDir Path dir) throws Exception {
        List<byte[]> posted = postEdits(store(dir, 1.0, 0), "whole", 5, 3);
        // each stored version on its own: the folder holds one pack for all of them
        List<Long> ids = StoredVersions.ids(dir, "whole");
        assertThat(ids).hasSize(5);
        for (long id : ids) {
            assertThat(new String(StoredVersions.read(dir, "whole", id), java.nio.charset.StandardCharsets.ISO_8859_1))
                    .as("version %d", id).doesNotContain("\"parent\"");
        }
        assertThat(store(dir, 1.0, 0).read("whole", 5)).isEqualTo(posted.get(4));
    }

    @Test
    void a_damaged_checkpoint_is_reported_for_every_version_built_on_it(@TempDir Path dir) throws Exception {
        VersionStore s = store(dir, 10.0, 50);
        postEdits(s, "damaged", 6, 4);
        // the damaged bytes go to a file of version 1's own, which the store reads instead of its packed record
        StoredVersions.damage(dir, "damaged", 1, bytes -> {
            bytes[bytes.length - 20] ^= 0x01;
            return bytes;
        });
        VersionStore reopened = store(dir, 10.0, 50);
        for (long id = 1; id <= 6; id++) {
            long v = id;
            assertThatThrownBy(() -> reopened.read("damaged", v)).isInstanceOf(DamagedVersionException.class);
        }
        StoredVersions.delete(dir, "damaged", 3);
        VersionStore without3 = store(dir, 10.0, 50);
        assertThatThrownBy(() -> without3.read("damaged", 5)).isInstanceOf(DamagedVersionException.class)
                .hasMessageContaining("parent version 3 is missing");
    }
}
