package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A version number once acknowledged is never given again, even when its file is gone or damaged: a
 * client, a sync target or an off-site copy may still hold that number for other content.
 */
class VersionNumbersTest {

    private static void postThree(Path data) {
        try (RunningDaemon daemon = RunningDaemon.start(data)) {
            Http http = daemon.http().as("numbers");
            for (int i = 1; i <= 3; i++) {
                Http.Response r = http.postJson("/api/backup", Backups.small(i));
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
                assertThat(r.body()).contains("\"version\":" + i + ",");
            }
        }
    }

    private static void postAfterRestartGets4(Path data) {
        try (RunningDaemon daemon = RunningDaemon.start(data)) {
            Http http = daemon.http().as("numbers");
            Http.Response r = http.postJson("/api/backup", Backups.small(4));
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            assertThat(r.body()).as("the number after the newest ever given").contains("\"version\":4,");
            assertThat(http.get("/api/backup?version=4").body()).isEqualTo(Backups.small(4));
            assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(4));
        }
        // and a restart after that still knows it
        try (RunningDaemon daemon = RunningDaemon.start(data)) {
            Http.Response r = daemon.http().as("numbers").postJson("/api/backup", Backups.small(5));
            assertThat(r.body()).contains("\"version\":5,");
        }
    }

    @Test
    void deleting_the_newest_version_file_does_not_give_its_number_again(@TempDir Path dir) throws Exception {
        postThree(dir);
        // version 3 may be a record of the user's pack rather than a file: deleted as an operator's rm would
        StoredVersions.delete(dir, "numbers", 3);
        assertThat(StoredVersions.ids(dir, "numbers")).containsExactly(1L, 2L);
        postAfterRestartGets4(dir);
    }

    @Test
    void a_damaged_newest_version_file_does_not_stop_backups_nor_give_its_number_again(@TempDir Path dir)
            throws Exception {
        postThree(dir);
        StoredVersions.overwrite(dir, "numbers", 3, "not a version".getBytes(StandardCharsets.UTF_8));
        postAfterRestartGets4(dir);
    }
}
