package app.garagesync.inbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InboxTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension("garagesync.inbox.poll-interval", "100", "garagesync.inbox.min-age", "100");

    @Test
    void should_import_a_dropped_backup_for_the_folders_user() throws Exception {
        Path file = drop("inbox/alice", "garage-backup-2026-11-24.json", Backups.small(3));
        Http http = daemon.http().as("alice");
        await().atMost(WAIT).until(() -> http.get("/api/backup").status() == 200);
        assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(3));
        await().atMost(WAIT).until(() -> !Files.exists(file));
        assertThat(list(file.resolveSibling(".done"))).singleElement().asString().endsWith("garage-backup-2026-11-24.json");
    }

    @Test
    void should_give_a_file_at_the_top_of_the_inbox_to_the_default_user() throws Exception {
        drop("inbox", "garage-backup-top.json", Backups.small(4));
        Http http = daemon.http();
        await().atMost(WAIT).until(() -> http.get("/api/backup").status() == 200);
        assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(4));
    }

    @Test
    void should_move_a_rejected_file_aside_with_an_error_file_and_store_nothing() throws Exception {
        Path file = drop("inbox/bob", "garage-backup-broken.json", "{\"timestamp\": \"x\", \"data\": [1, 2");
        Path rejected = file.resolveSibling(".rejected");
        await().atMost(WAIT).until(() -> Files.exists(rejected.resolve("garage-backup-broken.json"))
                && Files.exists(rejected.resolve("garage-backup-broken.json.error.txt")));
        assertThat(Files.readString(rejected.resolve("garage-backup-broken.json.error.txt")))
                .contains("did not import garage-backup-broken.json");
        assertThat(daemon.http().as("bob").get("/api/backup").status()).isEqualTo(404);

        Path other = drop("inbox/bad..user", "garage-backup-x.json", Backups.small(5));
        await().atMost(WAIT).until(() -> Files.exists(other.resolveSibling(".rejected").resolve("garage-backup-x.json.error.txt")));
        assertThat(Files.readString(other.resolveSibling(".rejected").resolve("garage-backup-x.json.error.txt"))).contains("user id");
    }

    /** Written under another name, then renamed in: how a careful copy lands. */
    private static Path drop(String folder, String name, String content) throws Exception {
        Path dir = Files.createDirectories(daemon.dataDir().resolve(folder));
        Path temp = dir.resolve(".copying-" + name);
        Files.writeString(temp, content);
        return Files.move(temp, dir.resolve(name));
    }

    private static java.util.List<Path> list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }
}
