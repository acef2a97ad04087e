package app.garagesync.store;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.backup.BackupReader;
import app.garagesync.testing.Backups;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fsync of a user's versions folder runs after the user's lock: while version 1's folder fsync is held
 * up, the same user's version 2 (a delta of it) is written and acknowledged, and its own folder fsync, begun
 * after both links, lists version 1 too. Version 1 is never listed before a folder fsync that covers it.
 * A real file store, whose folder fsync of version 1 is held on a latch (a slow disk).
 */
class FolderFsyncOutsideLockTest {

    private final BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);

    /** A file store whose making-durable of version 1's name waits until {@link #release}. */
    private static final class SlowFirstFsync implements BlobStore {
        private final FileBlobStore files;
        final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch release = new CountDownLatch(1);

        SlowFirstFsync(Path dir) {
            files = new FileBlobStore(dir);
        }

        private void holdIfFirst(String key) {
            if (key.endsWith("/0000000001.gsv")) {
                held.countDown();
                try {
                    release.await(60, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        void release() {
            release.countDown();
        }

        @Override
        public long create(String key, DurableFiles.Content content) throws IOException {
            long size = files.create(key, content);
            holdIfFirst(key); // the fsync of the folder, inside create
            return size;
        }

        @Override
        public long createUncommitted(String key, DurableFiles.Content content) throws IOException {
            return files.createUncommitted(key, content);
        }

        @Override
        public void commitCreated(String key) throws IOException {
            holdIfFirst(key);
            files.commitCreated(key);
        }

        @Override
        public long replace(String key, DurableFiles.Content content) throws IOException {
            return files.replace(key, content);
        }

        @Override
        public long replaceAtomically(String key, DurableFiles.Content content) throws IOException {
            return files.replaceAtomically(key, content);
        }

        @Override
        public byte[] read(String key) throws IOException {
            return files.read(key);
        }

        @Override
        public Tagged readTagged(String key) throws IOException {
            return files.readTagged(key);
        }

        @Override
        public long replaceIf(String key, String tag, DurableFiles.Content content) throws IOException {
            return files.replaceIf(key, tag, content);
        }

        @Override
        public byte[] readHead(String key, int max) throws IOException {
            return files.readHead(key, max);
        }

        @Override
        public Map<String, Long> list(String prefix) throws IOException {
            return files.list(prefix);
        }

        @Override
        public List<String> folders(String prefix) throws IOException {
            return files.folders(prefix);
        }

        @Override
        public void delete(String key) throws IOException {
            files.delete(key);
        }

        @Override
        public boolean shared() {
            return false;
        }
    }

    @Test
    void a_users_next_backup_is_written_and_acknowledged_while_the_folder_fsync_of_the_previous_one_runs(
            @TempDir Path dir) throws Exception {
        SlowFirstFsync blobs = new SlowFirstFsync(dir);
        VersionStore store = new VersionStore(blobs, Clock.systemUTC(), 1, new VersionStore.StoragePolicy(1.0, 100));
        byte[] v1 = Backups.small(1).getBytes(UTF_8);
        byte[] v2 = Backups.small(2).getBytes(UTF_8);
        try {
            CompletableFuture<StoreResult> first = CompletableFuture.supplyAsync(() -> store.put("shop", v1, reader.read(v1)));
            assertThat(blobs.held.await(30, TimeUnit.SECONDS)).as("version 1 reached its folder fsync").isTrue();
            assertThat(store.version("shop", 1)).as("not listed before its folder fsync").isEmpty();

            CompletableFuture<StoreResult> second = CompletableFuture.supplyAsync(() -> store.put("shop", v2, reader.read(v2)));
            await("version 2 acknowledged while version 1's fsync is held").atMost(Duration.ofSeconds(30))
                    .until(second::isDone);
            assertThat(second.get()).isInstanceOf(StoreResult.Stored.class);
            assertThat(second.get().version().id()).isEqualTo(2);
            assertThat(first).as("version 1's own request still waits for its fsync").isNotDone();
            // version 2's folder fsync began after both links: both are durable, both listed and read back
            assertThat(store.read("shop", 1)).isEqualTo(v1);
            assertThat(store.read("shop", 2)).isEqualTo(v2);
            blobs.release();
            assertThat(first.get(30, TimeUnit.SECONDS).version().id()).isEqualTo(1);
        } finally {
            blobs.release();
        }
    }
}
