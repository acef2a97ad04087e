package app.garagesync.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.auth.TokenFile;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The record index through what happens to it in a daemon's life: restarts, retention, its file deleted
 * or damaged, merged and restored versions, an S3 store shared by two daemons, token mode. Every answer
 * is checked over real HTTP against ground truth computed here from the versions posted ({@link RecordTruth}).
 */
class RecordIndexLifeTest {

    private static final String[] NO_RETENTION = {};

    /** A garage edited at random but reproducibly: customers with string ids, vehicles with number ids. */
    private static final class Editor {
        final Garage garage = new Garage();
        final RecordTruth truth = new RecordTruth();
        private final Random random;
        private int edit;

        Editor(long seed) {
            random = new Random(seed);
            for (int i = 0; i < 8; i++) {
                garage.put("customers", "\"c" + i + "\"", "\"name\":\"Client " + i + " Müller\",\"visits\":0");
                garage.put("vehicles", Integer.toString(i), "\"plate\":\"AB-" + (100 + i) + "-CD\"");
            }
        }

        /** Posts the next version, a few records inserted, edited or deleted; returns its number. */
        long post(Http http) {
            for (int k = 0; k < 3; k++) {
                edit++;
                int i = random.nextInt(12);
                boolean vehicle = random.nextBoolean();
                String collection = vehicle ? "vehicles" : "customers";
                String id = vehicle ? Integer.toString(i) : "\"c" + i + "\"";
                if (random.nextInt(5) == 0) {
                    garage.delete(collection, id);
                } else {
                    garage.put(collection, id, vehicle ? "\"plate\":\"AB-" + (100 + i) + "-CD\",\"km\":" + edit
                            : "\"name\":\"Client " + i + " Müller\",\"visits\":" + edit);
                }
            }
            String doc = garage.snapshot();
            Http.Response r = http.postJson("/api/backup", doc);
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
            long v = version(r);
            truth.add(v, doc);
            return v;
        }
    }

    private static long version(Http.Response r) {
        try {
            return Json.MAPPER.readTree(r.bytes()).get("version").asLong();
        } catch (Exception e) {
            throw new AssertionError(r.toString(), e);
        }
    }

    private static Path indexFile(Path dataDir, String user) {
        return dataDir.resolve("cache/records/" + user + ".jsonl");
    }

    private static void awaitIndexed(Path file, long version) {
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(file)
                && Files.readString(file).contains("[\"E\"," + version + ","));
    }

    @Test
    void should_answer_alike_across_restarts_and_when_the_file_is_deleted_running_or_stopped(@TempDir Path dir) throws Exception {
        Path file = indexFile(dir, "shop");
        Editor e = new Editor(1);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            for (int i = 0; i < 6; i++) {
                e.post(http);
            }
            e.truth.check(http, false); // builds the index
            long last = 0;
            for (int i = 0; i < 3; i++) {
                last = e.post(http);
            }
            awaitIndexed(file, last); // followed by the writes, not rebuilt by the next read
            e.truth.check(http, false);
        }
        String indexed = Files.readString(file);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            e.truth.check(http, false);
            assertThat(Files.readString(file)).isEqualTo(indexed); // read back, not rebuilt
            e.post(http);
            e.post(http);
            e.truth.check(http, false);
            Files.delete(file); // while the daemon runs
            e.truth.check(http, false);
            assertThat(file).exists();
        }
        Files.delete(file);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            e.truth.check(daemon.http().as("shop"), false);
            assertThat(file).exists();
        }
    }

    @Test
    void should_rebuild_a_damaged_index_and_never_answer_500(@TempDir Path dir) throws Exception {
        Path file = indexFile(dir, "shop");
        Editor e = new Editor(2);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            for (int i = 0; i < 8; i++) {
                e.post(http);
            }
            e.truth.check(http, false);
        }
        byte[] good = Files.readAllBytes(file);
        String text = new String(good, StandardCharsets.UTF_8);
        List<String> lines = new ArrayList<>(Arrays.asList(text.split("\n")));
        int middle = lines.size() / 2;
        Map<String, UnaryOperator<byte[]>> damages = new java.util.LinkedHashMap<>();
        damages.put("torn last line", b -> Arrays.copyOf(b, b.length - 6));
        damages.put("cut in the middle of a line", b -> Arrays.copyOf(b, b.length / 2));
        damages.put("last block without its end", b -> bytes(String.join("\n", lines.subList(0, lines.size() - 1)) + "\n"));
        damages.put("garbage line in the middle", b -> {
            List<String> l = new ArrayList<>(lines);
            l.add(middle, "}{ not json at all");
            return bytes(String.join("\n", l) + "\n");
        });
        damages.put("a hash changed (check fails)", b -> {
            List<String> l = new ArrayList<>(lines);
            for (int i = 1; i < l.size(); i++) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("^(\\[\"customers\",\"[^\"]+\",\")(.)").matcher(l.get(i));
                if (m.find()) {
                    l.set(i, m.replaceFirst("$1" + (m.group(2).equals("0") ? "1" : "0")));
                    break;
                }
            }
            return bytes(String.join("\n", l) + "\n");
        });
        damages.put("JSON that is not an index", b -> bytes("{\"hello\":1}\n[1,2,3]\n[\"V\"]\n"));
        damages.put("header of another format", b -> bytes(text.replaceFirst("\\[\"H\",\\d+,", "[\"H\",1,")));
        damages.put("blocks out of order", b -> bytes(lines.get(0) + "\n" + String.join("\n", lines.subList(middle, lines.size()))
                + "\n" + String.join("\n", lines.subList(1, lines.size())) + "\n"));
        damages.put("empty", b -> new byte[0]);
        damages.put("not UTF-8", b -> new byte[] {(byte) 0xFF, (byte) 0xFE, 0, (byte) 0xC3, '\n', (byte) 0x80});
        damages.put("nul bytes", b -> new byte[4096]);
        for (Map.Entry<String, UnaryOperator<byte[]>> damage : damages.entrySet()) {
            Files.write(file, damage.getValue().apply(good));
            try (RunningDaemon daemon = RunningDaemon.start(dir)) {
                Http http = daemon.http().as("shop");
                try {
                    e.truth.check(http, false);
                } catch (AssertionError failure) {
                    throw new AssertionError("index file " + damage.getKey() + ": " + failure.getMessage(), failure);
                }
            }
            // what the daemon left reads back whole: a later start answers from it without indexing again
            List<String> left = Files.readAllLines(file);
            assertThat(left.get(left.size() - 1)).as(damage.getKey()).startsWith("[\"E\",8,");
        }
        // the copies of the records' bytes next to the index: torn, overwritten, gone; read from the versions then
        Path copies = dir.resolve("cache/records/shop.records");
        byte[] kept = Files.readAllBytes(copies);
        assertThat(kept).isNotEmpty();
        Map<String, UnaryOperator<byte[]>> copyDamages = new java.util.LinkedHashMap<>();
        copyDamages.put("record file cut in half", b -> Arrays.copyOf(b, b.length / 2));
        copyDamages.put("record file overwritten", b -> {
            byte[] x = b.clone();
            Arrays.fill(x, (byte) 'x');
            return x;
        });
        copyDamages.put("record file shifted", b -> Arrays.copyOfRange(b, 1, b.length));
        for (Map.Entry<String, UnaryOperator<byte[]>> damage : copyDamages.entrySet()) {
            Files.write(copies, damage.getValue().apply(kept));
            try (RunningDaemon daemon = RunningDaemon.start(dir)) {
                try {
                    e.truth.check(daemon.http().as("shop"), false);
                } catch (AssertionError failure) {
                    throw new AssertionError(damage.getKey() + ": " + failure.getMessage(), failure);
                }
            }
        }
        Files.delete(copies);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            e.truth.check(http, false);
            e.post(http);
            e.truth.check(http, false);
        }
        // torn while the daemon runs: the next block is appended after the torn line, and a restart copes
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            e.truth.check(http, false);
            byte[] now = Files.readAllBytes(file);
            Files.write(file, Arrays.copyOf(now, now.length - 4));
            awaitIndexed(file, e.post(http));
            e.truth.check(http, false);
        }
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            e.truth.check(daemon.http().as("shop"), false);
        }
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String[] retention(String lastKept, String hourly, String... more) {
        return Stream.concat(Stream.of("garagesync.retention.batch", "1", "garagesync.retention.keep-last", lastKept,
                "garagesync.retention.keep-hourly", hourly, "garagesync.retention.time-zone", "UTC"), Stream.of(more))
                .toArray(String[]::new);
    }

    private static void awaitKept(Http http, int count) {
        await().atMost(Duration.ofSeconds(20)).until(() -> RecordTruth.kept(http).size() == count);
    }

    @Test
    void history_spans_only_the_versions_retention_keeps_and_says_so(@TempDir Path dir) throws Exception {
        Editor e = new Editor(3);
        try (RunningDaemon daemon = RunningDaemon.start(dir, retention("3", "0"))) {
            Http http = daemon.http().as("shop");
            e.post(http);
            e.post(http);
            e.truth.check(http, false);
            for (int posted = 3; posted <= 10; posted++) {
                e.post(http);
                awaitKept(http, Math.min(posted, 3));
                e.truth.check(http, posted > 3);
            }
        }
        try (RunningDaemon daemon = RunningDaemon.start(dir, retention("3", "0"))) {
            e.truth.check(daemon.http().as("shop"), true);
        }
    }

    /**
     * Retention that keeps one version an hour removes the previous version at each backup, racing the
     * index following that backup: whichever goes first, history is that of the versions kept.
     */
    @Test
    void history_stays_right_when_each_backup_removes_the_previous_version(@TempDir Path dir) throws Exception {
        Editor e = new Editor(4);
        try (RunningDaemon daemon = RunningDaemon.start(dir, retention("0", "1"))) {
            Http http = daemon.http().as("shop");
            e.post(http);
            e.post(http);
            awaitKept(http, 1);
            e.truth.check(http, true);
            for (int i = 0; i < 10; i++) {
                long v = e.post(http);
                await().atMost(Duration.ofSeconds(20)).until(() -> RecordTruth.kept(http).first() == v);
                e.truth.check(http, true);
            }
        }
    }

    /**
     * Two daemons share a bucket; one keeps an index while the other stores versions and removes the
     * versions that index was built from: it catches up from what the bucket holds.
     */
    @Test
    void an_index_on_a_shared_s3_store_catches_up_with_versions_another_daemon_stored_and_pruned(@TempDir Path dir)
            throws Exception {
        Editor e = new Editor(5);
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             RunningDaemon a = RunningDaemon.start(dir.resolve("a"), concat(s3.storeProperties("garage/"), retention("2", "0")));
             RunningDaemon b = RunningDaemon.start(dir.resolve("b"), concat(s3.storeProperties("garage/"), retention("2", "0")))) {
            Http onA = a.http().as("shop");
            Http onB = b.http().as("shop");
            e.post(onA);
            e.post(onA);
            e.truth.check(onA, false);
            e.post(onA);
            awaitKept(onA, 2);
            e.truth.check(onA, true);
            e.truth.check(onB, true);
            for (int i = 0; i < 4; i++) {
                e.post(onB);
            }
            awaitKept(onB, 2);
            e.truth.check(onA, true);
            e.truth.check(onB, true);
            assertThat(indexFile(dir.resolve("a"), "shop")).exists();
            assertThat(indexFile(dir.resolve("b"), "shop")).exists();
        }
    }

    private static String[] concat(String[] a, String[] b) {
        return Stream.concat(Arrays.stream(a), Arrays.stream(b)).toArray(String[]::new);
    }

    private static Http.Response patch(Http http, String body) {
        return http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void history_follows_merged_versions_and_restored_records(@TempDir Path dir) throws Exception {
        Editor e = new Editor(6);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            long base = e.post(http);
            String baseDoc = e.garage.document(base);
            e.post(http);
            e.truth.check(http, false);
            int vehicle = 0;
            while (e.truth.record(base, new RecordTruth.Rec("vehicles", Integer.toString(vehicle))) == null) {
                vehicle++;
            }
            // a device still on the first version edits c1, adds c20, deletes a vehicle: merged onto the latest
            Http.Response stale = patch(http, "{\"baseVersion\":" + base + ",\"upserts\":{\"customers\":[{\"id\":\"c1\","
                    + "\"name\":\"Client 1 édité hors ligne\",\"visits\":99},{\"id\":\"c20\",\"name\":\"Nouveau\"}]},"
                    + "\"deletes\":{\"vehicles\":[" + vehicle + "]}}");
            assertThat(stale.status()).as(stale.toString()).isEqualTo(201);
            assertThat(stale.body()).contains("\"merged\"");
            e.truth.fetch(http, version(stale));
            // another device posts its whole state edited from the first version (If-Match): merged too
            String edited = baseDoc.replace("\"customers\":[", "\"customers\":[{\"id\":\"c30\",\"name\":\"Ajouté par la tablette\"},");
            Http.Response whole = http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                    .header("If-Match", "\"" + base + "\"").POST(HttpRequest.BodyPublishers.ofString(edited)));
            assertThat(whole.status()).as(whole.toString()).isEqualTo(201);
            e.truth.fetch(http, version(whole));
            e.truth.check(http, false);
            // records restored: c1 as it was first, the vehicle brought back, c20 removed again
            for (String restore : List.of("{\"collection\":\"customers\",\"id\":\"c1\",\"version\":" + base + "}",
                    "{\"collection\":\"vehicles\",\"id\":" + vehicle + ",\"version\":" + base + "}",
                    "{\"collection\":\"customers\",\"id\":\"c20\",\"version\":" + base + "}")) {
                Http.Response r = http.postJson("/api/records/restore", restore);
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
                e.truth.fetch(http, version(r));
                e.truth.check(http, false);
            }
            RecordTruth.Rec c1 = new RecordTruth.Rec("customers", "\"c1\"");
            assertThat(e.truth.record(RecordTruth.kept(http).last(), c1)).isEqualTo(e.truth.record(base, c1));
        }
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            e.truth.check(daemon.http().as("shop"), false);
        }
    }

    @Test
    void in_token_mode_a_user_never_sees_another_users_records(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens");
        String aliceToken = new TokenFile(tokens).issue("alice");
        String bobToken = new TokenFile(tokens).issue("bob");
        Editor alice = new Editor(7);
        Editor bob = new Editor(8);
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.auth.mode", "token")) {
            Http asAlice = daemon.http().with("Authorization", "Bearer " + aliceToken);
            // the header of header mode changes nothing in token mode
            Http asBob = daemon.http().with("Authorization", "Bearer " + bobToken).as("alice");
            for (int i = 0; i < 5; i++) {
                alice.post(asAlice);
            }
            alice.garage.put("customers", "\"secret\"", "\"name\":\"Seulement chez Alice\"");
            alice.truth.add(version(asAlice.postJson("/api/backup", alice.garage.snapshot())), alice.garage.document(6));
            for (int i = 0; i < 2; i++) {
                bob.post(asBob);
            }
            alice.truth.check(asAlice, false);
            bob.truth.check(asBob, false);
            assertThat(asBob.get("/api/records/customers/secret").status()).isEqualTo(404);
            assertThat(asBob.get("/api/records/customers/secret/history").status()).isEqualTo(404);
            assertThat(asBob.get("/api/records/customers/secret?version=6").status()).isEqualTo(404);
            assertThat(asBob.get("/api/diff?from=1&to=6").status()).isEqualTo(404);
            assertThat(asBob.get("/api/diff?from=1&to=6&records=true").body()).doesNotContain("Alice");
            assertThat(asBob.get("/api/records/customers?q=alice").body()).doesNotContain("Alice");
            assertThat(asBob.postJson("/api/records/restore", "{\"collection\":\"customers\",\"id\":\"secret\",\"version\":6}")
                    .status()).isEqualTo(404);
            assertThat(daemon.http().get("/api/records/customers/secret/history").status()).isEqualTo(401);
            assertThat(Files.readString(indexFile(dir, "bob"))).doesNotContain("secret");
            assertThat(Files.readString(indexFile(dir, "alice"))).contains("secret");
            bob.truth.check(asBob, false); // unchanged by alice's version 6
        }
    }

    /** Search keeps the latest it read for the next searches: a new version is searched, never the one before. */
    @Test
    void search_answers_from_each_new_latest(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            for (String user : List.of("indexed", "searching-only")) {
                Http http = daemon.http().as(user);
                Editor e = new Editor(9);
                e.post(http);
                if (user.equals("indexed")) {
                    e.truth.check(http, false); // a record index: each write also makes the new latest ready to search
                }
                for (int i = 0; i < 4; i++) {
                    assertThat(found(http, "customers", "client 3 müller")).as(user)
                            .isEqualTo(e.garage.versions.get(e.garage.versions.size() - 1).get("customers").containsKey("\"c3\"") ? 1 : 0);
                    e.garage.put("customers", "\"c3\"", "\"name\":\"Renommé " + i + "\"");
                    e.garage.put("customers", "\"c30\"", "\"name\":\"Nouvelle Cliente " + i + "\"");
                    post(http, e);
                    assertThat(found(http, "customers", "renomme " + i)).as(user).isEqualTo(1);
                    assertThat(found(http, "customers", "renomme " + (i - 1))).as(user).isZero();
                    assertThat(found(http, "customers", "NOUVELLE CLIENTE " + i)).as(user).isEqualTo(1);
                    assertThat(found(http, "customers", "client 3 müller")).as(user).isZero();
                    e.garage.put("customers", "\"c3\"", "\"name\":\"Client 3 Müller\"");
                    post(http, e);
                }
                Http.Response control = http.get("/api/records/customers?q=a%00b");
                assertThat(control.status()).isEqualTo(400);
                assertThat(control.body()).contains("\"error\":\"invalid_request\"").contains("q:");
            }
        }
    }

    private static void post(Http http, Editor e) {
        Http.Response r = http.postJson("/api/backup", e.garage.snapshot());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static int found(Http http, String collection, String q) throws Exception {
        Http.Response r = http.get("/api/records/" + collection + "?q=" + java.net.URLEncoder.encode(q, StandardCharsets.UTF_8)
                .replace("+", "%20"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        return Json.MAPPER.readTree(r.bytes()).get("records").size();
    }
}
