package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.backup.BackupReader;
import app.garagesync.store.delta.Layout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 11: the latest's layout, after a version stored as a delta, is the one a read rebuilds (its parent's
 * buffers where the delta copies, the delta's bytes where it inserts), not the request's: the comparisons of the
 * changes feed and the merge then find the records the two versions share without comparing 50 MB of bytes, and
 * the request's array is let go of.
 */
class LayoutSharingTest {

    private final BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);

    private static byte[] garage(int edited) {
        StringBuilder b = new StringBuilder("{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"data\":{\"customers\":[");
        for (int i = 0; i < 2000; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i).append("\",\"name\":\"Client ")
                    .append(i == edited ? "modifié" : "Dupré").append("\"}");
        }
        return b.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void the_latest_after_a_delta_shares_its_parents_buffers_and_not_the_requests(@TempDir Path dir) {
        VersionStore store = new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 3,
                new VersionStore.StoragePolicy(1.0, 10));
        byte[] first = garage(-1);
        byte[] second = garage(700);
        store.put("anne", first, reader.read(first));
        store.put("anne", second, reader.read(second));
        assertThat(store.versions("anne").get(0).id()).isEqualTo(2);

        Layout.Items older = store.layout("anne", 1).items().get(0);
        Layout.Items latest = store.layout("anne", 2).items().get(0);
        assertThat(latest.start()).hasSize(2000);
        int shared = 0;
        for (int i = 0; i < 2000; i++) {
            assertThat(latest.buffers()[i]).as("item %d", i).isNotSameAs(second);
            if (latest.buffers()[i] == older.buffers()[i] && latest.start()[i] == older.start()[i]) {
                shared++;
            }
        }
        assertThat(shared).as("records both versions hold, found without comparing bytes").isEqualTo(1999);
        assertThat(store.read("anne", 2)).isEqualTo(second);
        assertThat(store.read("anne", 1)).isEqualTo(first);
    }

    @Test
    void a_users_first_version_is_not_kept_in_memory_and_the_next_ones_are(@TempDir Path dir) {
        VersionStore store = new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 3,
                new VersionStore.StoragePolicy(1.0, 10));
        byte[] first = garage(-1);
        store.put("anne", first, reader.read(first));
        assertThat(store.layoutCacheBytes()).as("a first version, held by no layout in memory").isZero();
        // the next version reads it back for its delta, and is kept
        byte[] second = garage(700);
        store.put("anne", second, reader.read(second));
        assertThat(store.layoutCacheBytes()).isGreaterThanOrEqualTo(second.length);
        assertThat(store.versions("anne").get(0).storedSize()).isLessThan(first.length / 20L);
        assertThat(store.read("anne", 2)).isEqualTo(second);
    }

    @Test
    void a_third_version_is_still_a_small_delta_computed_with_the_latests_ids(@TempDir Path dir) {
        VersionStore store = new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 3,
                new VersionStore.StoragePolicy(1.0, 10));
        for (byte[] doc : List.of(garage(-1), garage(700), garage(5))) {
            store.put("anne", doc, reader.read(doc));
        }
        VersionInfo third = store.versions("anne").get(0);
        assertThat(third.id()).isEqualTo(3);
        assertThat(third.storedSize()).as("a delta, not a checkpoint").isLessThan(1000);
        assertThat(store.read("anne", 3)).isEqualTo(garage(5));
    }
}
