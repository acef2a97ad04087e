package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.garagesync.Json;
import app.garagesync.store.S3BlobStore;
import app.garagesync.store.StoredVersions;
import app.garagesync.testing.Backups;
import app.garagesync.testing.FaultyProxy;
import app.garagesync.testing.FaultyProxy.Mode;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import app.garagesync.testing.SmallDisk;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The storage under the daemon fails (a folder that cannot be written, a file system remounted
 * read-only, a full disk, an S3 store that cannot be reached): each request that needs it gets a 503
 * (507 for a full disk) with Retry-After and a JSON error, never a 500; nothing is stored; health says
 * DOWN while it lasts and UP again once the storage is back; every version acknowledged before is intact.
 */
class DependencyDownTest {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void a_versions_folder_that_cannot_be_written_answers_503_and_health_is_down_until_it_can(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        Path versions = data.resolve("users").resolve("anna").resolve("versions");
        try (RunningDaemon daemon = RunningDaemon.start(data)) {
            Http http = daemon.http().as("anna");
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(http.postJson("/api/backup", Backups.small(10)).status()).isEqualTo(201);
            assertThat(http.get("/api/health").status()).isEqualTo(200);

            // a folder the daemon cannot create a file in, whoever it runs as: a file where the folder was
            Files.move(versions, versions.resolveSibling("versions.aside"));
            Files.writeString(versions, "not a folder");

            assertUnavailable(http.postJson("/api/backup", Backups.small(2)), 503, "store_unavailable");
            assertUnavailable(patch(http, "{\"baseVersion\":2,\"upserts\":{\"customers\":[{\"id\":\"c9\"}]}}"),
                    503, "store_unavailable");
            // an older version (read from disk, not memory) that cannot be opened is not damaged: it is
            // there again once the folder is
            assertUnavailable(http.get("/api/backup?version=1"), 503, "store_unavailable");
            Http.Response health = http.get("/api/health");
            assertThat(health.status()).as(health.toString()).isEqualTo(503);
            assertThat(health.body()).contains("\"store\"").contains("Not a directory");

            Files.delete(versions);
            Files.move(versions.resolveSibling("versions.aside"), versions);
            await().atMost(WAIT).until(() -> http.get("/api/health").status() == 200);
            assertThat(http.postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
            assertThat(http.get("/api/backup?version=1").body()).isEqualTo(Backups.small(1));
            assertThat(http.get("/api/backup?version=2").body()).isEqualTo(Backups.small(10));
        }

        // the same fault found by a daemon starting on it: it starts, answers 503 and reports it
        Files.move(versions, versions.resolveSibling("versions.aside"));
        Files.writeString(versions, "not a folder");
        try (RunningDaemon daemon = RunningDaemon.start(data)) {
            Http http = daemon.http().as("anna");
            assertUnavailable(http.postJson("/api/backup", Backups.small(3)), 503, "store_unavailable");
            assertUnavailable(http.get("/api/backup"), 503, "store_unavailable");
            assertThat(http.get("/api/health").status()).isEqualTo(503);
            // other users are served meanwhile
            assertThat(daemon.http().as("bruno").postJson("/api/backup", Backups.small(4)).status()).isEqualTo(201);

            Files.delete(versions);
            Files.move(versions.resolveSibling("versions.aside"), versions);
            await().atMost(WAIT).until(() -> http.get("/api/health").status() == 200);
            assertThat(http.postJson("/api/backup", Backups.small(3)).status()).isEqualTo(201);
            assertThat(http.get("/api/backup?version=3").body()).isEqualTo(Backups.small(2));
        }
    }

    @Test
    void a_users_folder_remounted_read_only_answers_503_and_health_is_down_until_it_is_writable(@TempDir Path dir)
            throws Exception {
        Path data = dir.resolve("data");
        Optional<SmallDisk> mounted = SmallDisk.mount(data.resolve("users"), 64L << 20);
        assumeTrue(mounted.isPresent(), "needs the right to mount a tmpfs (root): a read-only file system cannot be had otherwise");
        try (SmallDisk users = mounted.get()) {
            try (RunningDaemon daemon = RunningDaemon.start(data)) {
                Http http = daemon.http().as("bob");
                assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
                assertThat(http.get("/api/health").status()).isEqualTo(200);

                users.readOnly();
                assertUnavailable(http.postJson("/api/backup", Backups.small(2)), 503, "store_unavailable");
                assertUnavailable(patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c9\"}]}}"),
                        503, "store_unavailable");
                assertUnavailable(http.putJson("/api/sync/settings", "{\"enabled\": true}"), 503, "store_unavailable");
                Http.Response health = http.get("/api/health");
                assertThat(health.status()).as(health.toString()).isEqualTo(503);
                assertThat(health.body()).contains("Read-only file system");
                // what was stored is still served
                assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(1));
            }
            // a restart on a read-only users folder: DOWN at once, before any write failed
            try (RunningDaemon daemon = RunningDaemon.start(data)) {
                Http http = daemon.http().as("bob");
                assertThat(http.get("/api/health").status()).isEqualTo(503);
                assertUnavailable(http.postJson("/api/backup", Backups.small(2)), 503, "store_unavailable");

                users.readWrite();
                await().atMost(WAIT).until(() -> http.get("/api/health").status() == 200);
                assertThat(http.postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
                assertThat(http.get("/api/backup?version=1").body()).isEqualTo(Backups.small(1));
            }
        }
    }

    @Test
    void a_full_disk_answers_507_with_retry_after_stores_nothing_and_takes_the_backup_once_there_is_room(
            @TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Optional<SmallDisk> mounted = SmallDisk.mount(data, 4L << 20);
        assumeTrue(mounted.isPresent(), "needs the right to mount a tmpfs (root): a small real disk cannot be had otherwise");
        try (SmallDisk disk = mounted.get();
             RunningDaemon daemon = RunningDaemon.start(data, "garagesync.health.min-free-space", "1MB")) {
            Http http = daemon.http().as("chloe");
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(http.get("/api/health").status()).isEqualTo(200);

            // another program fills the disk, leaving less than the next backup needs
            Path filler = data.resolve("filler");
            Files.write(filler, new byte[(int) (disk.usableSpace() - 100_000)]);
            String big = incompressible(400);

            List<String> log = logDuring(() -> assertUnavailable(http.postJson("/api/backup", big), 507, "insufficient_storage"));
            assertThat(log).as("what the failed request logged").hasSize(1);
            assertThat(log.get(0)).contains("507").contains("No space left on device").doesNotContain("Exception");
            assertThat(http.get("/api/health").status()).isEqualTo(503);
            // version 1 is a record of the user's pack, which the failed backup would have been appended to
            // (under 1 MiB): no new version there, and beside the pack no new file, no temporary file
            assertThat(StoredVersions.ids(data, "chloe")).as("nothing stored").containsExactly(1L);
            assertThat(StoredVersions.filesOnDisk(data, "chloe")).as("no temporary file left")
                    .containsExactly("pack-0000000001.gsp");
            assertThat(http.get("/api/backup/versions").body().split("\"id\":", -1)).hasSize(2);

            Files.delete(filler);
            await().atMost(WAIT).until(() -> http.get("/api/health").status() == 200);
            assertThat(http.postJson("/api/backup", big).status()).isEqualTo(201);
            assertThat(http.get("/api/backup?version=1").body()).isEqualTo(Backups.small(1));
            assertThat(http.get("/api/backup?version=2").body()).isEqualTo(big);
        }
    }

    @Test
    void an_s3_store_that_cannot_be_reached_answers_503_and_health_is_down_until_it_answers(@TempDir Path dir)
            throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             FaultyProxy proxy = new FaultyProxy("127.0.0.1", s3.port());
             RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), concat(s3.storeProperties("down/"),
                     "garagesync.store.s3.endpoint", proxy.endpoint()))) {
            Http http = daemon.http().as("dora");
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(http.get("/api/health").status()).isEqualTo(200);

            proxy.mode(Mode.DOWN);
            assertUnavailable(http.postJson("/api/backup", Backups.small(2)), 503, "store_unavailable");
            assertUnavailable(http.get("/api/backup"), 503, "store_unavailable");
            assertUnavailable(http.get("/api/backup/versions"), 503, "store_unavailable");
            Http.Response health = http.get("/api/health");
            assertThat(health.status()).as(health.toString()).isEqualTo(503);
            assertThat(health.body()).contains("\"store\"");

            proxy.mode(Mode.HTTP500);
            assertUnavailable(http.postJson("/api/backup", Backups.small(2)), 503, "store_unavailable");
            // the store's one retry layer, as documented: the SDK's tries of that POST's first request
            assertThat(proxy.connections(Mode.HTTP500)).as("requests S3 received for one POST")
                    .isEqualTo(S3BlobStore.DEFAULT_ATTEMPTS);
            assertThat(http.get("/api/health").status()).isEqualTo(503);

            proxy.mode(Mode.PASS);
            await().atMost(WAIT).until(() -> http.get("/api/health").status() == 200);
            assertThat(http.postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
            assertThat(http.get("/api/backup?version=1").body()).isEqualTo(Backups.small(1));
            assertThat(http.get("/api/backup?version=2").body()).isEqualTo(Backups.small(2));
        }
    }

    private static void assertUnavailable(Http.Response r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        assertThat(r.header("Retry-After")).as("Retry-After of " + r).isNotBlank();
        Map<String, Object> body = Json.readMap(r.bytes());
        assertThat(body).containsEntry("error", code).containsKey("message");
        assertThat(((Number) body.get("status")).intValue()).isEqualTo(status);
        assertThat((String) body.get("message")).as("no path, no stack trace").doesNotContain("/").doesNotContain("Exception");
    }

    interface Step {
        void run() throws Exception;
    }

    /** The lines the daemon (in this JVM, logging to System.out in tests) wrote while {@code step} ran. */
    private static List<String> logDuring(Step step) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                original.write(b);
                captured.write(b);
            }

            @Override
            public void write(byte[] b, int off, int len) {
                original.write(b, off, len);
                captured.write(b, off, len);
            }
        }, true, StandardCharsets.UTF_8));
        try {
            step.run();
        } finally {
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
    }

    private static Http.Response patch(Http http, String body) {
        return http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    /** A valid backup of {@code records} customers with 1 KB of random letters each: zstd cannot shrink it much. */
    private static String incompressible(int records) {
        Random random = new Random(42);
        String letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        StringBuilder b = new StringBuilder("{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"data\":{\"customers\":[");
        for (int i = 0; i < records; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"note\":\"");
            for (int j = 0; j < 1000; j++) {
                b.append(letters.charAt(random.nextInt(letters.length())));
            }
            b.append("\"}");
        }
        return b.append("]}}").toString();
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
