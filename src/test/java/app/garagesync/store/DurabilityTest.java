package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An acknowledged backup survives a restart, a crash, and is on stable storage when acknowledged. */
class DurabilityTest {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

    @Test
    void versions_and_settings_survive_a_restart(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("keeper");
            http.postJson("/api/backup", Backups.small(1));
            http.postJson("/api/backup", Backups.small(2));
            http.putJson("/api/sync/settings", "{\"enabled\":true}");
        }
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("keeper");
            assertThat(http.get("/api/backup?version=1").body()).isEqualTo(Backups.small(1));
            assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(2));
            assertThat(http.get("/api/sync/settings").body()).isEqualTo("{\"enabled\":true}");
            assertThat(http.postJson("/api/backup", Backups.small(3)).body()).contains("\"version\":3");
        }
    }

    @Test
    void a_second_daemon_cannot_take_the_same_data_directory(@TempDir Path dir) {
        try (RunningDaemon first = RunningDaemon.start(dir)) {
            assertThatThrownBy(() -> RunningDaemon.start(dir)).hasStackTraceContaining("in use by another garage-sync process");
            assertThat(first.http().get("/api/health").status()).isEqualTo(200);
        }
    }

    /**
     * A user's first version makes its pack file, whose name an fsync of the folder makes durable; each
     * version after it is an append to that pack, made durable by the pack's fdatasync (a file fsync).
     */
    @Test
    void every_acknowledged_write_fsyncs_its_pack_and_a_new_pack_its_directory(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("synced");
            long firstDirs = DurableFiles.directorySyncs();
            long firstFiles = DurableFiles.fileSyncs();
            assertThat(http.postJson("/api/backup", Backups.small(0)).status()).isEqualTo(201);
            // other tests may run in parallel in this JVM, so at least, not exactly
            assertThat(DurableFiles.fileSyncs() - firstFiles).as("the new pack's fdatasync").isGreaterThanOrEqualTo(1);
            assertThat(DurableFiles.directorySyncs() - firstDirs).as("versions/ and the pack's name").isGreaterThanOrEqualTo(2);
            long files = DurableFiles.fileSyncs();
            long commits = DurableFiles.packCommits();
            for (int i = 1; i <= 5; i++) {
                assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
            }
            assertThat(DurableFiles.fileSyncs() - files).isGreaterThanOrEqualTo(5);
            assertThat(DurableFiles.packCommits() - commits).isGreaterThanOrEqualTo(5);
            long unchangedFiles = DurableFiles.fileSyncs();
            assertThat(http.postJson("/api/backup", Backups.small(5)).status()).isEqualTo(200);
            assertThat(DurableFiles.fileSyncs()).isEqualTo(unchangedFiles);
        }
    }

    /**
     * 64 clients at once, four to a user (so writers meet in the same folders and the new users' folders
     * in users/): group commit may share a pack's fdatasync or a directory fsync between them, but every
     * 201 still counts its own version made durable in its pack, and the metrics show both.
     */
    @Test
    void every_acknowledged_write_of_64_concurrent_clients_is_fsynced_with_its_directory_entry(@TempDir Path dir)
            throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            long files = DurableFiles.fileSyncs();
            long commits = DurableFiles.packCommits();
            long dirs = DurableFiles.directorySyncs();
            AtomicInteger acks = new AtomicInteger();
            AtomicInteger counter = new AtomicInteger();
            java.util.concurrent.ExecutorService clients = java.util.concurrent.Executors.newFixedThreadPool(64);
            try {
                java.util.List<java.util.concurrent.Future<?>> done = new java.util.ArrayList<>();
                for (int c = 0; c < 64; c++) {
                    Http http = daemon.http().as("crowd-" + (c % 16));
                    done.add(clients.submit(() -> {
                        for (int i = 0; i < 4; i++) {
                            if (http.postJson("/api/backup", Backups.small(counter.incrementAndGet())).status() == 201) {
                                acks.incrementAndGet();
                            }
                        }
                    }));
                }
                for (java.util.concurrent.Future<?> f : done) {
                    f.get(120, java.util.concurrent.TimeUnit.SECONDS);
                }
            } finally {
                clients.shutdownNow();
            }
            assertThat(acks.get()).isEqualTo(256);
            // other tests may run in parallel in this JVM, so at least, not exactly
            assertThat(DurableFiles.packCommits() - commits).isGreaterThanOrEqualTo(acks.get());
            // 16 users: a pack each, whose fdatasyncs four writers may share, and 16 new pack names made durable
            assertThat(DurableFiles.fileSyncs() - files).isGreaterThanOrEqualTo(16);
            assertThat(DurableFiles.directorySyncs() - dirs).isGreaterThanOrEqualTo(16);
            String metrics = daemon.http().get("/api/metrics").body();
            assertThat(metrics).contains("garagesync_fsync_total", "kind=\"file\"", "kind=\"directory\"",
                    "garagesync_directory_commits_total", "garagesync_pack_commits_total");
        }
    }

    /**
     * kill -9 while 64 clients post small backups for 16 users at once: every acknowledged version reads
     * back exactly after a restart. Rounds: garagesync.crash.crowd-rounds (2 by default).
     */
    @Test
    void acknowledged_backups_survive_kill_minus_9_during_64_concurrent_posts(@TempDir Path dir) throws Exception {
        int rounds = Integer.getInteger("garagesync.crash.crowd-rounds", 2);
        Random random = new Random(Long.getLong("garagesync.crash.seed", System.nanoTime()));
        Path log = dir.resolve("daemon.log");
        Map<String, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger counter = new AtomicInteger();
        for (int round = 0; round < rounds; round++) {
            ChildDaemon child = ChildDaemon.start(dir.resolve("data"), log);
            int killAfter = 16 + random.nextInt(100);
            AtomicInteger acks = new AtomicInteger();
            Thread[] posters = new Thread[64];
            for (int t = 0; t < posters.length; t++) {
                String user = "crowd-" + (t % 16);
                Http http = child.http().as(user);
                posters[t] = new Thread(() -> {
                    while (true) {
                        String body = Backups.small(counter.incrementAndGet());
                        Http.Response r;
                        try {
                            r = http.postJson("/api/backup", body);
                        } catch (RuntimeException connectionGone) {
                            return;
                        }
                        Matcher m = VERSION.matcher(r.body());
                        if (r.status() == 201 && m.find()) {
                            acknowledged.put(user + "/" + m.group(1), body);
                            acks.incrementAndGet();
                        }
                    }
                });
                posters[t].start();
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(120)).until(() -> acks.get() >= killAfter);
            child.kill();
            for (Thread t : posters) {
                t.join(30_000);
            }
        }
        ChildDaemon last = ChildDaemon.start(dir.resolve("data"), log);
        try {
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(16 * rounds);
            for (Map.Entry<String, String> e : acknowledged.entrySet()) {
                String[] userAndVersion = e.getKey().split("/");
                Http http = last.http().as(userAndVersion[0]);
                assertThat(http.get("/api/backup?version=" + userAndVersion[1]).body()).as(e.getKey()).isEqualTo(e.getValue());
            }
            for (int u = 0; u < 16; u++) {
                Path versions = dir.resolve("data/users/crowd-" + u + "/versions");
                if (Files.isDirectory(versions)) {
                    try (Stream<Path> files = Files.list(versions)) {
                        assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("\\d{10}\\.gsv|pack-\\d{10}\\.gsp"));
                    }
                }
            }
        } finally {
            last.close();
        }
    }

    /**
     * kill -9 while backups are posted: every acknowledged version reads back exactly after a restart,
     * and only whole version files are visible. (kill -9 keeps the page cache, so this shows the
     * protocol leaves no torn state; the fsync test above covers power loss.)
     */
    @Test
    void acknowledged_backups_survive_kill_minus_9_during_ingest(@TempDir Path dir) throws Exception {
        int rounds = Integer.getInteger("garagesync.crash.rounds", 4);
        Random random = new Random(Long.getLong("garagesync.crash.seed", System.nanoTime()));
        Path log = dir.resolve("daemon.log");
        Map<Long, String> acknowledged = new ConcurrentHashMap<>();
        AtomicInteger counter = new AtomicInteger();
        for (int round = 0; round < rounds; round++) {
            ChildDaemon child = ChildDaemon.start(dir.resolve("data"), log);
            int killAfter = 1 + random.nextInt(15);
            AtomicInteger acks = new AtomicInteger();
            Thread[] posters = new Thread[3];
            for (int t = 0; t < posters.length; t++) {
                Http http = child.http().as("crash");
                posters[t] = new Thread(() -> {
                    while (true) {
                        String body = Backups.small(counter.incrementAndGet());
                        Http.Response r;
                        try {
                            r = http.postJson("/api/backup", body);
                        } catch (RuntimeException connectionGone) {
                            return;
                        }
                        Matcher m = VERSION.matcher(r.body());
                        if (r.status() == 201 && m.find()) {
                            acknowledged.put(Long.parseLong(m.group(1)), body);
                            acks.incrementAndGet();
                        }
                    }
                });
                posters[t].start();
            }
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60)).until(() -> acks.get() >= killAfter);
            child.kill();
            for (Thread t : posters) {
                t.join(30_000);
            }
        }
        ChildDaemon last = ChildDaemon.start(dir.resolve("data"), log);
        try {
            Http http = last.http().as("crash");
            assertThat(acknowledged).hasSizeGreaterThanOrEqualTo(rounds);
            for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
                assertThat(http.get("/api/backup?version=" + e.getKey()).body()).as("version " + e.getKey()).isEqualTo(e.getValue());
            }
            try (Stream<Path> files = Files.list(dir.resolve("data/users/crash/versions"))) {
                assertThat(files.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("\\d{10}\\.gsv|pack-\\d{10}\\.gsp"));
            }
            // every version the listing shows, acknowledged or not, reads back whole
            String versions = http.get("/api/backup/versions").body();
            Matcher ids = Pattern.compile("\"id\":(\\d+)").matcher(versions);
            while (ids.find()) {
                assertThat(http.get("/api/backup?version=" + ids.group(1)).status()).isEqualTo(200);
            }
        } finally {
            last.close();
        }
    }
}
