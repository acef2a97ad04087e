package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class S3TargetSyncTest extends SyncContract {

    @Override
    TargetUnderTest target(Path base) throws Exception {
        return new S3Target(base);
    }

    @Test
    void should_start_and_take_backups_while_s3_is_down() throws Exception {
        target.breakIt();
        RunningDaemon d = daemon("data");
        Http http = d.http().as("erin");
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> status(http).get("error") != null
                && ((Number) targetStatus(status(http)).get("spooledFiles")).intValue() == 1);
        target.repair();
        await().atMost(WAIT).until(() -> status(http).get("error") == null && status(http).get("lastSync") != null);
        assertThat(rebuilt(target, "erin", 1)).isEqualTo(Backups.small(1).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
