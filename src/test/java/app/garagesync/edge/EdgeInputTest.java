package app.garagesync.edge;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.Json;
import app.garagesync.auth.TokenFile;
import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small ways in past the checks (issue 17, item 10): each one refused, or closed, as it should be. */
class EdgeInputTest {

    @Test
    void a_token_in_the_query_string_does_not_authenticate(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens");
        String alice = new TokenFile(tokens).issue("alice");
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), "garagesync.auth.mode", "token",
                "garagesync.auth.tokens-file", tokens.toString())) {
            Http http = daemon.http();
            Http.Response viaQuery = http.get("/api/backup/versions?Authorization=Bearer%20" + alice);
            assertError(viaQuery, 400, "invalid_request");
            assertThat(viaQuery.body()).contains("header").doesNotContain(alice);
            assertThat(http.with("Authorization", "Bearer " + alice).get("/api/backup/versions").status()).isEqualTo(200);
        }
    }

    @Test
    void version_takes_ascii_digits_only(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http();
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            for (String bad : List.of("%2B1", "1%20", "%20%201", "%EF%BC%91", "-1", "1e0", "0x1")) {
                assertError(http.get("/api/backup?version=" + bad), 400, "invalid_request");
            }
            assertThat(http.get("/api/backup?version=1").status()).isEqualTo(200);
            assertThat(http.get("/api/backup?version=2").status()).isEqualTo(404);
        }
    }

    @Test
    void a_byte_order_mark_is_refused_and_nothing_is_stored(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http();
            byte[] json = Backups.small(1).getBytes(StandardCharsets.UTF_8);
            byte[] withBom = new byte[json.length + 3];
            withBom[0] = (byte) 0xEF;
            withBom[1] = (byte) 0xBB;
            withBom[2] = (byte) 0xBF;
            System.arraycopy(json, 0, withBom, 3, json.length);
            for (String path : List.of("/api/backup", "/api/import")) {
                Http.Response r = http.postBytes(path, "application/json", withBom);
                assertError(r, 400, "invalid_backup");
                assertThat(r.body()).contains("byte-order mark");
            }
            assertThat(http.get("/api/backup").status()).isEqualTo(404);
        }
    }

    @Test
    void sync_settings_refuse_a_key_given_twice(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http();
            Http.Response r = http.putJson("/api/sync/settings", "{\"enabled\": false, \"enabled\": true}");
            assertError(r, 400, "invalid_request");
            assertThat(r.body()).contains("enabled");
            assertThat(http.get("/api/sync/settings").body()).contains("\"enabled\":false");
        }
    }

    @Test
    void stored_files_are_private_to_the_daemon_account(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (RunningDaemon daemon = RunningDaemon.start(data)) {
            Http http = daemon.http();
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(http.postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
            assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        }
        try (Stream<Path> all = Files.walk(data)) {
            List<Path> paths = all.toList();
            assertThat(paths).anyMatch(p -> p.toString().contains("default") && Files.isRegularFile(p));
            List<String> open = new java.util.ArrayList<>();
            for (Path p : paths) {
                String perms = PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
                // the inbox is the drop folder the operator's tools write into: its mode is theirs to set
                boolean inbox = data.relativize(p).startsWith("inbox");
                if (!p.equals(data) && !inbox && !perms.equals(Files.isDirectory(p) ? "rwx------" : "rw-------")) {
                    open.add(data.relativize(p) + " " + perms);
                }
            }
            assertThat(open).isEmpty();
        }
    }

    @Test
    void start_up_removes_target_marks_left_half_written(@TempDir Path dir) throws Exception {
        Path targetDir = dir.resolve("sync").resolve("targets").resolve("nas");
        Files.createDirectories(targetDir);
        Path leftover = Files.writeString(targetDir.resolve(".tmp-default.json-1b2c"), "{\"half");
        Path mark = Files.writeString(targetDir.resolve("default.json"), "{}");
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            assertThat(leftover).doesNotExist();
            assertThat(mark).exists();
        }
    }

    private static void assertError(Http.Response r, int status, String code) throws Exception {
        assertThat(r.status()).as(r.toString()).isEqualTo(status);
        Map<String, Object> body = Json.readMap(r.bytes());
        assertThat(body).containsEntry("error", code).containsKey("message");
    }
}
