package app.garagesync.auth;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A user never reaches another user's data, in header mode and in token mode. */
class IdentityTest {

    static final List<String> USER_ENDPOINTS = List.of("/api/backup", "/api/backup?version=1", "/api/backup/versions",
            "/api/export", "/api/sync/status", "/api/sync/settings", "/.netlify/functions/backup-data",
            "/.netlify/functions/sync-data");

    @Test
    void header_mode_keeps_users_apart_and_uses_default_without_a_header(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http anonymous = daemon.http();
            Http alice = daemon.http().as("alice");
            Http bob = daemon.http().as("bob");
            assertThat(anonymous.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(alice.postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
            assertThat(daemon.http().as("default").get("/api/backup").body()).isEqualTo(Backups.small(1));
            assertThat(alice.get("/api/backup").body()).isEqualTo(Backups.small(2));
            assertThat(bob.get("/api/backup").status()).isEqualTo(404);
            assertThat(bob.get("/api/backup?version=1").status()).isEqualTo(404);
            assertThat(bob.get("/api/backup/versions").body()).isEqualTo("{\"versions\":[]}");
            assertThat(Files.isDirectory(dir.resolve("users/alice/versions"))).isTrue();
            assertThat(Files.isDirectory(dir.resolve("users/default/versions"))).isTrue();
        }
    }

    @Test
    void token_mode_requires_a_valid_token_and_scopes_every_endpoint(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens");
        String aliceToken = new TokenFile(tokens).issue("alice");
        String bobToken = new TokenFile(tokens).issue("bob");
        assertThat(Files.readString(tokens)).doesNotContain(aliceToken).doesNotContain(bobToken)
                .contains("alice ").contains("bob ");
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.auth.mode", "token")) {
            Http alice = daemon.http().with("Authorization", "Bearer " + aliceToken);
            Http bob = daemon.http().with("Authorization", "Bearer " + bobToken);
            assertThat(alice.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(alice.get("/api/backup").body()).isEqualTo(Backups.small(1));

            for (String path : USER_ENDPOINTS) {
                Http.Response none = daemon.http().get(path);
                assertThat(none.status()).as(path).isEqualTo(401);
                assertThat(none.header("WWW-Authenticate")).startsWith("Bearer");
                assertThat(none.body()).contains("\"error\":\"unauthorized\"");
                assertThat(daemon.http().with("Authorization", "Bearer wrong").get(path).status()).as(path).isEqualTo(401);
                // the header of header mode means nothing here: no impersonation through X-User-Id
                assertThat(bob.as("alice").get(path).body()).as(path).doesNotContain("Élodie");
            }
            assertThat(bob.get("/api/backup").status()).isEqualTo(404);
            assertThat(daemon.http().postJson("/api/backup", Backups.small(2)).status()).isEqualTo(401);
            assertThat(daemon.http().putJson("/api/sync/settings", "{\"enabled\":true}").status()).isEqualTo(401);
            assertThat(daemon.http().postJson("/api/import", Backups.small(2)).status()).isEqualTo(401);
            assertThat(alice.get("/api/backup/versions").body()).contains("\"id\":1").doesNotContain("\"id\":2");
            // health stays open for load balancers and monitors
            assertThat(daemon.http().get("/api/health").status()).isEqualTo(200);
        }
    }

    @Test
    void add_user_command_prints_a_token_the_daemon_accepts(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens");
        Process p = new ProcessBuilder(javaBin(), "-cp", System.getProperty("java.class.path"),
                "-Dgaragesync.auth.tokens-file=" + tokens, "app.garagesync.Application", "add-user", "garage-42")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String token = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        assertThat(token).startsWith("gs_").hasSizeGreaterThan(40);
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.auth.mode", "token")) {
            Http http = daemon.http().with("Authorization", "Bearer " + token);
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(Files.isDirectory(dir.resolve("users/garage-42/versions"))).isTrue();
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
