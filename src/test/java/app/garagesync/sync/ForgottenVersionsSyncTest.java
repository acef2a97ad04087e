package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Versions retention forgot are never sent off-site, even before their blobs are pruned: the target gets
 * the kept ones, the first of them whole since its parent is forgotten, and the status counts only those.
 */
class ForgottenVersionsSyncTest {

    @Test
    void forgotten_versions_are_not_sent_nor_counted_before_their_prune(@TempDir Path dir) throws Exception {
        DirTarget target = new DirTarget(dir);
        List<String> p = new ArrayList<>(List.of(target.properties(SyncContract.NAME)));
        p.addAll(List.of("garagesync.retention.keep-last", "3", "garagesync.retention.batch", "10",
                "garagesync.sync.interval", "200"));
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), p.toArray(String[]::new))) {
            Http http = daemon.http().as("shop");
            for (int i = 1; i <= 6; i++) {
                assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
            }
            assertThat(((Number) SyncContract.targetStatus(SyncContract.status(http)).get("pendingVersions")).intValue())
                    .as("versions waiting for the target before the first sync").isEqualTo(3);
            assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
            await().atMost(SyncContract.WAIT).until(() -> SyncContract.status(http).get("lastSync") != null
                    && ((Number) SyncContract.targetStatus(SyncContract.status(http)).get("pendingVersions")).intValue() == 0);
            assertThat(SyncContract.listed(target, "shop")).isEqualTo(Set.of(4L, 5L, 6L));
            for (int i = 4; i <= 6; i++) {
                assertThat(SyncContract.rebuilt(target, "shop", i)).as("version %d off-site", i)
                        .isEqualTo(Backups.small(i).getBytes(StandardCharsets.UTF_8));
            }
            assertThat(target.snapshot().keySet()).as("objects off-site").noneMatch(k -> k.contains("0000000001")
                    || k.contains("0000000002") || k.contains("0000000003"));
        }
    }
}
