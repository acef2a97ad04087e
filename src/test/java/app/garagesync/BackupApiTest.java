package app.garagesync;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BackupApiTest {

    @TempDir
    static Path dataDir;
    static RunningDaemon daemon;

    @BeforeAll
    static void start() {
        daemon = RunningDaemon.start(dataDir);
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    @Test
    void should_store_and_return_a_backup_exactly() {
        Http http = daemon.http().as("exact");
        Http.Response posted = http.postJson("/api/backup", Backups.small(1));
        assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
        assertThat(posted.body()).contains("\"version\":1").contains("\"totalRecords\":2");
        Http.Response got = http.get("/api/backup");
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.body()).isEqualTo(Backups.small(1));
    }
}
