package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the status and the history tell the console about off-site copies (issue 16 items 4 and 5): no
 * target is "none", never a sync; a refusing target carries a cause code and its raw text apart; a
 * version waiting is counted whether it is still pending or already spooled.
 */
class OffsiteStatusTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path base;
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    RunningDaemon daemon(String... extra) {
        List<String> p = new ArrayList<>(List.of(
                "garagesync.sync.interval", "200",
                "garagesync.sync.redelivery.max-attempts", "2",
                "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.backoff-multiplier", "2",
                "garagesync.sync.redelivery.max-delay", "20ms"));
        p.addAll(List.of(extra));
        RunningDaemon d = RunningDaemon.start(base.resolve("data"), p.toArray(String[]::new));
        open.add(d);
        return d;
    }

    @Test
    void should_say_none_and_leave_a_history_entry_when_sync_now_has_no_target() throws Exception {
        Http http = daemon().http().as("sans-cible");
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);

        Map<String, Object> status = SyncContract.status(http);
        assertThat(status.get("offsite")).isEqualTo("none");
        assertThat(status.get("lastSync")).isNull();
        assertThat(status.get("lastBackup")).isNotNull();

        Http.Response now = http.postJson("/api/sync", "{}");
        assertThat(now.status()).as(now.toString()).isEqualTo(200);
        Map<String, Object> answer = Json.readMap(now.bytes());
        assertThat(answer.get("accepted")).isEqualTo(false);
        assertThat(answer.get("offsite")).isEqualTo("none");

        await().atMost(WAIT).until(() -> history(http).stream().anyMatch(h -> "no-target".equals(h.get("result"))));
        Map<String, Object> entry = history(http).get(0);
        assertThat(entry.get("target")).isNull();
        assertThat((String) entry.get("error")).contains("no off-site target");
        assertThat(SyncContract.status(http).get("lastSync")).isNull();
    }

    @Test
    void should_say_waiting_then_ok_for_a_folder_target() throws Exception {
        Http http = daemon("garagesync.target.offsite.type", "dir",
                "garagesync.target.offsite.path", base.resolve("nas").toString()).http().as("dossier");
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        // automatic sync is off: the version waits until "sync now"
        Map<String, Object> before = SyncContract.status(http);
        assertThat(before.get("offsite")).isEqualTo("waiting");
        assertThat(((Number) before.get("waitingVersions")).intValue()).isEqualTo(1);
        assertThat(SyncContract.targetStatus(before).get("cause")).isNull();

        assertThat(http.postJson("/api/sync", "{}").status()).isEqualTo(202);
        await().atMost(WAIT).until(() -> "ok".equals(SyncContract.status(http).get("offsite")));
        Map<String, Object> after = SyncContract.status(http);
        assertThat(after.get("lastSync")).isNotNull();
        assertThat(((Number) after.get("waitingVersions")).intValue()).isZero();
    }

    @Test
    void should_not_report_an_off_site_copy_made_before_there_was_anything_to_copy() throws Exception {
        // no tick in the test's time: only the switch and "sync now" sync
        RunningDaemon d = daemon("garagesync.sync.interval", "1h", "garagesync.target.offsite.type", "dir",
                "garagesync.target.offsite.path", base.resolve("nas").toString());
        Http http = d.http().as("vide");
        NotifyBuilder firstSync = new NotifyBuilder(d.context()).fromRoute("sync-requests").whenCompleted(1).create();
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        assertThat(firstSync.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);

        // the switch synced an empty store; the version posted after it is not off-site yet
        Map<String, Object> status = SyncContract.status(http);
        assertThat(status.get("offsite")).isEqualTo("waiting");
        assertThat(status.get("lastSync")).isNull();

        assertThat(http.postJson("/api/sync", "{}").status()).isEqualTo(202);
        await().atMost(WAIT).until(() -> "ok".equals(SyncContract.status(http).get("offsite")));
        assertThat(SyncContract.status(http).get("lastSync")).isNotNull();
    }

    @Test
    void should_name_an_unreachable_s3_target_and_count_its_spooled_version_as_waiting() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        String p = "garagesync.target.offsite.";
        Http http = daemon(p + "type", "s3", p + "bucket", "b", p + "endpoint", "http://127.0.0.1:" + closed,
                p + "region", "us-east-1", p + "access-key", "k", p + "secret-key", "s", p + "path-style", "true")
                .http().as("injoignable");
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);

        await().atMost(WAIT).until(() -> ((Number) SyncContract.targetStatus(SyncContract.status(http))
                .get("spooledFiles")).intValue() == 1);
        Map<String, Object> status = SyncContract.status(http);
        Map<String, Object> target = SyncContract.targetStatus(status);
        assertThat(((Number) target.get("pendingVersions")).intValue()).isZero();
        assertThat(((Number) target.get("waitingVersions")).intValue()).isEqualTo(1);
        assertThat(((Number) status.get("waitingVersions")).intValue()).isEqualTo(1);
        assertThat(status.get("offsite")).isEqualTo("failing");
        assertThat(target.get("cause")).isEqualTo("unreachable");
        assertThat((String) target.get("detail")).contains(String.valueOf(closed));
        assertThat(history(http)).anyMatch(h -> "spooled".equals(h.get("result")) && "unreachable".equals(h.get("cause")));
    }

    @Test
    void should_name_keys_the_s3_server_refuses() throws Exception {
        S3Server s3 = new S3Server(base.resolve("s3"));
        open.add(s3);
        List<String> props = new ArrayList<>(List.of(s3.targetProperties("offsite", s3.endpoint(), "")));
        props.addAll(List.of("garagesync.target.offsite.secret-key", "not-the-secret"));
        Http http = daemon(props.toArray(String[]::new)).http().as("mauvaise-cle");

        assertThat(causeAfterOneBackup(http)).isEqualTo("refused_credentials");
    }

    @Test
    void should_name_a_bucket_that_does_not_exist() throws Exception {
        S3Server s3 = new S3Server(base.resolve("s3"));
        open.add(s3);
        List<String> props = new ArrayList<>(List.of(s3.targetProperties("offsite", s3.endpoint(), "")));
        props.addAll(List.of("garagesync.target.offsite.bucket", "no-such-bucket"));
        Http http = daemon(props.toArray(String[]::new)).http().as("sans-seau");

        assertThat(causeAfterOneBackup(http)).isEqualTo("not_found");
    }

    @Test
    void should_name_a_destination_folder_that_is_not_there() throws Exception {
        // the disk is unplugged: where the folder was, there is a file (DirTarget's outage)
        Path nas = java.nio.file.Files.writeString(base.resolve("nas"), "not a folder");
        Http http = daemon("garagesync.target.offsite.type", "dir",
                "garagesync.target.offsite.path", nas.toString()).http().as("sans-dossier");

        assertThat(causeAfterOneBackup(http)).isEqualTo("not_found");
    }

    private static String causeAfterOneBackup(Http http) throws Exception {
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        assertThat(http.postJson("/api/sync", "{}").status()).isEqualTo(202);
        await().atMost(WAIT).until(() -> SyncContract.targetStatus(SyncContract.status(http)).get("cause") != null);
        return (String) SyncContract.targetStatus(SyncContract.status(http)).get("cause");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> history(Http http) throws Exception {
        return (List<Map<String, Object>>) Json.readMap(http.get("/api/sync/history").bytes()).get("history");
    }
}
