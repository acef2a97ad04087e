package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit of directory fsyncs: writers share an fsync, and each returns only after an fsync that
 * began once its own entry was in the directory.
 */
class DirectoryCommitTest {

    /** What each real fsync covered: the names in the directory when it began. */
    private final List<Set<String>> covered = new CopyOnWriteArrayList<>();

    private Set<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
    }

    @Test
    void a_lone_writer_fsyncs_at_once_and_alone(@TempDir Path dir) throws Exception {
        DirectoryCommit commit = new DirectoryCommit(dir, d -> covered.add(names(d)));
        Files.createFile(dir.resolve("1.gsv"));
        commit.sync();
        Files.createFile(dir.resolve("2.gsv"));
        commit.sync();
        assertThat(covered).containsExactly(Set.of("1.gsv"), Set.of("1.gsv", "2.gsv"));
        assertThat(commit.idle()).isTrue();
    }

    @Test
    void writers_arriving_during_an_fsync_share_the_next_one_and_each_entry_is_covered(@TempDir Path dir) throws Exception {
        CountDownLatch firstFsyncMayEnd = new CountDownLatch(1);
        DirectoryCommit commit = new DirectoryCommit(dir, d -> {
            covered.add(names(d));
            if (covered.size() == 1) {
                awaitLatch(firstFsyncMayEnd);
            }
        });
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<Future<String>> writers = new ArrayList<>();
            writers.add(pool.submit(() -> link(dir, 0, commit)));
            await().atMost(Duration.ofSeconds(30)).until(() -> covered.size() == 1);
            for (int i = 1; i < 64; i++) {
                int n = i;
                writers.add(pool.submit(() -> link(dir, n, commit)));
            }
            // all 63 joined the open batch while the first fsync still runs
            await().atMost(Duration.ofSeconds(30)).until(() -> commit.waiting() == 63);
            assertThat(writers.stream().filter(Future::isDone)).isEmpty();
            firstFsyncMayEnd.countDown();
            for (Future<String> w : writers) {
                String name = w.get(30, TimeUnit.SECONDS);
                // the writer returned: some fsync that began after its link covered its entry
                assertThat(covered).anySatisfy(names -> assertThat(names).contains(name));
            }
            // 64 entries made durable by 2 fsyncs: the first writer's, then one for the 63 that waited
            assertThat(covered).hasSize(2);
            assertThat(covered.get(0)).containsExactly("0.gsv");
            assertThat(covered.get(1)).hasSize(64);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void a_failed_fsync_fails_every_writer_of_its_batch_without_a_retry(@TempDir Path dir) throws Exception {
        CountDownLatch firstFsyncMayEnd = new CountDownLatch(1);
        DirectoryCommit commit = new DirectoryCommit(dir, d -> {
            covered.add(names(d));
            if (covered.size() == 1) {
                awaitLatch(firstFsyncMayEnd);
                return;
            }
            throw new IOException("EIO");
        });
        CompletableFuture<String> first = CompletableFuture.supplyAsync(() -> linkUnchecked(dir, 0, commit));
        await().atMost(Duration.ofSeconds(30)).until(() -> covered.size() == 1);
        List<CompletableFuture<String>> batch = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            int n = i;
            batch.add(CompletableFuture.supplyAsync(() -> linkUnchecked(dir, n, commit)));
        }
        await().atMost(Duration.ofSeconds(30)).until(() -> commit.waiting() == 3);
        firstFsyncMayEnd.countDown();
        assertThat(first.get(30, TimeUnit.SECONDS)).isEqualTo("0.gsv");
        for (CompletableFuture<String> w : batch) {
            assertThatThrownBy(() -> w.get(30, TimeUnit.SECONDS)).hasStackTraceContaining("EIO");
        }
        assertThat(covered).hasSize(2);
    }

    private static String link(Path dir, int n, DirectoryCommit commit) throws IOException {
        String name = n + ".gsv";
        Files.createFile(dir.resolve(name));
        commit.sync();
        return name;
    }

    private static String linkUnchecked(Path dir, int n, DirectoryCommit commit) {
        try {
            return link(dir, n, commit);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitLatch(CountDownLatch latch) throws IOException {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IOException("test latch never released");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
