package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.Json;
import app.garagesync.store.BackupStore;
import app.garagesync.backup.Retention;
import app.garagesync.store.VersionInfo;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Targets receive versions as the store keeps them (a checkpoint, then deltas), mirror local retention,
 * and give back every version exactly: against a real S3 API (s3proxy) and real daemons. The sync is run
 * by calling the runner the timer calls, so each step's writes can be counted exactly.
 */
class DeltaSyncTest {

    static final String NAME = "offsite";
    static final String USER = "shop";

    @TempDir
    Path dir;
    S3Target s3;
    final List<RunningDaemon> daemons = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        s3 = new S3Target(dir);
    }

    @AfterEach
    void stop() throws Exception {
        daemons.forEach(RunningDaemon::close);
        s3.close();
    }

    RunningDaemon daemon(String data, String... extra) {
        List<String> p = new ArrayList<>(List.of("garagesync.sync.interval", "1h",
                "garagesync.sync.redelivery.max-attempts", "2", "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.backoff-multiplier", "2", "garagesync.sync.redelivery.max-delay", "20ms"));
        p.addAll(List.of(s3.properties(NAME)));
        p.addAll(List.of(extra));
        RunningDaemon d = RunningDaemon.start(dir.resolve(data), p.toArray(String[]::new));
        daemons.add(d);
        return d;
    }

    static void sync(RunningDaemon d) {
        d.context().getRegistry().lookupByNameAndType("syncRunner", SyncRunner.class).push(NAME, USER);
    }

    /** A day of work on a garage's data: about 1% of the entities of each collection edited, one customer added. */
    static void workDay(EditableBackup.Doc doc, Random r, int day) {
        for (List<String> c : doc.collections.values()) {
            for (int k = 0; k < Math.max(1, c.size() / 100); k++) {
                int i = r.nextInt(c.size());
                c.set(i, c.get(i).replaceFirst("\"total\":\\d+", "\"total\":" + (100_000 + r.nextInt(99_999))));
            }
        }
        doc.add("customers", EditableBackup.entity("day" + day, r));
    }

    /** Posts {@code days} versions, the first a whole garage, each next one a day of work; returns them by id. */
    static Map<Long, byte[]> post(Http http, int days, int perCollection, Random r, Runnable afterEach) {
        EditableBackup.Doc doc = EditableBackup.initial(r, perCollection);
        doc.collections.remove("users"); // an empty collection: nothing to edit in it
        Map<Long, byte[]> posted = new TreeMap<>();
        for (int day = 1; day <= days; day++) {
            if (day > 1) {
                workDay(doc, r, day);
            }
            byte[] bytes = doc.bytes();
            Http.Response created = http.postBytes("/api/backup", "application/json", bytes);
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            posted.put((long) day, bytes);
            afterEach.run();
        }
        return posted;
    }

    /** Bytes of the objects written between two snapshots (new, or written again). */
    static long written(Map<String, String> before, Map<String, String> after) {
        return after.entrySet().stream().filter(e -> !e.getKey().startsWith("#"))
                .filter(e -> !e.getValue().equals(before.get(e.getKey())))
                .mapToLong(e -> Long.parseLong(e.getValue().split("@")[0])).sum();
    }

    static void assertRestoresExactly(RunningDaemon fresh, Map<Long, byte[]> expected) {
        Http http = fresh.http().as(USER);
        Http.Response restored = http.postJson("/api/restore", "{\"target\": \"" + NAME + "\"}");
        assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
        assertThat(restored.body()).contains("\"restored\":" + expected.keySet().toString().replace(" ", ""));
        for (Map.Entry<Long, byte[]> v : expected.entrySet()) {
            assertThat(http.get("/api/backup?version=" + v.getKey()).bytes()).as("version %d", v.getKey()).isEqualTo(v.getValue());
        }
    }

    @Test
    void a_day_of_work_sends_a_delta_and_a_fresh_daemon_restores_every_version_exactly() throws Exception {
        RunningDaemon first = daemon("first");
        Http http = first.http().as(USER);
        List<Long> dayBytes = new ArrayList<>();
        Map<Long, byte[]> posted = post(http, 14, 2000, new Random(5), () -> {
            Map<String, String> before = s3.snapshot();
            sync(first);
            dayBytes.add(written(before, s3.snapshot()));
        });
        long whole = posted.get(14L).length;
        Set<String> keys = s3.keys();
        // one object per version: the first whole, every day after it a delta of the day before
        assertThat(keys).contains(RemoteLayout.objectKey(USER, 1, 0), RemoteLayout.indexKey(USER));
        for (long day = 2; day <= 14; day++) {
            assertThat(keys).contains(RemoteLayout.objectKey(USER, day, day - 1));
        }
        assertThat(keys).hasSize(15);
        // a one-day change (its delta and the index) is a small fraction of the whole document
        for (int day = 2; day <= 14; day++) {
            assertThat(dayBytes.get(day - 1)).as("bytes written to S3 on day %d, of a %d-byte backup", day, whole)
                    .isLessThan(whole / 20);
        }
        assertThat(dayBytes.get(0)).as("the first version goes whole (compressed)").isGreaterThan(whole / 20);
        String versions = http.get("/api/backup/versions").body();

        RunningDaemon fresh = daemon("fresh");
        long t0 = System.nanoTime();
        assertRestoresExactly(fresh, posted);
        System.out.printf("FIGURE restore of 14 versions (%d bytes each) from deltas: %d ms%n", whole,
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(SyncContract.withoutStoredSize(fresh.http().as(USER).get("/api/backup/versions").body()))
                .isEqualTo(SyncContract.withoutStoredSize(versions));

        // the restored daemon knows the target holds all of it: its sync writes nothing
        Map<String, String> before = s3.snapshot();
        sync(fresh);
        assertThat(s3.snapshot()).isEqualTo(before);
    }

    @Test
    void a_new_store_never_overwrites_or_deletes_another_history_on_the_target_until_it_restores() throws Exception {
        RunningDaemon first = daemon("first");
        Map<Long, byte[]> posted = post(first.http().as(USER), 3, 50, new Random(8), () -> sync(first));
        Map<String, String> held = s3.snapshot();

        // a new machine, empty store: its first backup is not the target's version 1
        RunningDaemon newcomer = daemon("newcomer");
        Http http = newcomer.http().as(USER);
        assertThat(http.postJson("/api/backup", app.garagesync.testing.Backups.small(99)).status()).isEqualTo(201);
        sync(newcomer);
        Map<String, String> after = s3.snapshot();
        after.keySet().removeIf(k -> k.startsWith("#"));
        Map<String, String> expected = new TreeMap<>(held);
        expected.keySet().removeIf(k -> k.startsWith("#"));
        assertThat(after).as("nothing on the target replaced or deleted").isEqualTo(expected);
        assertThat(http.get("/api/sync/history").body()).contains("neither keeps nor pruned");
        assertThat(newcomer.http().get("/api/sync/status").body()).contains("failing");

        // the way out: a store that restored first takes the history over and extends it
        RunningDaemon restored = daemon("restored");
        assertRestoresExactly(restored, posted);
        Http next = restored.http().as(USER);
        assertThat(next.postJson("/api/backup", app.garagesync.testing.Backups.small(4)).status()).isEqualTo(201);
        sync(restored);
        posted.put(4L, next.get("/api/backup?version=4").bytes());
        assertRestoresExactly(daemon("again"), posted);
    }

    @Test
    void pruned_versions_leave_the_target_after_its_index_and_a_crash_at_any_step_leaves_it_restorable() throws Exception {
        RunningDaemon first = daemon("first");
        Map<Long, byte[]> posted = post(first.http().as(USER), 12, 200, new Random(11), () -> { });
        sync(first);
        assertThat(SyncContract.listed(s3, USER)).hasSize(12);
        first.close();
        daemons.remove(first);

        // the same data directory, now keeping the last 5 versions: 8 is a delta of 7, so it is rewritten whole
        RunningDaemon kept = daemon("first", "garagesync.retention.keep-last", "5");
        BackupStore store = kept.context().getRegistry().lookupByNameAndType("backupStore", BackupStore.class);
        Retention retention = kept.context().getRegistry().lookupByNameAndType("retention", Retention.class);
        assertThat(retention.apply(USER)).containsExactlyInAnyOrder(1L, 2L, 3L, 4L, 5L, 6L, 7L);
        assertThat(store.stored(USER, 8).isDelta()).isFalse();
        assertThat(store.stored(USER, 9).parent()).isEqualTo(8);
        Map<Long, byte[]> keptVersions = new TreeMap<>(new TreeMap<>(posted).tailMap(8L));

        // 1. the index cannot be written: the rewritten version is there, the old index still holds
        s3.refuse(op -> op.equals("PUT " + RemoteLayout.indexKey(USER)));
        sync(kept);
        assertThat(s3.keys()).contains(RemoteLayout.objectKey(USER, 8, 0), RemoteLayout.objectKey(USER, 1, 0),
                RemoteLayout.objectKey(USER, 8, 7));
        assertThat(SyncContract.listed(s3, USER)).hasSize(12);
        assertRestoresExactly(daemon("crash-before-index"), posted);

        // 2. the deletes fail: the new index lists the kept versions only, each rebuildable from what is there
        s3.refuse(op -> op.startsWith("DELETE "));
        sync(kept);
        assertThat(SyncContract.listed(s3, USER)).containsExactly(8L, 9L, 10L, 11L, 12L);
        assertThat(s3.keys()).contains(RemoteLayout.objectKey(USER, 1, 0));
        assertRestoresExactly(daemon("crash-before-deletes"), keptVersions);

        // 3. the target answers: exactly the kept versions remain, 8 whole, the others deltas of the day before
        s3.refuse(op -> false);
        sync(kept);
        assertThat(s3.keys()).containsExactlyInAnyOrder(RemoteLayout.indexKey(USER), RemoteLayout.objectKey(USER, 8, 0),
                RemoteLayout.objectKey(USER, 9, 8), RemoteLayout.objectKey(USER, 10, 9),
                RemoteLayout.objectKey(USER, 11, 10), RemoteLayout.objectKey(USER, 12, 11));
        Map<String, String> before = s3.snapshot();
        sync(kept);
        assertThat(s3.snapshot()).as("an idle sync writes nothing").isEqualTo(before);
        Http status = kept.http().as(USER);
        assertThat(((Number) SyncContract.targetStatus(SyncContract.status(status)).get("pendingVersions")).intValue()).isZero();
        assertRestoresExactly(daemon("after-prune"), keptVersions);
    }

    @Test
    void one_version_walks_its_chain_and_a_damaged_object_or_index_fails_the_restore_loudly() throws Exception {
        RunningDaemon first = daemon("first");
        Map<Long, byte[]> posted = post(first.http().as(USER), 5, 100, new Random(7), () -> { });
        sync(first);

        // one version alone: rebuilt from the checkpoint through the deltas before it, only it stored
        Http one = daemon("one").http().as(USER);
        Http.Response single = one.postJson("/api/restore", "{\"target\": \"" + NAME + "\", \"version\": 4}");
        assertThat(single.status()).as(single.toString()).isEqualTo(200);
        assertThat(single.body()).contains("\"restored\":[4]");
        assertThat(one.get("/api/backup?version=4").bytes()).isEqualTo(posted.get(4L));
        assertThat(one.get("/api/backup/versions").body()).contains("\"id\":4").doesNotContain("\"id\":3");

        // a flipped bit in the delta of version 3: versions 1 and 2 come back, then a loud stop
        String delta = RemoteLayout.objectKey(USER, 3, 2);
        byte[] good = s3.read(delta);
        byte[] flipped = good.clone();
        flipped[flipped.length - 7] ^= 0x10;
        s3.write(delta, flipped);
        Http damaged = daemon("damaged").http().as(USER);
        Http.Response refused = damaged.postJson("/api/restore", "{\"target\": \"" + NAME + "\"}");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.body()).contains("\"error\":\"target_damaged\"").contains("version 3");
        assertThat(damaged.get("/api/backup/versions").body()).contains("\"id\":2").doesNotContain("\"id\":3");
        s3.write(delta, good);

        // an index entry that is not what this daemon writes is a damaged target too, never a 500
        byte[] index = s3.read(RemoteLayout.indexKey(USER));
        s3.write(RemoteLayout.indexKey(USER), new String(index, StandardCharsets.UTF_8)
                .replace("\"parent\":2,", "\"parent\":\"two\",").getBytes(StandardCharsets.UTF_8));
        Http.Response odd = daemon("odd-index").http().as(USER).postJson("/api/restore", "{\"target\": \"" + NAME + "\"}");
        assertThat(odd.status()).as(odd.toString()).isEqualTo(502);
        assertThat(odd.body()).contains("\"error\":\"target_damaged\"");
        s3.write(RemoteLayout.indexKey(USER), index);
        assertRestoresExactly(daemon("repaired"), posted);
    }

    /** An entry of index format 1: the version's metadata and the document's SHA-256, no form. */
    static Map<String, Object> legacyEntry(VersionInfo v, byte[] json) {
        Map<String, Object> e = new LinkedHashMap<>(RemoteLayout.metadata(v));
        e.put("sha256", RestoreApi.sha256(json));
        return e;
    }

    static byte[] legacyIndex(List<Map<String, Object>> entries) {
        return Json.bytes(Map.of("format", "garage-sync-index-1", "user", USER, "versions", entries));
    }

    @Test
    void a_spool_and_a_target_left_by_the_layout_before_deltas_are_replayed_and_adopted() throws Exception {
        // an older daemon delivered version 1 whole, then spooled version 2 (the backup's JSON) while the target was down
        RunningDaemon old = RunningDaemon.start(dir.resolve("data"), "garagesync.sync.interval", "1h");
        Map<Long, byte[]> posted = post(old.http().as(USER), 2, 100, new Random(13), () -> { });
        BackupStore oldStore = old.context().getRegistry().lookupByNameAndType("backupStore", BackupStore.class);
        VersionInfo v1 = oldStore.version(USER, 1).orElseThrow();
        VersionInfo v2 = oldStore.version(USER, 2).orElseThrow();
        old.close();
        s3.write(RemoteLayout.legacyKey(USER, 1), posted.get(1L));
        s3.write(RemoteLayout.indexKey(USER), legacyIndex(List.of(legacyEntry(v1, posted.get(1L)))));
        SpoolFolder spool = new SpoolFolder(dir.resolve("data"), java.time.Clock.systemUTC());
        java.nio.file.Path zip = spool.write(NAME, USER, legacyEntry(v2, posted.get(2L)), posted.get(2L), "target down");

        // this daemon drains it as it is, reads the old index, and sends nothing the target has
        RunningDaemon upgraded = daemon("data");
        upgraded.context().getRegistry().lookupByNameAndType("syncRunner", SyncRunner.class).drain(NAME);
        assertThat(zip).doesNotExist();
        assertThat(s3.keys()).containsExactlyInAnyOrder(RemoteLayout.indexKey(USER),
                RemoteLayout.legacyKey(USER, 1), RemoteLayout.legacyKey(USER, 2));
        assertThat(SyncContract.listed(s3, USER)).containsExactly(1L, 2L);
        Map<String, String> before = s3.snapshot();
        sync(upgraded);
        assertThat(s3.snapshot()).isEqualTo(before);
        assertRestoresExactly(daemon("fresh"), posted);
    }

    @Test
    void a_target_written_before_deltas_restores_and_then_takes_deltas() throws Exception {
        // what an older garage-sync left in the bucket: whole documents and an index without forms
        RunningDaemon old = RunningDaemon.start(dir.resolve("old"), "garagesync.sync.interval", "1h");
        daemons.add(old);
        Map<Long, byte[]> posted = post(old.http().as(USER), 3, 100, new Random(3), () -> { });
        BackupStore oldStore = old.context().getRegistry().lookupByNameAndType("backupStore", BackupStore.class);
        List<Map<String, Object>> entries = new ArrayList<>();
        for (VersionInfo v : oldStore.versions(USER)) {
            s3.write(RemoteLayout.legacyKey(USER, v.id()), posted.get(v.id()));
            entries.add(legacyEntry(v, posted.get(v.id())));
        }
        s3.write(RemoteLayout.indexKey(USER), legacyIndex(entries));

        RunningDaemon fresh = daemon("fresh");
        assertRestoresExactly(fresh, posted);

        // a new day: only its delta (of the restored version 3) and the index are written
        byte[] day4 = new String(posted.get(3L), StandardCharsets.UTF_8).replace("\"currency\":\"EUR\"", "\"currency\":\"CHF\"")
                .getBytes(StandardCharsets.UTF_8);
        assertThat(fresh.http().as(USER).postBytes("/api/backup", "application/json", day4).status()).isEqualTo(201);
        Set<String> keysBefore = s3.keys();
        Map<String, String> before = s3.snapshot();
        sync(fresh);
        Map<String, String> after = s3.snapshot();
        Set<String> changed = new TreeSet<>();
        after.forEach((k, v) -> {
            if (!k.startsWith("#") && !v.equals(before.get(k))) {
                changed.add(k);
            }
        });
        assertThat(changed).containsExactlyInAnyOrder(RemoteLayout.objectKey(USER, 4, 3), RemoteLayout.indexKey(USER));
        assertThat(s3.keys()).containsAll(keysBefore);

        Map<Long, byte[]> all = new TreeMap<>(posted);
        all.put(4L, day4);
        assertRestoresExactly(daemon("again"), all);
    }
}
