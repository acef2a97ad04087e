package app.garagesync.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several daemons on one bucket (issue 15): a user added with {@code add-user} signs in through every daemon,
 * a replaced token stops working on every daemon within {@code garagesync.shared.cache-ttl}, and the sync
 * switch flipped through one daemon holds on the others.
 */
class SharedTokensTest {

    /** The staleness the daemons are given here; the waits allow for it many times over. */
    private static final String TTL = "1s";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void should_accept_a_user_added_for_the_bucket_on_every_daemon_and_drop_a_replaced_token_within_the_staleness(
            @TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             RunningDaemon a = RunningDaemon.start(dir.resolve("a"), properties(s3));
             RunningDaemon b = RunningDaemon.start(dir.resolve("b"), properties(s3))) {
            String first = addUser(s3, dir, "garage-7");
            Http throughA = a.http().with("Authorization", "Bearer " + first);
            Http throughB = b.http().with("Authorization", "Bearer " + first);
            assertThat(throughA.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(throughB.get("/api/backup").body()).isEqualTo(Backups.small(1));

            // a new token for the same user: the old one was cached as valid by both daemons
            String second = addUser(s3, dir, "garage-7");
            for (RunningDaemon d : List.of(a, b)) {
                await().atMost(WAIT).until(() -> d.http().with("Authorization", "Bearer " + first)
                        .get("/api/backup").status() == 401);
                assertThat(d.http().with("Authorization", "Bearer " + second).get("/api/backup").body())
                        .isEqualTo(Backups.small(1));
            }
            // the bucket holds hashes only, never a token
            for (Path f : files(dir.resolve("s3"))) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(text).as(f.toString()).doesNotContain(first).doesNotContain(second);
            }
            assertThat(files(dir.resolve("s3"))).anyMatch(f -> f.toString().contains(TokenFile.hash(second)));
        }
    }

    /** A daemon moved onto the bucket keeps its users signed in: its token file's hashes join the store. */
    @Test
    void should_bring_the_users_of_a_daemons_token_file_into_the_bucket_for_every_daemon(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("a").resolve("tokens");
        String token = new TokenFile(file).issue("garage-9");
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             RunningDaemon a = RunningDaemon.start(dir.resolve("a"), with(properties(s3), "garagesync.auth.tokens-file", file.toString()));
             RunningDaemon b = RunningDaemon.start(dir.resolve("b"), properties(s3))) {
            assertThat(a.http().with("Authorization", "Bearer " + token).postJson("/api/backup", Backups.small(1)).status())
                    .isEqualTo(201);
            assertThat(b.http().with("Authorization", "Bearer " + token).get("/api/backup").body()).isEqualTo(Backups.small(1));
            assertThat(b.http().with("Authorization", "Bearer gs_not-a-token").get("/api/backup").status()).isEqualTo(401);
        }
    }

    private static String[] with(String[] base, String... more) {
        List<String> p = new ArrayList<>(List.of(base));
        p.addAll(List.of(more));
        return p.toArray(String[]::new);
    }

    @Test
    void should_hold_a_sync_switch_flipped_through_one_daemon_on_the_other(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             RunningDaemon a = RunningDaemon.start(dir.resolve("a"), properties(s3));
             RunningDaemon b = RunningDaemon.start(dir.resolve("b"), properties(s3))) {
            String token = addUser(s3, dir, "garage-8");
            Http throughA = a.http().with("Authorization", "Bearer " + token);
            Http throughB = b.http().with("Authorization", "Bearer " + token);
            // B reads (and caches) the switch off first, so seeing it on afterwards takes the staleness to pass
            assertThat(throughB.get("/api/sync/settings").body()).contains("\"enabled\":false");
            assertThat(throughA.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> throughB.get("/api/sync/settings").body().contains("\"enabled\":true"));
            assertThat(throughB.get("/api/sync/status").body()).contains("\"isEnabled\":true");

            assertThat(throughB.putJson("/api/sync/settings", "{\"enabled\": false}").status()).isEqualTo(200);
            await().atMost(WAIT).until(() -> throughA.get("/api/sync/settings").body().contains("\"enabled\":false"));
            // each daemon sees its own write at once
            assertThat(throughB.get("/api/sync/settings").body()).contains("\"enabled\":false");
        }
    }

    private static String[] properties(S3Server s3) {
        List<String> p = new ArrayList<>(List.of(s3.storeProperties("garage/")));
        p.addAll(List.of("garagesync.auth.mode", "token", "garagesync.shared.cache-ttl", TTL));
        return p.toArray(String[]::new);
    }

    /** {@code java -jar garage-sync.jar add-user}, pointed at the bucket as the daemons are. */
    private static String addUser(S3Server s3, Path dir, String user) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(IdentityTest.javaBin(), "-cp", System.getProperty("java.class.path"),
                "-Dgaragesync.data-dir=" + dir.resolve("cli")));
        String[] store = s3.storeProperties("garage/");
        for (int i = 0; i + 1 < store.length; i += 2) {
            cmd.add("-D" + store[i] + "=" + store[i + 1]);
        }
        cmd.addAll(List.of("app.garagesync.Application", "add-user", user));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String token = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor()).isZero();
        assertThat(token).startsWith("gs_");
        return token;
    }

    private static List<Path> files(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).toList();
        }
    }
}
