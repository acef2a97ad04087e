package app.garagesync.trust.drill;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.crypto.OffsiteCipher;
import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restore drills against the three target kinds at once, each real: a folder, an S3 server (s3proxy) and
 * another garage-sync daemon; a webhook server records what the daemon tells.
 */
class DrillTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static final String TOKEN = "replica-token-for-drills";

    @TempDir
    Path base;
    S3Server s3;
    RunningDaemon receiver;
    HttpServer web;
    final List<String> notices = new CopyOnWriteArrayList<>();
    final List<RunningDaemon> daemons = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        s3 = new S3Server(base.resolve("s3"));
        receiver = RunningDaemon.start(base.resolve("receiver"), "garagesync.replica.token", TOKEN);
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/hooks/notify", x -> {
            try (InputStream in = x.getRequestBody()) {
                notices.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        web.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (RunningDaemon d : daemons) {
            d.close();
        }
        receiver.close();
        s3.close();
        web.stop(0);
    }

    /** A daemon with three targets: nas (dir), cloud (s3) and office (http), syncing every 200 ms. */
    RunningDaemon daemon(String dataDir, String... extra) {
        List<String> p = new ArrayList<>(List.of(
                "garagesync.sync.interval", "200",
                "garagesync.sync.redelivery.max-attempts", "2",
                "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.max-delay", "20ms",
                "garagesync.drill.interval", "0",
                "garagesync.notify.webhook-url", "http://127.0.0.1:" + web.getAddress().getPort() + "/hooks/notify",
                "garagesync.target.nas.type", "dir",
                "garagesync.target.nas.path", base.resolve("nas").toString(),
                "garagesync.target.office.type", "http",
                "garagesync.target.office.url", "http://127.0.0.1:" + receiver.port(),
                "garagesync.target.office.token", TOKEN));
        p.addAll(List.of(s3.targetProperties("cloud", s3.endpoint(), "shop/")));
        p.addAll(List.of(extra));
        RunningDaemon d = RunningDaemon.start(base.resolve(dataDir), p.toArray(String[]::new));
        daemons.add(d);
        return d;
    }

    /** Posts {@code versions} backups for the user, switches sync on and waits until every target holds them. */
    static Http synced(RunningDaemon d, String user, int versions) throws Exception {
        Http http = d.http().as(user);
        for (int i = 1; i <= versions; i++) {
            assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
        }
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> {
            List<Map<String, Object>> targets = targets(Json.readMap(http.get("/api/sync/status").bytes()));
            return targets.size() == 3 && targets.stream().allMatch(t -> ((Number) t.get("pendingVersions")).intValue() == 0
                    && ((Number) t.get("spooledFiles")).intValue() == 0 && t.get("lastSync") != null);
        });
        return http;
    }

    @Test
    void should_pass_on_every_target_kind_and_leave_the_live_store_untouched() throws Exception {
        RunningDaemon d = daemon("data");
        Http http = synced(d, "alice", 3);
        // the sync state of a target is written just after the status reports it synced: the picture is
        // taken once no write is in progress (a temporary file in it would be gone a moment later)
        Map<String, String> before = await().atMost(WAIT).until(() -> tree(d.dataDir()),
                t -> t.keySet().stream().noneMatch(name -> name.contains("/.tmp-") || name.startsWith(".tmp-")));

        Http.Response drill = http.postJson("/api/drill", "");
        assertThat(drill.status()).as(drill.toString()).isEqualTo(200);
        Map<String, Object> answer = Json.readMap(drill.bytes());
        for (String target : List.of("nas", "cloud", "office")) {
            Map<String, Object> r = target(answer, target);
            assertThat(r.get("ok")).as(target + ": " + r).isEqualTo(true);
            assertThat(((Number) r.get("version")).longValue()).isEqualTo(3);
            assertThat(((Number) r.get("bytesRead")).longValue()).isPositive();
            assertThat((List<?>) r.get("problems")).isEmpty();
            assertThat(r.get("lastOkAt")).isEqualTo(r.get("checkedAt"));
        }
        assertThat(answer.get("lastVerifiedRestorableAt")).isNotNull();
        assertThat(http.get("/api/drill").body()).isEqualTo(drill.body());

        // the live store, its caches and the sync state: byte for byte as before; no scratch file left
        assertThat(tree(d.dataDir())).isEqualTo(before);
        try (Stream<Path> scratch = Files.list(d.dataDir().resolve("drill").resolve("scratch"))) {
            assertThat(scratch).isEmpty();
        }
        // another user never drilled: nothing of alice's
        assertThat(d.http().as("bruno").get("/api/drill").body()).isEqualTo("{\"targets\":{},\"lastVerifiedRestorableAt\":null}");
        String metrics = d.http().get("/api/metrics").body();
        assertThat(metrics).contains("garagesync_drill_last_success_seconds{target=\"nas\"}")
                .contains("garagesync_drill_verified_age_max_seconds");
        assertThat(metrics).doesNotContain("garagesync_drill_last_success_seconds{target=\"cloud\"} 0.0");
        assertThat(notices).noneMatch(n -> n.contains("drill"));

        // an admin drills every user's copies; anyone else may not
        Http.Response everyone = d.http().postJson("/api/drill?users=*", "");
        assertThat(everyone.status()).as(everyone.toString()).isEqualTo(200);
        assertThat(everyone.body()).startsWith("{\"users\":{\"alice\":{\"targets\":{\"cloud\":{\"ok\":true,\"version\":3");
        Http.Response refused = d.http().as("bruno").postJson("/api/drill?users=*", "");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.body()).contains("\"status\":403").contains("garagesync.admin.users");
        Http.Response bad = d.http().postJson("/api/drill?users=alice", "");
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.body()).contains("\"error\"").contains("users:");
    }

    @Test
    void should_report_what_the_meaning_checks_find_in_the_restored_backup_as_warnings() throws Exception {
        RunningDaemon d = daemon("data");
        Http http = synced(d, "dora", 1);
        // version 2: a vehicle naming a customer the garage does not have
        String orphan = Backups.small(2).replace("\"vehicles\":[]",
                "\"vehicles\":[{\"id\":\"v1\",\"plate\":\"AB-123-CD\",\"customerId\":\"c404\"}]");
        assertThat(http.postJson("/api/backup", orphan).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> targets(Json.readMap(http.get("/api/sync/status").bytes())).stream()
                .allMatch(t -> ((Number) t.get("pendingVersions")).intValue() == 0));

        Map<String, Object> drill = Json.readMap(http.postJson("/api/drill", "").bytes());
        for (String target : List.of("nas", "cloud", "office")) {
            Map<String, Object> r = target(drill, target);
            assertThat(r.get("ok")).as(target + ": " + r).isEqualTo(true);
            assertThat(((Number) r.get("version")).longValue()).isEqualTo(2);
            @SuppressWarnings("unchecked")
            List<Map<String, Object>> problems = (List<Map<String, Object>>) r.get("problems");
            assertThat(problems).as(r.toString()).singleElement().satisfies(p -> {
                assertThat(p.get("problem")).isEqualTo("meaning: vehicles.customerId -> customers.id");
                assertThat((String) p.get("detail")).startsWith("vehicles v1: ");
                assertThat(p.get("level")).isEqualTo("warning");
            });
        }
    }

    @Test
    void should_fail_naming_the_version_when_a_byte_is_flipped_or_an_object_deleted_and_keep_that_across_a_restart() throws Exception {
        RunningDaemon d = daemon("data");
        Http http = synced(d, "carla", 2);
        flipByte(latestObject(base.resolve("nas"), "carla", 2));
        Files.delete(latestObject(base.resolve("s3"), "carla", 2));
        flipByte(latestObject(base.resolve("receiver").resolve("replica"), "carla", 2));

        Http.Response drill = http.postJson("/api/drill", "");
        assertThat(drill.status()).as(drill.toString()).isEqualTo(200);
        Map<String, Object> answer = Json.readMap(drill.bytes());
        assertFailed(target(answer, "nas"), "hash differs");
        assertFailed(target(answer, "cloud"), "object missing");
        assertFailed(target(answer, "office"), "hash differs");
        assertThat(answer.get("lastVerifiedRestorableAt")).isNull();
        await().atMost(WAIT).until(() -> notices.stream().filter(n -> n.contains("\"event\":\"drill-failed\"")).count() == 3);
        assertThat(notices).filteredOn(n -> n.contains("\"target\":\"cloud\"")).singleElement().asString()
                .contains("\"user\":\"carla\"").contains("\"version\":2").contains("object missing");

        d.close();
        daemons.remove(d);
        RunningDaemon again = daemon("data");
        assertThat(again.http().as("carla").get("/api/drill").body()).isEqualTo(drill.body());
    }

    @Test
    void should_name_a_target_that_does_not_answer_without_failing_the_request() throws Exception {
        RunningDaemon d = daemon("data");
        Http http = synced(d, "ivan", 1);
        receiver.close();

        Http.Response drill = http.postJson("/api/drill", "");
        assertThat(drill.status()).as(drill.toString()).isEqualTo(200);
        Map<String, Object> answer = Json.readMap(drill.bytes());
        assertThat(target(answer, "office").get("ok")).isEqualTo(false);
        assertThat(target(answer, "office").get("problems").toString()).contains("target unavailable")
                .contains("target 'office' did not answer").doesNotContain(TOKEN);
        assertThat(target(answer, "nas").get("ok")).isEqualTo(true);
        assertThat(target(answer, "cloud").get("ok")).isEqualTo(true);
        await().atMost(WAIT).until(() -> notices.stream().anyMatch(n -> n.contains("drill-failed") && n.contains("\"target\":\"office\"")));
    }

    @Test
    void should_tell_the_webhook_once_when_a_copy_goes_unverified_longer_than_max_age() throws Exception {
        RunningDaemon d = daemon("data", "garagesync.drill.max-age", "1s", "garagesync.drill.watch-interval", "100ms");
        Http http = synced(d, "dora", 1);
        assertThat(http.postJson("/api/drill", "").status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> notices.stream().filter(n -> n.contains("\"event\":\"drill-overdue\"")).count() == 3);
        assertThat(notices).filteredOn(n -> n.contains("drill-overdue")).allMatch(n -> n.contains("\"user\":\"dora\""))
                .anyMatch(n -> n.contains("\"target\":\"nas\"")).anyMatch(n -> n.contains("\"target\":\"office\""));
        // reported once per copy, not on every look
        await().during(Duration.ofMillis(500)).atMost(WAIT)
                .until(() -> notices.stream().filter(n -> n.contains("drill-overdue")).count() == 3);
        assertThat(notices).noneMatch(n -> n.contains("drill-failed"));
    }

    @Test
    void should_drill_every_synced_copy_on_the_timer() throws Exception {
        RunningDaemon d = daemon("data", "garagesync.drill.interval", "300ms");
        Http http = synced(d, "emile", 2);
        await().atMost(WAIT).until(() -> {
            Map<String, Object> a = Json.readMap(http.get("/api/drill").bytes());
            return ((Map<?, ?>) a.get("targets")).size() == 3 && a.get("lastVerifiedRestorableAt") != null;
        });
        Map<String, Object> answer = Json.readMap(http.get("/api/drill").bytes());
        assertThat(((Number) target(answer, "cloud").get("version")).longValue()).isEqualTo(2);
        // a user who never synced has nothing off-site: the timer leaves them out
        assertThat(d.http().as("fanny").postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        assertThat(d.http().as("fanny").get("/api/drill").body()).contains("\"targets\":{}");
    }

    @Test
    void should_state_the_posture_in_french_and_english() throws Exception {
        Path key = base.resolve("offsite.key");
        OffsiteCipher.newKeyFile(key);
        RunningDaemon d = daemon("data", "garagesync.encryption.key-file", key.toString());
        Http http = synced(d, "gaston", 2);
        Http.Response none = http.with("Accept-Language", "fr-FR,fr;q=0.9").get("/api/posture");
        assertThat(none.status()).as(none.toString()).isEqualTo(200);
        assertThat(Json.readMap(none.bytes()).get("text"))
                .isEqualTo("4 copies, dont 2 hors site, chiffrées ; aucun test de restauration pour l'instant.");

        // encrypted copies are read back and decrypted by the drill
        Map<String, Object> drilled = Json.readMap(http.postJson("/api/drill", "").bytes());
        assertThat(target(drilled, "cloud").get("ok")).as(drilled.toString()).isEqualTo(true);

        Http.Response fr = http.with("Accept-Language", "fr-FR,fr;q=0.9,en;q=0.8").get("/api/posture");
        Map<String, Object> posture = Json.readMap(fr.bytes());
        assertThat(fr.header("Content-Language")).isEqualTo("fr");
        assertThat(posture.get("text")).isEqualTo("4 copies, dont 2 hors site, chiffrées ; dernier test de restauration réussi à l'instant.");
        @SuppressWarnings("unchecked")
        Map<String, Object> summary = (Map<String, Object>) posture.get("summary");
        assertThat(summary).containsEntry("encrypted", true).containsEntry("lastDrillOk", true);
        assertThat(summary).extractingByKeys("copies", "offsite", "immutable", "spooledFiles")
                .map(n -> ((Number) n).intValue()).containsExactly(4, 2, 0, 0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> copies = (List<Map<String, Object>>) posture.get("copies");
        assertThat(copies).extracting(c -> c.get("name")).containsExactly("ce serveur", "cloud", "nas", "office");
        assertThat(copies).filteredOn(c -> "nas".equals(c.get("name"))).singleElement()
                .satisfies(c -> {
                    assertThat(c).containsEntry("offsite", false).containsEntry("encrypted", true).containsKey("lastDrill");
                    assertThat(((Number) c.get("version")).longValue()).isEqualTo(2);
                });

        Http.Response en = http.with("Accept-Language", "en-GB,en;q=0.9,fr;q=0.5").get("/api/posture");
        assertThat(en.header("Content-Language")).isEqualTo("en");
        assertThat(Json.readMap(en.bytes()).get("text"))
                .isEqualTo("4 copies, 2 of them off-site, encrypted; last restore test passed just now.");

        // a copy that fails its drill is what the sentence says
        flipByte(latestObject(base.resolve("nas"), "gaston", 2));
        http.postJson("/api/drill", "");
        assertThat(Json.readMap(http.get("/api/posture").bytes()).get("text")).asString()
                .startsWith("4 copies, dont 2 hors site, chiffrées ; le dernier test de restauration de la copie « nas » a échoué à l'instant : ");
    }

    @Test
    void should_count_spooled_files_in_the_posture_and_not_fail_a_target_that_was_sent_nothing() throws Exception {
        Path unplugged = base.resolve("usb");
        Files.writeString(unplugged, "not a folder: the disk is unplugged");
        RunningDaemon d = RunningDaemon.start(base.resolve("lonely"), "garagesync.sync.interval", "200",
                "garagesync.sync.redelivery.max-attempts", "2", "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.max-delay", "20ms", "garagesync.drill.interval", "0",
                "garagesync.notify.webhook-url", "http://127.0.0.1:" + web.getAddress().getPort() + "/hooks/notify",
                "garagesync.target.usb.type", "dir", "garagesync.target.usb.path", unplugged.toString());
        daemons.add(d);
        Http http = d.http().as("hugo");
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> ((Number) targets(Json.readMap(http.get("/api/sync/status").bytes())).get(0)
                .get("spooledFiles")).intValue() == 1);

        Map<String, Object> fr = Json.readMap(http.get("/api/posture").bytes());
        assertThat(fr.get("text")).isEqualTo("1 copie, aucune hors site ; 1 envoi en attente depuis moins d'une minute.");
        @SuppressWarnings("unchecked")
        Map<String, Object> usb = ((List<Map<String, Object>>) fr.get("copies")).get(1);
        assertThat(usb).containsEntry("name", "usb").containsEntry("holds", false).containsEntry("offsite", false);
        assertThat(((Number) ((Map<?, ?>) usb.get("spool")).get("files")).intValue()).isEqualTo(1);
        assertThat(Json.readMap(http.with("Accept-Language", "en").get("/api/posture").bytes()).get("text"))
                .isEqualTo("1 copy, none off-site; 1 file waiting to be sent for less than a minute.");

        Map<String, Object> drill = Json.readMap(http.postJson("/api/drill", "").bytes());
        assertThat(target(drill, "usb")).containsEntry("ok", false).containsEntry("version", null);
        assertThat(target(drill, "usb").get("problems").toString()).contains("nothing sent yet");
        assertThat(notices).noneMatch(n -> n.contains("drill-failed"));
    }

    private static void assertFailed(Map<String, Object> r, String problem) {
        assertThat(r.get("ok")).as(r.toString()).isEqualTo(false);
        assertThat(((Number) r.get("version")).longValue()).isEqualTo(2);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> problems = (List<Map<String, Object>>) r.get("problems");
        assertThat(problems).as(r.toString()).singleElement().satisfies(p -> {
            assertThat(p.get("problem")).isEqualTo(problem);
            assertThat((String) p.get("detail")).startsWith("version 2");
        });
        assertThat(r.get("lastOkAt")).isNull();
    }

    /** The file holding version {@code id}'s object for the user somewhere under a target's folder. */
    private static Path latestObject(Path root, String user, long id) throws Exception {
        String prefix = String.format("%010d", id);
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile)
                    .filter(p -> p.toString().contains(user) && p.getFileName().toString().startsWith(prefix)
                            && p.getFileName().toString().endsWith(".gsv"))
                    .findFirst().orElseThrow(() -> new AssertionError("no object of version " + id + " under " + root));
        }
    }

    private static void flipByte(Path file) throws Exception {
        byte[] b = Files.readAllBytes(file);
        b[b.length / 2] ^= 0x01;
        Files.write(file, b);
    }

    /** Every file under the data directory except the drill's own, with its SHA-256. */
    private static Map<String, String> tree(Path dataDir) throws Exception {
        Map<String, String> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(dataDir)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                String rel = dataDir.relativize(p).toString();
                if (!rel.startsWith("drill")) {
                    files.put(rel, HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
                }
            }
        }
        return files;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> target(Map<String, Object> answer, String name) {
        return (Map<String, Object>) ((Map<String, Object>) answer.get("targets")).get(name);
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> targets(Map<String, Object> status) {
        return (List<Map<String, Object>>) status.get("targets");
    }
}
