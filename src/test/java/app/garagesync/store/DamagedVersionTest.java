package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A damaged version file (issue 17, items 2, 3, 4 and 8): it is listed as damaged, a read of it is a
 * damaged_version error naming it and the newest intact version, never another version's bytes with 200;
 * verify names it, health and the sync status tell the owner, and the user's backups go on.
 */
class DamagedVersionTest {

    /** A daemon that stores every version after the first as a delta, the form most of a real history has. */
    private static RunningDaemon start(Path dir) {
        return RunningDaemon.start(dir, "garagesync.store.checkpoint-ratio", "100");
    }

    /** Posts {@code versions} backups (all but the first stored as deltas); returns what was sent, oldest first. */
    private static List<byte[]> post(Http http, int versions, long seed) {
        Random r = new Random(seed);
        EditableBackup.Doc doc = EditableBackup.initial(r, 30);
        List<byte[]> sent = new ArrayList<>();
        for (int v = 0; v < versions; v++) {
            byte[] body = doc.bytes();
            assertThat(http.postBytes("/api/backup", "application/json", body).status()).isEqualTo(201);
            sent.add(body);
            EditableBackup.edit(doc, r);
            doc.add("customers", EditableBackup.entity("v" + v, r));
        }
        return sent;
    }

    /**
     * Rewrites the header line of a stored version; the payload after it stays as it is. The version may be
     * a record of the user's pack: the edited bytes go to a file of its own, which the store reads instead.
     */
    private static void editHeader(Path dir, String user, long id, UnaryOperator<String> edit) throws Exception {
        StoredVersions.damage(dir, user, id, bytes -> editedHeader(bytes, edit));
    }

    private static byte[] editedHeader(byte[] bytes, UnaryOperator<String> edit) {
        int end = 0;
        while (bytes[end] != '\n') {
            end++;
        }
        String header = new String(bytes, 0, end, StandardCharsets.UTF_8);
        String edited = edit.apply(header);
        assertThat(edited).as("the test's edit changes the header %s", header).isNotEqualTo(header);
        byte[] head = edited.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[head.length + bytes.length - end];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(bytes, end, out, head.length, bytes.length - end);
        return out;
    }

    @Test
    void a_truncated_newest_version_is_listed_damaged_never_skipped_and_the_next_backups_get_new_numbers(@TempDir Path dir)
            throws Exception {
        damagedNewest(dir, bytes -> new byte[0]);
    }

    @Test
    void a_newest_version_with_one_bit_of_its_magic_flipped_is_listed_damaged_never_skipped(@TempDir Path dir) throws Exception {
        damagedNewest(dir, bytes -> {
            bytes[1] ^= 0x01;
            return bytes;
        });
    }

    /** {@code damage}: what the disk gives back instead of the newest version's stored bytes. */
    private static void damagedNewest(Path dir, UnaryOperator<byte[]> damage) throws Exception {
        List<byte[]> sent;
        try (RunningDaemon daemon = start(dir)) {
            sent = post(daemon.http(), 7, 3);
        }
        StoredVersions.damage(dir, "default", 7, damage);
        byte[] next = "{\"timestamp\":\"2026-11-30T08:00:00.000Z\",\"data\":{\"customers\":[{\"id\":1,\"name\":\"après\"}]}}"
                .getBytes(StandardCharsets.UTF_8);
        try (RunningDaemon daemon = start(dir)) {
            Http http = daemon.http();
            for (String read : new String[] {"/api/backup", "/api/backup?version=7", "/api/export"}) {
                Http.Response r = http.get(read);
                assertThat(r.status()).as(read).isEqualTo(500);
                assertThat(r.body()).as(read).contains("\"error\":\"damaged_version\"")
                        .contains("\"version\":7").contains("\"intactVersion\":6");
            }
            assertThat(http.get("/api/backup?version=6").bytes()).isEqualTo(sent.get(5));
            assertThat(http.get("/api/backup/versions").body())
                    .startsWith("{\"versions\":[{\"id\":7,\"damaged\":true,\"problem\":\"unreadable header:");
            Http.Response verify = http.postJson("/api/admin/verify", "{}");
            assertThat(verify.status()).isEqualTo(200);
            assertThat(verify.body()).startsWith("{\"ok\":false")
                    .contains("{\"user\":\"default\",\"version\":7,\"problem\":\"damaged: unreadable header:");
            Http.Response health = http.get("/api/health");
            assertThat(health.status()).isEqualTo(200);
            assertThat(health.body()).contains("\"status\":\"DEGRADED\"").contains("\"damagedVersions\":1");
            assertThat(http.get("/api/sync/status").body()).contains("\"damagedVersions\":[7]");

            Http.Response stored = http.postBytes("/api/backup", "application/json", next);
            assertThat(stored.status()).as(stored.body()).isEqualTo(201);
            assertThat(stored.body()).contains("\"version\":8");
            assertThat(http.get("/api/backup").bytes()).isEqualTo(next);
        }
        // never a delta on the damaged version: the new one is whole
        assertThat(new String(StoredVersions.read(dir, "default", 8), StandardCharsets.ISO_8859_1)).doesNotContain("\"parent\"");
        try (RunningDaemon daemon = start(dir)) {
            Http http = daemon.http();
            assertThat(http.get("/api/backup").bytes()).isEqualTo(next);
            Http.Response again = http.postBytes("/api/backup", "application/json", sent.get(0));
            assertThat(again.status()).as(again.body()).isEqualTo(201);
            assertThat(again.body()).contains("\"version\":9");
            assertThat(http.get("/api/backup?version=9").bytes()).isEqualTo(sent.get(0));
        }
    }

    /**
     * Versions of one size: version k changes only the amount of entity k, same number of digits. A delta
     * applied to another of these versions than its parent rebuilds a document of the right size, with
     * content nobody sent: only a content check tells.
     */
    private static List<byte[]> postSameSize(Http http, int versions) {
        List<byte[]> sent = new ArrayList<>();
        int[] totals = new int[versions + 1];
        java.util.Arrays.fill(totals, 1000);
        for (int v = 1; v <= versions; v++) {
            totals[v] = 2000 + v;
            StringBuilder b = new StringBuilder("{\"timestamp\":\"2026-11-30T08:00:00.000Z\",\"data\":{\"customers\":[");
            for (int e = 1; e <= versions; e++) {
                b.append(e == 1 ? "" : ",").append("{\"id\":").append(e).append(",\"nom\":\"Client ").append(e)
                        .append(" — une fiche assez longue pour que le delta ne copie pas tout\",\"total\":").append(totals[e]).append('}');
            }
            byte[] body = b.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
            assertThat(http.postBytes("/api/backup", "application/json", body).status()).isEqualTo(201);
            sent.add(body);
        }
        return sent;
    }

    @Test
    void a_delta_whose_header_names_another_parent_is_an_error_never_other_bytes(@TempDir Path dir) throws Exception {
        List<byte[]> sent;
        try (RunningDaemon daemon = start(dir)) {
            sent = postSameSize(daemon.http(), 8);
        }
        for (String wrongParent : new String[] {"\"parent\":5", "\"parent\":2"}) {
            editHeader(dir, "default", 7, h -> h.replaceFirst("\"parent\":\\d+", wrongParent));
            try (RunningDaemon daemon = start(dir)) {
                Http http = daemon.http();
                for (int v = 7; v <= 8; v++) {
                    Http.Response r = http.get("/api/backup?version=" + v);
                    assertThat(r.status()).as("version %d with %s in version 7's header: %s", v, wrongParent, r.body())
                            .isEqualTo(500);
                    assertThat(r.body()).contains("\"error\":\"damaged_version\"").contains("\"version\":" + v);
                }
                assertThat(http.get("/api/backup?version=6").bytes()).isEqualTo(sent.get(5));
                assertThat(http.postJson("/api/admin/verify", "{}").body()).startsWith("{\"ok\":false")
                        .contains("{\"user\":\"default\",\"version\":7,\"problem\":\"damaged:");
            }
        }
    }

    @Test
    void a_header_naming_itself_as_parent_is_refused_before_anything_is_rebuilt(@TempDir Path dir) throws Exception {
        List<byte[]> sent;
        try (RunningDaemon daemon = start(dir)) {
            sent = post(daemon.http(), 8, 5);
        }
        editHeader(dir, "default", 7, h -> h.replaceFirst("\"parent\":\\d+", "\"parent\":7"));
        editHeader(dir, "default", 8, h -> h.replaceFirst("\"id\":8", "\"id\":7"));
        try (RunningDaemon daemon = start(dir)) {
            Http http = daemon.http();
            for (String read : new String[] {"/api/backup", "/api/backup?version=7", "/api/backup?version=8"}) {
                Http.Response r = http.get(read);
                assertThat(r.status()).as(read + ": " + r.body()).isEqualTo(500);
                assertThat(r.body()).contains("\"error\":\"damaged_version\"").contains("\"intactVersion\":6");
            }
            assertThat(http.get("/api/backup?version=6").bytes()).isEqualTo(sent.get(5));
            Http.Response verify = http.postJson("/api/admin/verify", "{}");
            assertThat(verify.status()).isEqualTo(200);
            assertThat(verify.body()).startsWith("{\"ok\":false")
                    .contains("{\"user\":\"default\",\"version\":7,\"problem\":\"damaged: unreadable header: parent 7 is not an earlier version")
                    .contains("{\"user\":\"default\",\"version\":8,\"problem\":\"damaged: unreadable header: its header says version 7");
        }
    }

    @Test
    void one_unreadable_user_folder_is_a_problem_of_that_user_and_the_others_are_verified(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = start(dir)) {
            post(daemon.http(), 2, 6);
            post(daemon.http().as("dave"), 2, 7);
        }
        // a restarted daemon that has not listed dave's versions yet, as after any restart
        RunningDaemon daemon = start(dir);
        Path daves = dir.resolve("users/dave/versions");
        Files.setPosixFilePermissions(daves, PosixFilePermissions.fromString("---------"));
        boolean replaced = false;
        if (Files.isReadable(daves)) {
            // running as root, where chmod 000 denies nothing: a file where the folder was is unreadable as a folder
            Files.setPosixFilePermissions(daves, PosixFilePermissions.fromString("rwx------"));
            Path aside = dir.resolve("dave-versions-aside");
            Files.move(daves, aside);
            Files.writeString(daves, "not a folder");
            replaced = true;
        }
        try (daemon) {
            Http.Response verify = daemon.http().postJson("/api/admin/verify", "{}");
            assertThat(verify.status()).as(verify.body()).isEqualTo(200);
            assertThat(verify.body()).startsWith("{\"ok\":false,\"users\":2,\"versions\":2,")
                    .contains("{\"user\":\"dave\",\"version\":null,\"problem\":\"unreadable: the versions of this user cannot be listed:");
            assertThat(verify.body()).doesNotContain("\"user\":\"default\"");
        } finally {
            if (!replaced) {
                Files.setPosixFilePermissions(daves, PosixFilePermissions.fromString("rwx------"));
            }
        }
    }
}
