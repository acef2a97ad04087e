package app.garagesync.ops;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.StoredVersions;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** POST /api/admin/verify names each damaged version; a damaged version is never served as whole. */
class VerifyTest {

    private static void post(Http http, int versions, long seed) {
        Random r = new Random(seed);
        EditableBackup.Doc doc = EditableBackup.initial(r, 50);
        for (int v = 0; v < versions; v++) {
            assertThat(http.postBytes("/api/backup", "application/json", doc.bytes()).status()).isEqualTo(201);
            EditableBackup.edit(doc, r);
            doc.add("customers", EditableBackup.entity("v" + v, r));
        }
    }

    private static byte[] flipNearEnd(byte[] bytes) {
        bytes[bytes.length - 10] ^= 0x20;
        return bytes;
    }

    @Test
    void verify_is_clean_then_catches_a_flipped_byte_and_a_missing_file(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            post(daemon.http(), 6, 1);
            post(daemon.http().as("other"), 2, 2);
            Http.Response clean = daemon.http().postJson("/api/admin/verify", "{}");
            assertThat(clean.status()).isEqualTo(200);
            assertThat(clean.body()).isEqualTo("{\"ok\":true,\"users\":2,\"versions\":8,\"problems\":[]}");
        }
        // daemon stopped: a flipped byte in version 4's stored bytes, version 2 deleted as by an operator
        StoredVersions.damage(dir, "default", 4, VerifyTest::flipNearEnd);
        StoredVersions.delete(dir, "default", 2);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http.Response report = daemon.http().postJson("/api/admin/verify", "{}");
            assertThat(report.body()).startsWith("{\"ok\":false")
                    .contains("{\"user\":\"default\",\"version\":2,\"problem\":\"missing: no file for this version\"}")
                    .contains("{\"user\":\"default\",\"version\":4,\"problem\":\"damaged:");
            assertThat(report.body()).doesNotContain("\"user\":\"other\"");
            Http.Response damaged = daemon.http().get("/api/backup?version=4");
            assertThat(damaged.status()).isEqualTo(500);
            assertThat(damaged.body()).contains("\"error\":\"damaged_version\"");
            // a non-admin verifies only their own versions
            Http.Response own = daemon.http().as("other").postJson("/api/admin/verify", "{}");
            assertThat(own.body()).isEqualTo("{\"ok\":true,\"users\":1,\"versions\":2,\"problems\":[]}");
            assertThat(new String(daemon.http().get("/api/backup?version=1").bytes(), StandardCharsets.UTF_8)).startsWith("{");
        }
    }

    @Test
    void verify_reads_the_files_not_the_copy_the_daemon_keeps_in_memory(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            post(daemon.http(), 3, 5);
            // the latest version is in memory since it was posted: damage its stored bytes under the running
            // daemon (a file of its own, which the store reads first on every read, over the packed record)
            StoredVersions.damage(dir, "default", 3, VerifyTest::flipNearEnd);
            Http.Response report = daemon.http().postJson("/api/admin/verify", "{}");
            assertThat(report.body()).startsWith("{\"ok\":false")
                    .contains("{\"user\":\"default\",\"version\":3,\"problem\":\"damaged:");
        }
    }
}
