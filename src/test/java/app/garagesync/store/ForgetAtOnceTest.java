package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention in restic's two steps: versions outside the policy leave the list, reads and verify with
 * the backup that pushed them out; only their blobs wait for a batch of them (garagesync.retention.batch).
 */
class ForgetAtOnceTest {

    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Pattern ID = Pattern.compile("\"id\":(\\d+)");

    /** keep-last=3, batch 10: the policy holds after every backup, the batch only delays deletions. */
    private static final String[] KEEP_LAST_3 = {"garagesync.retention.keep-last", "3", "garagesync.retention.batch", "10"};

    static List<Long> listed(Http http) {
        Http.Response r = http.get("/api/backup/versions");
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<Long> ids = new ArrayList<>();
        Matcher m = ID.matcher(r.body());
        while (m.find()) {
            ids.add(Long.parseLong(m.group(1)));
        }
        return ids;
    }

    /**
     * Whether the version's blob is on disk: a file of its own or a live record of the user's pack. Read
     * without opening the pack for writing, since the daemon owning the data directory may be running.
     */
    static boolean blob(Path data, String user, long id) throws java.io.IOException {
        return StoredVersions.ids(data, user).contains(id);
    }

    /** Posts backups {@code from..to} and checks, right after each answer, that keep-last holds. */
    static void postCheckingKeepLast(Http http, int from, int to) {
        for (int i = from; i <= to; i++) {
            Http.Response r = http.postJson("/api/backup", Backups.small(i));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            List<Long> expected = new ArrayList<>();
            for (long id = i; id >= Math.max(1, i - 2); id--) {
                expected.add(id);
            }
            assertThat(listed(http)).as("versions listed right after backup %d", i).isEqualTo(expected);
        }
    }

    static void assertForgottenAndKept(Http http, int newest) {
        for (int i = 1; i <= newest; i++) {
            Http.Response r = http.get("/api/backup?version=" + i);
            if (i > newest - 3) {
                assertThat(r.body()).as("kept version %d", i).isEqualTo(Backups.small(i));
            } else {
                assertThat(r.status()).as("forgotten version %d: %s", i, r).isEqualTo(404);
            }
        }
        String verify = http.postJson("/api/admin/verify", "{}").body();
        assertThat(verify).as("verify").contains("\"ok\":true", "\"versions\":3,");
    }

    @Test
    void versions_outside_the_policy_leave_at_once_and_their_blobs_go_with_the_batch(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir, KEEP_LAST_3)) {
            Http http = daemon.http().as("shop");
            postCheckingKeepLast(http, 1, 6);
            assertForgottenAndKept(http, 6);
            // forgotten, not yet pruned: 3 of a batch of 10
            for (long id = 1; id <= 6; id++) {
                assertThat(blob(dir, "shop", id)).as("blob of version %d before the batch", id).isTrue();
            }
            postCheckingKeepLast(http, 7, 12);
            assertThat(blob(dir, "shop", 1)).as("9 forgotten: still below the batch").isTrue();
            postCheckingKeepLast(http, 13, 13);
            await().atMost(WAIT).until(() -> !blob(dir, "shop", 10));
            for (long id = 1; id <= 10; id++) {
                assertThat(blob(dir, "shop", id)).as("blob of version %d after the batch", id).isFalse();
            }
            assertForgottenAndKept(http, 13);
        }
    }

    /** kill -9 between forget and prune: forgotten stays forgotten, the blobs go later, verify is clean. */
    @Test
    void a_crash_between_forget_and_prune_leaves_the_forgotten_forgotten(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path log = dir.resolve("daemon.log");
        try (ChildDaemon child = ChildDaemon.start(data, log, "garagesync.retention.keep-last=3", "garagesync.retention.batch=10")) {
            postCheckingKeepLast(child.http().as("shop"), 1, 6);
            child.kill();
        }
        assertThat(blob(data, "shop", 1)).as("forgotten, not pruned before the kill").isTrue();
        try (ChildDaemon child = ChildDaemon.start(data, log, "garagesync.retention.keep-last=3", "garagesync.retention.batch=10")) {
            Http http = child.http().as("shop");
            assertThat(listed(http)).containsExactly(6L, 5L, 4L);
            assertForgottenAndKept(http, 6);
            // loading deleted the forgotten blobs no kept version is rebuilt through (1 and 2; 3 stays while
            // version 4 is a delta of it): ten more backups make a batch whatever loading left
            postCheckingKeepLast(http, 7, 16);
            await().atMost(WAIT).until(() -> !blob(data, "shop", 12));
            for (long id = 1; id <= 12; id++) {
                assertThat(blob(data, "shop", id)).as("blob of version %d after the batch", id).isFalse();
            }
            assertForgottenAndKept(http, 16);
        }
    }

    /** What one daemon forgot on a shared bucket, the other does not list, read nor verify. */
    @Test
    void a_version_one_daemon_forgot_is_forgotten_for_every_daemon_on_the_bucket(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"))) {
            List<String> p = new ArrayList<>(List.of(s3.storeProperties("garage/")));
            p.addAll(List.of(KEEP_LAST_3));
            String[] properties = p.toArray(String[]::new);
            try (RunningDaemon a = RunningDaemon.start(dir.resolve("a"), properties);
                 RunningDaemon b = RunningDaemon.start(dir.resolve("b"), properties)) {
                Http httpA = a.http().as("shop");
                Http httpB = b.http().as("shop");
                // B loads the user before A forgets anything
                assertThat(httpB.get("/api/backup/versions").status()).isEqualTo(200);
                postCheckingKeepLast(httpA, 1, 6);
                assertThat(listed(httpB)).containsExactly(6L, 5L, 4L);
                assertForgottenAndKept(httpB, 6);
                // B goes on, and prunes what A forgot once its batch is reached
                postCheckingKeepLast(httpB, 7, 13);
                assertForgottenAndKept(httpA, 13);
                S3BlobStore bucket = new S3BlobStore(S3BlobStore.client("us-east-1", s3.endpoint(), S3Server.ACCESS,
                        S3Server.SECRET, true), S3Server.BUCKET, "garage/");
                await().atMost(WAIT).until(() -> !bucket.list("users/shop/versions/").containsKey(VersionKeys.fileName(10)));
                assertThat(bucket.list("users/shop/versions/").keySet()).containsExactlyInAnyOrder(
                        VersionKeys.fileName(11), VersionKeys.fileName(12), VersionKeys.fileName(13));
                assertForgottenAndKept(httpA, 13);
                assertForgottenAndKept(httpB, 13);
            }
        }
    }
}
