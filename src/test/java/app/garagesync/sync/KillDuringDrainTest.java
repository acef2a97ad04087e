package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The daemon is killed (SIGKILL, in a child JVM) while it replays its spool to S3: after a restart the
 * drain finishes, every version is on the target exactly once in the index, byte for byte, and a restore
 * into an empty data directory brings every version back.
 */
class KillDuringDrainTest extends SyncContract {

    static final int VERSIONS = 8;

    @Override
    TargetUnderTest target(Path base) throws Exception {
        return new S3Target(base);
    }

    @Test
    void should_lose_nothing_and_duplicate_nothing_when_killed_during_a_drain() throws Exception {
        S3Target s3 = (S3Target) target;
        RunningDaemon first = daemon("data");
        Http http = first.http().as("dave");
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        s3.breakIt();
        List<String> sent = new ArrayList<>();
        for (int i = 1; i <= VERSIONS; i++) {
            String backup = SizedBackups.of(i, 300_000);
            sent.add(backup);
            assertThat(http.postJson("/api/backup", backup).status()).isEqualTo(201);
        }
        Path spool = first.dataDir().resolve("spool").resolve(NAME);
        await().atMost(WAIT).until(() -> zips(spool).size() == VERSIONS);
        first.close();
        daemons.remove(first);

        s3.repair();
        s3.slowDown(150);
        List<String> props = new ArrayList<>(List.of(
                "garagesync.data-dir", base.resolve("data").toString(),
                "garagesync.routes-dir", base.resolve("no-routes").toString(),
                "camel.server.port", "0",
                "garagesync.sync.interval", "100",
                "garagesync.sync.redelivery.max-attempts", "3",
                "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.backoff-multiplier", "2",
                "garagesync.sync.redelivery.max-delay", "50ms"));
        props.addAll(List.of(s3.properties(NAME)));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path")));
        for (int i = 0; i < props.size(); i += 2) {
            command.add("-D" + props.get(i) + "=" + props.get(i + 1));
        }
        command.add("app.garagesync.Application");
        Process child = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(base.resolve("child.log").toFile()).start();
        try {
            // kill once the drain is under way: some spool files replayed, others still waiting
            await().atMost(Duration.ofSeconds(60)).until(() -> zips(spool).size() < VERSIONS - 1 || !child.isAlive());
        } finally {
            child.destroyForcibly().waitFor();
        }
        int left = zips(spool).size();
        assertThat(left).as("killed mid-drain, with spool files left; child log:%n%s",
                Files.readString(base.resolve("child.log"))).isBetween(1, VERSIONS - 2);

        s3.slowDown(0);
        RunningDaemon restarted = daemon("data");
        Http again = restarted.http().as("dave");
        await().atMost(WAIT).until(() -> zips(spool).isEmpty() && status(again).get("error") == null
                && ((Number) targetStatus(status(again)).get("pendingVersions")).intValue() == 0);

        List<Map<String, Object>> index = RemoteLayout.entries(s3.read(RemoteLayout.indexKey("dave")));
        assertThat(index).extracting(e -> ((Number) e.get("id")).intValue())
                .containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, VERSIONS).boxed().toList());
        for (int i = 1; i <= VERSIONS; i++) {
            assertThat(rebuilt(s3, "dave", i)).isEqualTo(sent.get(i - 1).getBytes(StandardCharsets.UTF_8));
        }

        RunningDaemon fresh = daemon("fresh");
        Http restoredHttp = fresh.http().as("dave");
        Http.Response restored = restoredHttp.postJson("/api/restore", "{\"target\": \"" + NAME + "\"}");
        assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
        for (int i = 1; i <= VERSIONS; i++) {
            assertThat(restoredHttp.get("/api/backup?version=" + i).body()).isEqualTo(sent.get(i - 1));
        }
    }

    // the shared contract runs in S3TargetSyncTest; this class is about the kill only
    @Override
    void should_push_each_version_once_and_write_nothing_on_an_idle_tick() {
    }

    @Override
    void should_keep_versions_as_zips_while_the_target_is_down_and_drain_them_after() {
    }

    @Override
    void should_restore_every_version_exactly_into_an_empty_data_dir() {
    }

    @Override
    void should_delete_the_objects_of_pruned_versions_once_the_index_no_longer_lists_them() {
    }
}
