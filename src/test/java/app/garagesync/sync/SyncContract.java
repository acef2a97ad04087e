package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.store.BackupStore;
import app.garagesync.store.StoredVersions;
import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every target kind must do, run once per kind (restic's backend suite, here against the real
 * daemon): push each version once, write nothing on an idle tick, keep versions as zips while the
 * target is down and drain them after, and restore every version exactly into an empty data directory.
 */
abstract class SyncContract {

    static final String NAME = "offsite";
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path base;
    TargetUnderTest target;
    final List<RunningDaemon> daemons = new ArrayList<>();

    abstract TargetUnderTest target(Path base) throws Exception;

    @BeforeEach
    void setUpTarget() throws Exception {
        target = target(base);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (RunningDaemon d : daemons) {
            d.close();
        }
        target.close();
    }

    RunningDaemon daemon(String dataDir, String... extra) {
        List<String> p = new ArrayList<>(List.of(
                "garagesync.sync.interval", "200",
                "garagesync.sync.redelivery.max-attempts", "3",
                "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.backoff-multiplier", "2",
                "garagesync.sync.redelivery.max-delay", "50ms"));
        p.addAll(List.of(target.properties(NAME)));
        p.addAll(List.of(extra));
        RunningDaemon d = RunningDaemon.start(base.resolve(dataDir), p.toArray(String[]::new));
        daemons.add(d);
        return d;
    }

    @Test
    void should_push_each_version_once_and_write_nothing_on_an_idle_tick() throws Exception {
        RunningDaemon d = daemon("data");
        Http http = d.http().as("alice");
        for (int i = 1; i <= 3; i++) {
            assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
        }
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);

        await().atMost(WAIT).until(() -> status(http).get("lastSync") != null);
        for (int i = 1; i <= 3; i++) {
            assertThat(rebuilt(target, "alice", i)).isEqualTo(Backups.small(i).getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> status = status(http);
        assertThat(status.get("error")).isNull();
        assertThat(status.get("syncedRecords")).isEqualTo(status.get("totalRecords"));
        Map<String, Object> t = targetStatus(status);
        assertThat(t.get("state")).isEqualTo("ok");
        assertThat(((Number) t.get("pendingVersions")).intValue()).isZero();

        Map<String, String> before = target.snapshot();
        Map<String, String> localBefore = tree(d.dataDir());
        NotifyBuilder ticks = new NotifyBuilder(d.context()).fromRoute("sync-tick").whenCompleted(3).create();
        assertThat(ticks.matches(WAIT.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        assertThat(target.snapshot()).isEqualTo(before);
        assertThat(tree(d.dataDir())).isEqualTo(localBefore);

        // one new version: exactly its object and the index are written, nothing else
        assertThat(http.postJson("/api/backup", Backups.small(4)).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> listed(target, "alice").contains(4L)
                && ((Number) targetStatus(status(http)).get("pendingVersions")).intValue() == 0);
        Map<String, String> after = target.snapshot();
        List<String> changed = new ArrayList<>();
        after.forEach((k, v) -> {
            if (!k.startsWith("#") && !v.equals(before.get(k))) {
                changed.add(k);
            }
        });
        // version 4 in its stored form (a delta of 3, or a checkpoint if the store chose one), and the index
        assertThat(changed).hasSize(2).contains(RemoteLayout.indexKey("alice"))
                .anyMatch(k -> k.startsWith("users/alice/versions/0000000004") && k.endsWith(".gsv"));
        assertThat(rebuilt(target, "alice", 4)).isEqualTo(Backups.small(4).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void should_keep_versions_as_zips_while_the_target_is_down_and_drain_them_after() throws Exception {
        RunningDaemon d = daemon("data");
        Http http = d.http().as("bob");
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> status(http).get("lastSync") != null);

        target.breakIt();
        assertThat(http.postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", Backups.small(3)).status()).isEqualTo(201);
        Path spool = d.dataDir().resolve("spool").resolve(NAME);
        await().atMost(WAIT).until(() -> zips(spool).size() == 2);
        Map<String, Object> down = status(http);
        assertThat(down.get("error")).asString().contains(NAME);
        assertThat(targetStatus(down).get("state")).isIn("failing", "retrying");
        assertThat(((Number) targetStatus(down).get("spooledFiles")).intValue()).isEqualTo(2);
        for (Path zip : zips(spool)) {
            Map<String, byte[]> entries = unzip(zip);
            Map<String, Object> manifest = Json.readMap(entries.get("manifest.json"));
            int v = ((Number) manifest.get("version")).intValue();
            // the object as it would have been put: the version file the store keeps
            assertThat(entries.get((String) manifest.get("file"))).isEqualTo(storedFile(d, "bob", v));
            assertThat(manifest.get("target")).isEqualTo(NAME);
            assertThat(manifest.get("user")).isEqualTo("bob");
        }
        assertThat(d.http().get("/api/metrics").body()).contains("garagesync_sync_failures_total{target=\"offsite\"}");

        target.repair();
        await().atMost(WAIT).until(() -> zips(spool).isEmpty() && status(http).get("error") == null
                && listed(target, "bob").size() == 3);
        for (int i = 1; i <= 3; i++) {
            assertThat(rebuilt(target, "bob", i)).isEqualTo(Backups.small(i).getBytes(StandardCharsets.UTF_8));
        }
        Map<String, Object> up = status(http);
        assertThat(targetStatus(up).get("state")).isEqualTo("ok");
        assertThat(((Number) targetStatus(up).get("spooledFiles")).intValue()).isZero();
        assertThat(up.get("lastSync")).isNotNull();
        String history = http.get("/api/sync/history").body();
        assertThat(history).contains("\"result\":\"spooled\"").contains("\"result\":\"drained\"");
    }

    @Test
    void should_restore_every_version_exactly_into_an_empty_data_dir() throws Exception {
        RunningDaemon first = daemon("first");
        Http http = first.http().as("carol");
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        for (int i = 1; i <= 3; i++) {
            assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
        }
        await().atMost(WAIT).until(() -> ((Number) targetStatus(status(http)).get("pendingVersions")).intValue() == 0
                && listed(target, "carol").contains(3L));
        String versions = http.get("/api/backup/versions").body();
        first.close();
        daemons.remove(first);

        RunningDaemon fresh = daemon("fresh");
        Http again = fresh.http().as("carol");
        assertThat(again.get("/api/backup").status()).isEqualTo(404);
        assertThat(again.postJson("/api/restore", "{\"target\": \"nowhere\"}").status()).isEqualTo(400);
        assertThat(again.postJson("/api/restore", "{\"target\": \"" + NAME + "\", \"version\": \"x\"}").status()).isEqualTo(400);
        assertThat(again.postJson("/api/restore", "[1]").status()).isEqualTo(400);
        assertThat(fresh.http().as("nobody").postJson("/api/restore", "{\"target\": \"" + NAME + "\"}").status()).isEqualTo(404);

        Http.Response restored = again.postJson("/api/restore", "{\"target\": \"" + NAME + "\"}");
        assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
        assertThat(restored.body()).contains("\"restored\":[1,2,3]");
        // identical ids, times, sizes and counts; only the stored size may differ (restored versions are whole)
        assertThat(withoutStoredSize(again.get("/api/backup/versions").body())).isEqualTo(withoutStoredSize(versions));
        for (int i = 1; i <= 3; i++) {
            assertThat(again.get("/api/backup?version=" + i).body()).isEqualTo(Backups.small(i));
        }
        // a second restore finds everything present and changes nothing
        assertThat(again.postJson("/api/restore", "{\"target\": \"" + NAME + "\", \"version\": 2}").body())
                .contains("\"restored\":[]").contains("\"alreadyPresent\":[2]");
    }

    @Test
    void should_list_and_restore_every_user_for_an_admin_and_only_themselves_for_others() throws Exception {
        RunningDaemon first = daemon("first");
        Map<String, Integer> versions = Map.of("dora", 2, "eli", 3);
        for (Map.Entry<String, Integer> u : versions.entrySet()) {
            Http http = first.http().as(u.getKey());
            assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
            for (int i = 1; i <= u.getValue(); i++) {
                assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
            }
        }
        await().atMost(WAIT).until(() -> listed(target, "dora").contains(2L) && listed(target, "eli").contains(3L));
        first.close();
        daemons.remove(first);

        RunningDaemon fresh = daemon("fresh", "garagesync.admin.users", "boss");
        Http boss = fresh.http().as("boss");
        Http eli = fresh.http().as("eli");
        Http.Response held = boss.get("/api/restore/users?target=" + NAME);
        assertThat(held.status()).as(held.toString()).isEqualTo(200);
        List<Map<String, Object>> users = heldUsers(held);
        assertThat(users).extracting(u -> u.get("user")).containsExactly("dora", "eli");
        assertThat(users).extracting(u -> ((Number) u.get("latestVersion")).intValue()).containsExactly(2, 3);
        assertThat(users).extracting(u -> ((Number) u.get("versions")).intValue()).containsExactly(2, 3);
        assertThat(heldUsers(eli.get("/api/restore/users?target=" + NAME))).extracting(u -> u.get("user")).containsExactly("eli");
        assertThat(boss.get("/api/restore/users?target=nowhere").status()).isEqualTo(400);

        // anyone but an admin restores only themselves, and asking for more stores nothing
        for (String users403 : List.of("[\"dora\"]", "\"*\"", "[\"eli\", \"dora\"]")) {
            Http.Response refused = eli.postJson("/api/restore", "{\"target\": \"" + NAME + "\", \"users\": " + users403 + "}");
            assertThat(refused.status()).as(refused.toString()).isEqualTo(403);
            assertThat(refused.body()).contains("\"error\":\"forbidden\"");
        }
        assertThat(boss.postJson("/api/restore", "{\"target\": \"" + NAME + "\", \"users\": [\"../x\"]}").status()).isEqualTo(400);
        assertThat(boss.postJson("/api/restore", "{\"target\": \"" + NAME + "\", \"users\": \"*\", \"version\": 1}").status()).isEqualTo(400);
        assertThat(fresh.http().as("dora").get("/api/backup").status()).isEqualTo(404);

        // the admin's disaster restore brings back every user the target holds, exactly
        Http.Response restored = boss.postJson("/api/restore", "{\"target\": \"" + NAME + "\"}");
        assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
        assertThat(restored.body()).contains("\"dora\":{\"restored\":[1,2]").contains("\"eli\":{\"restored\":[1,2,3]");
        for (Map.Entry<String, Integer> u : versions.entrySet()) {
            for (int i = 1; i <= u.getValue(); i++) {
                assertThat(fresh.http().as(u.getKey()).get("/api/backup?version=" + i).body()).isEqualTo(Backups.small(i));
            }
        }
        // named users, or "*" again: everything is there already
        assertThat(boss.postJson("/api/restore", "{\"target\": \"" + NAME + "\", \"users\": [\"eli\"]}").body())
                .contains("\"eli\":{\"restored\":[],\"alreadyPresent\":[1,2,3]");
        assertThat(boss.postJson("/api/restore", "{\"target\": \"" + NAME + "\", \"users\": \"*\"}").body())
                .contains("\"dora\":{\"restored\":[],\"alreadyPresent\":[1,2]");
        // and a user restores themselves as before
        assertThat(eli.postJson("/api/restore", "{\"target\": \"" + NAME + "\"}").body()).contains("\"alreadyPresent\":[1,2,3]");
    }

    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> heldUsers(Http.Response r) throws Exception {
        return (List<Map<String, Object>>) Json.readMap(r.bytes()).get("users");
    }

    @Test
    void should_delete_the_objects_of_pruned_versions_once_the_index_no_longer_lists_them() throws Exception {
        RunningDaemon d = daemon("data");
        Http http = d.http().as("frank");
        for (int i = 1; i <= 5; i++) {
            assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
        }
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        await().atMost(WAIT).until(() -> listed(target, "frank").size() == 5);

        BackupStore store = d.context().getRegistry().lookupByNameAndType("backupStore", BackupStore.class);
        assertThat(store.stored("frank", 4).parent()).as("version 4 is a delta of 3").isEqualTo(3);
        assertThat(store.prune("frank", versions -> java.util.Set.of(4L, 5L))).containsExactly(1L, 2L, 3L);
        await().atMost(WAIT).until(() -> listed(target, "frank").equals(java.util.Set.of(4L, 5L))
                && keys(target, "frank").size() == 3);
        // 4 went again, whole: its delta there needed 3; 5 stays as it was
        assertThat(keys(target, "frank")).containsExactlyInAnyOrder(RemoteLayout.indexKey("frank"),
                RemoteLayout.objectKey("frank", 4, 0), RemoteLayout.objectKey("frank", 5, store.stored("frank", 5).parent()));
        for (int i = 4; i <= 5; i++) {
            assertThat(rebuilt(target, "frank", i)).isEqualTo(Backups.small(i).getBytes(StandardCharsets.UTF_8));
        }
        await().atMost(WAIT).until(() -> ((Number) targetStatus(status(http)).get("pendingVersions")).intValue() == 0
                && status(http).get("error") == null);
    }

    /** The keys the target holds under the user's folder. */
    static java.util.Set<String> keys(TargetUnderTest target, String user) throws Exception {
        java.util.Set<String> keys = new java.util.TreeSet<>(target.snapshot().keySet());
        keys.removeIf(k -> !k.startsWith("users/" + user + "/"));
        return keys;
    }

    /** The ids the target's index lists for the user (none without an index). */
    static java.util.Set<Long> listed(TargetUnderTest target, String user) throws Exception {
        byte[] index = target.read(RemoteLayout.indexKey(user));
        java.util.Set<Long> ids = new java.util.TreeSet<>();
        if (index != null) {
            RemoteLayout.entries(index).forEach(e -> ids.add(((Number) e.get("id")).longValue()));
        }
        return ids;
    }

    /** Version {@code id} rebuilt from the target's plain objects, as a restore rebuilds it (checks included). */
    static byte[] rebuilt(TargetUnderTest target, String user, long id) throws Exception {
        Map<Long, RemoteObject> objects = new java.util.TreeMap<>();
        long size = -1;
        for (Map<String, Object> e : RemoteLayout.entries(target.read(RemoteLayout.indexKey(user)))) {
            RemoteObject o = RemoteObject.fromMap(e);
            objects.put(o.id(), o);
            if (o.id() == id) {
                size = ((Number) e.get("size")).longValue();
            }
        }
        RemoteChain chain = new RemoteChain(user, objects, key -> {
            try {
                return target.read(key);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        return chain.document(id, size);
    }

    /** The stored bytes of a version in a daemon's local store (a record of its pack or a file of its own). */
    static byte[] storedFile(RunningDaemon d, String user, long id) throws Exception {
        return StoredVersions.read(d.dataDir(), user, id);
    }

    static String withoutStoredSize(String versionsJson) {
        return versionsJson.replaceAll(",\"storedSize\":\\d+", "");
    }

    static Map<String, Object> status(Http http) throws Exception {
        return Json.readMap(http.get("/api/sync/status").bytes());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> targetStatus(Map<String, Object> status) {
        return ((List<Map<String, Object>>) status.get("targets")).stream()
                .filter(t -> NAME.equals(t.get("name"))).findFirst().orElseThrow();
    }

    static List<Path> zips(Path spool) throws Exception {
        if (!Files.isDirectory(spool)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(spool)) {
            return s.filter(p -> p.toString().endsWith(".zip")).sorted().toList();
        }
    }

    static Map<String, byte[]> unzip(Path zip) throws Exception {
        Map<String, byte[]> out = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(Files.readAllBytes(zip)))) {
            for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.put(e.getName(), in.readAllBytes());
            }
        }
        return out;
    }

    /** Every file under the data directory with size and modification time, to prove nothing was written. */
    static Map<String, String> tree(Path dir) throws Exception {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                if (p.getFileName().toString().equals(".lock")) {
                    continue;
                }
                out.put(dir.relativize(p).toString(), Files.size(p) + "@" + Files.getLastModifiedTime(p).toMillis());
            }
        }
        return out;
    }
}
