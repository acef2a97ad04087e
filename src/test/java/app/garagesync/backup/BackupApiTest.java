package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Every endpoint of the public contract, over real HTTP against the started daemon. */
class BackupApiTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    @Test
    void should_store_and_return_a_backup_byte_for_byte() {
        Http http = daemon.http().as("exact");
        Http.Response posted = http.postJson("/api/backup", Backups.small(1));
        assertThat(posted.status()).as(posted.toString()).isEqualTo(201);
        assertThat(posted.body()).contains("\"version\":1").contains("\"totalRecords\":2")
                .contains("\"bytes\":" + Backups.small(1).getBytes(StandardCharsets.UTF_8).length);
        Http.Response got = http.get("/api/backup");
        assertThat(got.status()).isEqualTo(200);
        assertThat(got.header("Content-Type")).startsWith("application/json");
        // decimals, big integers, accents, emoji and escaped newlines come back untouched
        assertThat(got.body()).isEqualTo(Backups.small(1)).contains("19.90").contains("12345678901234567890123")
                .contains("Élodie Müller 🚗").contains("ligne 1\\nligne 2");
    }

    @Test
    void should_keep_control_characters_and_unknown_collections() {
        Http http = daemon.http().as("odd");
        String doc = "{\"data\":{\"parts\":[{\"id\":\"p\\u0001\",\"x\":-0.0,\"y\":1E+400,\"z\":[null,true,{\"é\":\"\\t\"}]}],"
                + "\"settings\":null},\"extra\":{\"kept\":1}}";
        assertThat(http.postJson("/api/backup", doc).status()).isEqualTo(201);
        assertThat(http.get("/api/backup").body()).isEqualTo(doc);
    }

    @Test
    void should_answer_unchanged_when_only_the_timestamp_differs() {
        Http http = daemon.http().as("same");
        String first = Backups.small(7);
        String again = first.replace("2026-11-24T08:00:00.000Z", "2026-11-25T09:30:00.000Z");
        assertThat(http.postJson("/api/backup", first).status()).isEqualTo(201);
        Http.Response second = http.postJson("/api/backup", again);
        assertThat(second.status()).isEqualTo(200);
        assertThat(second.body()).contains("\"unchanged\":true").contains("\"version\":1");
        assertThat(http.get("/api/backup/versions").body()).doesNotContain("\"id\":2");
    }

    @Test
    void should_list_versions_newest_first_and_serve_any_of_them() {
        Http http = daemon.http().as("many");
        for (int i = 1; i <= 3; i++) {
            assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
        }
        String versions = http.get("/api/backup/versions").body();
        assertThat(versions).containsSubsequence("\"id\":3", "\"id\":2", "\"id\":1")
                .contains("\"totalRecords\":2").contains("\"size\":").contains("\"storedSize\":")
                .contains("\"records\":{\"customers\":1");
        Http.Response v2 = http.get("/api/backup?version=2");
        assertThat(v2.body()).isEqualTo(Backups.small(2));
        assertThat(v2.header("X-Garage-Sync-Version")).isEqualTo("2");
        assertThat(http.get("/api/backup?version=9").status()).isEqualTo(404);
        Http.Response bad = http.get("/api/backup?version=..%2F1");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("\"error\":\"invalid_request\"").contains("version");
    }

    @Test
    void should_answer_404_with_a_json_error_before_any_backup() {
        Http.Response r = daemon.http().as("nobody").get("/api/backup");
        assertThat(r.status()).isEqualTo(404);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.body()).contains("\"error\":\"not_found\"");
        assertThat(daemon.http().as("nobody").get("/api/export").status()).isEqualTo(404);
        assertThat(daemon.http().as("nobody").get("/api/backup/versions").body()).isEqualTo("{\"versions\":[]}");
    }

    @Test
    void should_export_the_latest_as_a_dated_attachment() {
        Http http = daemon.http().as("exporter");
        http.postJson("/api/backup", Backups.small(1));
        http.postJson("/api/backup", Backups.small(2));
        Http.Response r = http.get("/api/export");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("Content-Disposition"))
                .isEqualTo("attachment; filename=\"garage-backup-" + LocalDate.now(ZoneOffset.UTC) + ".json\"");
        assertThat(r.body()).isEqualTo(Backups.small(2));
    }

    @Test
    void should_import_a_file_as_the_latest_version() {
        Http http = daemon.http().as("importer");
        http.postJson("/api/backup", Backups.small(1));
        Http.Response imported = http.postJson("/api/import", Backups.small(5));
        assertThat(imported.status()).isEqualTo(201);
        assertThat(imported.body()).contains("\"imported\":true").contains("\"version\":2");
        assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(5));
        Http.Response rejected = http.postJson("/api/import", "{\"data\":[]}");
        assertThat(rejected.status()).isEqualTo(400);
        assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(5));
    }

    @Test
    void should_serve_the_seed_endpoints_like_their_twins() {
        Http http = daemon.http().as("seed");
        Http.Response posted = http.postJson("/.netlify/functions/backup-data", Backups.small(3));
        assertThat(posted.status()).isEqualTo(201);
        assertThat(http.get("/.netlify/functions/backup-data").body()).isEqualTo(Backups.small(3));
        assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(3));
        Http.Response status = http.get("/.netlify/functions/sync-data");
        assertThat(status.status()).isEqualTo(200);
        assertThat(status.body()).isEqualTo(http.get("/api/sync/status").body());
    }

    @Test
    void should_report_the_seed_sync_status_fields() {
        Http http = daemon.http().as("status");
        http.postJson("/api/backup", Backups.small(1));
        String body = http.get("/api/sync/status").body();
        assertThat(body).contains("\"isEnabled\":false", "\"lastSync\":null", "\"syncInProgress\":false",
                "\"error\":null", "\"totalRecords\":2", "\"syncedRecords\":");
    }

    @Test
    void should_switch_sync_per_user_and_validate_the_switch() {
        Http alice = daemon.http().as("switch-a");
        assertThat(alice.putJson("/api/sync/settings", "{\"enabled\":true}").body()).isEqualTo("{\"enabled\":true}");
        assertThat(alice.get("/api/sync/settings").body()).isEqualTo("{\"enabled\":true}");
        assertThat(alice.get("/api/sync/status").body()).contains("\"isEnabled\":true");
        assertThat(daemon.http().as("switch-b").get("/api/sync/settings").body()).isEqualTo("{\"enabled\":false}");
        Http.Response bad = alice.putJson("/api/sync/settings", "{\"enabled\":\"yes\"}");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("enabled");
        assertThat(alice.putJson("/api/sync/settings", "not json").status()).isEqualTo(400);
    }

    @Test
    void should_report_health_and_metrics() {
        Http.Response health = daemon.http().get("/api/health");
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.body()).startsWith("{\"status\":\"UP\"");
        daemon.http().as("metered").postJson("/api/backup", Backups.small(1));
        daemon.http().as("metered").postJson("/api/backup", "{}");
        Http.Response metrics = daemon.http().get("/api/metrics");
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.header("Content-Type")).startsWith("text/plain");
        assertThat(metrics.body()).contains("garagesync_backups_stored_total", "garagesync_backup_bytes_total",
                "garagesync_requests_rejected_total{reason=\"invalid_backup\"}", "garagesync_backup_store_seconds_bucket",
                "garagesync_fsync_total{kind=\"directory\"}");
        // Camel's per-route counts land in the same registry
        assertThat(metrics.body()).containsPattern("camel_exchanges_total\\{[^}]*route_id=\"backup-post-flow\"[^}]*} [1-9]");
    }

    @Test
    void should_not_echo_request_headers_back() {
        Http.Response r = daemon.http().as("echo").with("Authorization", "Bearer secret-value").get("/api/sync/status");
        assertThat(r.raw().headers().map().keySet()).noneMatch(h -> h.equalsIgnoreCase("authorization")
                || h.equalsIgnoreCase("x-user-id"));
    }
}
