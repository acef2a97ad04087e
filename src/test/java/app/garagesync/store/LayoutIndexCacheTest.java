package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.backup.BackupReader;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutIndex;
import app.garagesync.store.delta.LayoutScanner;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.EditableBackup.Doc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads from a checkpoint's layout index are exact, and a bad index is never trusted. */
class LayoutIndexCacheTest {

    private final BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);

    @TempDir
    Path dir;

    private LayoutIndexCache cache;

    private VersionStore store() {
        cache = new LayoutIndexCache(dir.resolve("cache"), 0); // every checkpoint: these documents are small
        return new VersionStore(new FileBlobStore(dir.resolve("data")), Clock.systemUTC(), 1,
                new VersionStore.StoragePolicy(1.0, 6), cache);
    }

    private List<byte[]> post(VersionStore store, int versions, long seed) {
        Random r = new Random(seed);
        Doc doc = EditableBackup.initial(r, 200);
        List<byte[]> posted = new ArrayList<>();
        for (int v = 0; v < versions; v++) {
            byte[] bytes = doc.bytes();
            if (store.put("u", bytes, reader.read(bytes)) instanceof StoreResult.Stored) {
                posted.add(bytes);
            }
            for (int k = 0; k < 1 + r.nextInt(6); k++) {
                EditableBackup.edit(doc, r);
            }
        }
        return posted;
    }

    /** Reads every version with a store that has nothing in memory; returns how many used an index. */
    private long readsBackExactly(List<byte[]> posted) {
        VersionStore cold = store(); // nothing cached in memory: every chain starts at its checkpoint
        for (VersionInfo v : cold.versions("u")) {
            assertThat(cold.read("u", v.id())).as("version %d", v.id()).isEqualTo(posted.get((int) v.id() - 1));
        }
        return cache.hits();
    }

    private List<Path> indexes() throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("cache"))) {
            return files.filter(f -> f.toString().endsWith(".idx")).toList();
        }
    }

    @Test
    void checkpoints_get_an_index_and_reads_through_it_are_exact() throws Exception {
        List<byte[]> posted = post(store(), 30, 3);
        assertThat(indexes()).isNotEmpty();
        assertThat(readsBackExactly(posted)).isPositive();
    }

    @Test
    void a_damaged_or_foreign_index_is_ignored_and_the_checkpoint_scanned() throws Exception {
        List<byte[]> posted = post(store(), 20, 4);
        List<Path> files = indexes();
        assertThat(files).hasSizeGreaterThan(1);
        // flip a byte in one, replace another by the index of a different document, truncate a third
        byte[] first = Files.readAllBytes(files.get(0));
        first[first.length / 2] ^= 0x40;
        Files.write(files.get(0), first);
        Files.copy(files.get(0), files.get(1), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.write(files.get(1), Files.readAllBytes(files.get(files.size() - 1)));
        if (files.size() > 2) {
            Files.write(files.get(2), new byte[] {0x28, (byte) 0xB5});
        }
        readsBackExactly(posted);
    }

    @Test
    void decoding_an_encoded_scan_gives_the_same_document_and_spans() {
        Random r = new Random(5);
        for (int round = 0; round < 200; round++) {
            Doc doc = EditableBackup.initial(r, r.nextInt(40));
            for (int k = 0; k < r.nextInt(20); k++) {
                EditableBackup.edit(doc, r);
            }
            byte[] bytes = doc.bytes();
            Layout scanned = LayoutScanner.scan(bytes, bytes.length);
            byte[] index = LayoutIndex.encode(scanned, bytes.length);
            Layout decoded = LayoutIndex.decode(index, bytes);
            assertThat(decoded.materialize()).isEqualTo(bytes);
            assertThat(decoded.itemCount()).isEqualTo(scanned.itemCount());
            assertThat(decoded.collectionCount()).isEqualTo(scanned.collectionCount());
            assertThat(LayoutIndex.encode(decoded, bytes.length)).isEqualTo(index);
        }
    }
}
