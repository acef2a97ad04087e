package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.backup.BackupReader;
import app.garagesync.backup.Retention;
import app.garagesync.ops.StoreVerifier;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    private static VersionInfo at(long id, String instant) {
        return new VersionInfo(id, Instant.parse(instant), null, 0, Map.of(), 0, 0, "h" + id);
    }

    @Test
    void policy_keeps_the_last_ones_and_the_newest_of_each_period() {
        List<VersionInfo> newestFirst = List.of(
                at(9, "2026-11-25T16:30:00Z"), at(8, "2026-11-25T16:10:00Z"), at(7, "2026-11-25T09:00:00Z"),
                at(6, "2026-11-24T18:00:00Z"), at(5, "2026-11-24T08:00:00Z"), at(4, "2026-11-17T12:00:00Z"),
                at(3, "2026-10-30T12:00:00Z"), at(2, "2026-10-02T12:00:00Z"), at(1, "2026-09-01T12:00:00Z"));
        ZoneId utc = ZoneId.of("UTC");
        assertThat(new RetentionPolicy(2, 0, 0, 0, 0, utc).keep(newestFirst)).containsExactlyInAnyOrder(9L, 8L);
        assertThat(new RetentionPolicy(0, 0, 3, 0, 0, utc).keep(newestFirst)).containsExactlyInAnyOrder(9L, 6L, 4L);
        assertThat(new RetentionPolicy(0, 2, 0, 0, 0, utc).keep(newestFirst)).containsExactlyInAnyOrder(9L, 7L);
        assertThat(new RetentionPolicy(0, 0, 0, 2, 0, utc).keep(newestFirst)).containsExactlyInAnyOrder(9L, 4L);
        assertThat(new RetentionPolicy(0, 0, 0, 0, 3, utc).keep(newestFirst)).containsExactlyInAnyOrder(9L, 3L, 1L);
        assertThat(new RetentionPolicy(1, 0, 0, 0, 0, utc).keep(newestFirst)).containsExactly(9L);
        assertThat(new RetentionPolicy(0, 0, 0, 0, 0, utc).keep(newestFirst)).hasSize(9);
        // a day in Paris starts at 23:00 UTC in winter
        List<VersionInfo> midnight = List.of(at(2, "2026-11-24T23:30:00Z"), at(1, "2026-11-24T22:30:00Z"));
        assertThat(new RetentionPolicy(0, 0, 2, 0, 0, ZoneId.of("Europe/Paris")).keep(midnight)).containsExactlyInAnyOrder(1L, 2L);
        assertThat(new RetentionPolicy(0, 0, 2, 0, 0, utc).keep(midnight)).containsExactly(2L);
    }

    /**
     * The policy reads periods by arithmetic on epoch seconds: it must keep what java.time's calendar of the
     * local clock keeps, across DST changes (an hour's and a half-hour's), in zones ahead of and behind UTC.
     */
    @Test
    void periods_by_arithmetic_keep_what_the_calendar_keeps() {
        Random random = new Random(14);
        for (String zoneName : List.of("UTC", "Europe/Paris", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata",
                "Pacific/Chatham", "Europe/London")) {
            ZoneId zone = ZoneId.of(zoneName);
            for (int round = 0; round < 300; round++) {
                List<VersionInfo> newestFirst = new ArrayList<>();
                // around the spring and autumn changes of 2026, in steps of minutes to days
                long at = Instant.parse(random.nextBoolean() ? "2026-03-25T00:00:00Z" : "2026-10-20T00:00:00Z").getEpochSecond()
                        + random.nextInt(20 * 86_400);
                int count = 1 + random.nextInt(120);
                for (int i = count; i >= 1; i--) {
                    newestFirst.add(new VersionInfo(i, Instant.ofEpochSecond(at), null, 0, Map.of(), 0, 0, "h" + i));
                    at -= random.nextInt(4) == 0 ? random.nextInt(3 * 86_400) : random.nextInt(2_400);
                }
                RetentionPolicy p = new RetentionPolicy(random.nextInt(4), random.nextInt(30), random.nextInt(10),
                        random.nextInt(5), random.nextInt(4), zone);
                assertThat(p.keep(newestFirst)).as("%s over %d versions", p, count)
                        .isEqualTo(calendarKeep(p, newestFirst));
            }
        }
        // versions on a transition and a second either side of it, where the offset changes
        for (String change : List.of("2026-03-29T01:00:00Z", "2026-10-25T01:00:00Z")) {
            long t = Instant.parse(change).getEpochSecond();
            for (long[] seconds : List.of(new long[] {t + 3601, t + 1, t, t - 1, t - 3600, t - 3601},
                    new long[] {t, t - 1, t - 3600, t - 3601})) {
                List<VersionInfo> around = new ArrayList<>();
                for (int i = 0; i < seconds.length; i++) {
                    around.add(new VersionInfo(seconds.length - i, Instant.ofEpochSecond(seconds[i]), null, 0, Map.of(), 0, 0, "h" + i));
                }
                RetentionPolicy p = new RetentionPolicy(0, 6, 3, 0, 0, ZoneId.of("Europe/Paris"));
                assertThat(p.keep(around)).as(change).isEqualTo(calendarKeep(p, around));
            }
        }
        // as restic reads them, periods are the local clock's: the hour the autumn change repeats in Paris (02:30
        // summer time, then 02:30 winter time) is one hour of the clock, and keeps its newest version only
        List<VersionInfo> twice = List.of(at(3, "2026-10-25T01:30:00Z"), at(2, "2026-10-25T00:30:00Z"),
                at(1, "2026-10-24T23:30:00Z"));
        assertThat(new RetentionPolicy(0, 3, 0, 0, 0, ZoneId.of("Europe/Paris")).keep(twice)).containsExactlyInAnyOrder(1L, 3L);
    }

    /** The policy written with java.time's local date-times, for {@link #periods_by_arithmetic_keep_what_the_calendar_keeps}. */
    private static Set<Long> calendarKeep(RetentionPolicy p, List<VersionInfo> newestFirst) {
        Set<Long> keep = new java.util.HashSet<>();
        keep.add(newestFirst.get(0).id());
        if (newestFirst.size() <= p.keepLast() || p.keepsEverything()) {
            newestFirst.forEach(v -> keep.add(v.id()));
            return keep;
        }
        for (int i = 0; i < Math.min(p.keepLast(), newestFirst.size()); i++) {
            keep.add(newestFirst.get(i).id());
        }
        List<java.util.function.Function<java.time.LocalDateTime, java.time.LocalDateTime>> periods = List.of(
                t -> t.truncatedTo(java.time.temporal.ChronoUnit.HOURS),
                t -> t.truncatedTo(java.time.temporal.ChronoUnit.DAYS),
                t -> t.truncatedTo(java.time.temporal.ChronoUnit.DAYS)
                        .with(java.time.temporal.TemporalAdjusters.previousOrSame(java.time.DayOfWeek.MONDAY)),
                t -> t.truncatedTo(java.time.temporal.ChronoUnit.DAYS).withDayOfMonth(1));
        int[] counts = {p.keepHourly(), p.keepDaily(), p.keepWeekly(), p.keepMonthly()};
        for (int k = 0; k < 4; k++) {
            java.time.LocalDateTime last = null;
            int kept = 0;
            for (VersionInfo v : newestFirst) {
                if (kept >= counts[k]) {
                    break;
                }
                java.time.LocalDateTime period = periods.get(k).apply(LocalDateTime.ofInstant(v.createdAt(), p.zone()));
                if (!period.equals(last)) {
                    keep.add(v.id());
                    kept++;
                    last = period;
                }
            }
        }
        return keep;
    }

    /** The check that lets most backups skip retention must never skip one after which something can go. */
    @Test
    void retention_is_skipped_only_when_every_version_is_kept_for_sure() {
        ZoneId utc = ZoneId.of("UTC");
        List<VersionInfo> all = new java.util.ArrayList<>();
        for (long id = 12; id >= 1; id--) {
            all.add(at(id, "2026-11-" + (10 + id) + "T12:00:00Z"));
        }
        for (RetentionPolicy p : List.of(new RetentionPolicy(3, 0, 0, 0, 0, utc), new RetentionPolicy(0, 0, 2, 0, 0, utc),
                new RetentionPolicy(5, 2, 2, 1, 1, utc), new RetentionPolicy(1, 0, 0, 0, 0, utc),
                new RetentionPolicy(0, 0, 0, 0, 0, utc))) {
            for (int n = 1; n <= all.size(); n++) {
                List<VersionInfo> newestFirst = all.subList(all.size() - n, all.size());
                int removable = n - p.keep(newestFirst).size();
                for (int atLeast = 1; atLeast <= removable; atLeast++) {
                    assertThat(p.mayRemoveWith(newestFirst.get(0).id(), atLeast))
                            .as("%s with %d versions, %d of them removable, batch %d", p, n, removable, atLeast).isTrue();
                }
            }
        }
        assertThat(new RetentionPolicy(3, 0, 0, 0, 0, utc).mayRemoveWith(3, 1)).isFalse();
        assertThat(new RetentionPolicy(3, 0, 0, 0, 0, utc).mayRemoveWith(4, 1)).isTrue();
        assertThat(new RetentionPolicy(3, 0, 0, 0, 0, utc).mayRemoveWith(4, 2)).isFalse();
        assertThat(new RetentionPolicy(0, 0, 0, 0, 0, utc).mayRemoveWith(1_000, 1)).isFalse();
    }

    /**
     * After a backup, versions outside the policy are forgotten at once; their blobs go once a batch of
     * them waits, and the timer's run prunes every one forgotten.
     */
    @Test
    void after_a_backup_versions_are_forgotten_at_once_and_pruned_in_batches(@TempDir Path dir) throws Exception {
        VersionStore store = new VersionStore(new FileBlobStore(dir), java.time.Clock.systemUTC(), 1,
                new VersionStore.StoragePolicy(1.0, 10));
        Retention retention = new Retention(store, new RetentionPolicy(3, 0, 0, 0, 0, ZoneId.of("UTC")), 2);
        List<Integer> counts = new ArrayList<>();
        List<Integer> blobs = new ArrayList<>();
        List<byte[]> posted = new ArrayList<>();
        try (org.apache.camel.CamelContext camel = new org.apache.camel.impl.DefaultCamelContext()) {
            for (int i = 1; i <= 6; i++) {
                byte[] json = app.garagesync.testing.Backups.small(i).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                posted.add(json);
                long id = store.put("b", json, new app.garagesync.backup.BackupReader(200, 1 << 20).read(json)).version().id();
                org.apache.camel.Exchange e = new org.apache.camel.support.DefaultExchange(camel);
                e.setProperty(Retention.NEW_VERSION, id);
                e.setProperty(app.garagesync.auth.RequestIdentity.USER, "b");
                if (retention.isDue(e)) {
                    retention.forgetForCaller(e);
                    retention.pruneForCaller(e);
                }
                counts.add(store.versions("b").size());
                // the blobs the store holds, read from disk by a fresh store: small versions are records of the
                // user's pack, not files, so counting files would count the pack
                blobs.add(StoredVersions.ids(dir, "b").size());
            }
        }
        assertThat(counts).containsExactly(1, 2, 3, 3, 3, 3);
        // 4: one forgotten, kept; 5: two forgotten (1 and 2), pruned; 6: one forgotten again (3), kept
        assertThat(blobs).containsExactly(1, 2, 3, 4, 3, 4);
        assertThat(retention.apply("b")).containsExactly(3L);
        for (long v = 4; v <= 6; v++) {
            assertThat(store.read("b", v)).isEqualTo(posted.get((int) v - 1));
        }
    }

    @Test
    void pruning_reclaims_space_and_never_breaks_a_kept_version(@TempDir Path dir) throws Exception {
        BackupReader reader = new BackupReader(200, Integer.MAX_VALUE);
        // small versions are records of the user's pack: a pruned one leaves a dead record, whose bytes go when
        // the pack is compacted, once dead records outweigh live ones and a floor (1 MiB). This history is far
        // smaller than the floor, so the store here has none: the rule's other half is what this test checks
        VersionStore store = new VersionStore(new FileBlobStore(dir, VersionKeys::isVersionsFolder, 0), Clock.systemUTC(), 3,
                new VersionStore.StoragePolicy(5.0, 50));
        Random r = new Random(9);
        EditableBackup.Doc doc = EditableBackup.initial(r, 100);
        Map<Long, byte[]> posted = new TreeMap<>();
        for (int v = 1; v <= 20; v++) {
            doc.add("customers", EditableBackup.entity("v" + v, r));
            EditableBackup.edit(doc, r);
            byte[] bytes = doc.bytes();
            store.put("p", bytes, reader.read(bytes));
            posted.put((long) v, bytes);
        }
        // every version but 1 is a delta of the one before: keep a sparse set across the chain
        Set<Long> keep = Set.of(3L, 4L, 9L, 15L, 20L);
        assertThat(store.prune("p", versions -> keep)).hasSize(15);
        for (VersionStore s : List.of(store, new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 3,
                new VersionStore.StoragePolicy(5.0, 50)))) {
            assertThat(s.versions("p")).extracting(VersionInfo::id).containsExactly(20L, 15L, 9L, 4L, 3L);
            for (long id : keep) {
                assertThat(s.read("p", id)).as("version %d", id).isEqualTo(posted.get(id));
            }
            assertThat(new StoreVerifier(s, reader).verify(List.of("p")).problems()).isEmpty();
        }
        assertThat(StoredVersions.ids(dir, "p")).containsExactly(3L, 4L, 9L, 15L, 20L);
        // the pruned versions' records may stay in the pack as dead bytes, never more than the live ones: past
        // that, the prune's deletion compacts the pack
        long live = liveRecordBytes(dir, "p");
        long onDisk = bytesOnDisk(dir, "p");
        assertThat(onDisk).as("bytes of the versions folder against %d bytes of live records", live).isLessThan(2 * live);
        // the chain goes on after a prune
        doc.add("customers", EditableBackup.entity("after", r));
        byte[] next = doc.bytes();
        store.put("p", next, reader.read(next));
        assertThat(store.read("p", 21)).isEqualTo(next);
        // a prune of most of what is left: dead records now outweigh live ones, the pack is compacted into the
        // next one, which holds the live records only, and the space of every pruned version is reclaimed
        assertThat(store.prune("p", versions -> Set.of(20L, 21L))).containsExactlyInAnyOrder(3L, 4L, 9L, 15L);
        assertThat(StoredVersions.ids(dir, "p")).containsExactly(20L, 21L);
        assertThat(StoredVersions.filesOnDisk(dir, "p")).containsExactly("pack-0000000002.gsp");
        assertThat(bytesOnDisk(dir, "p")).isEqualTo(liveRecordBytes(dir, "p")).isLessThan(onDisk);
        for (VersionStore s : List.of(store, new VersionStore(new FileBlobStore(dir), Clock.systemUTC(), 3,
                new VersionStore.StoragePolicy(5.0, 50)))) {
            assertThat(s.versions("p")).extracting(VersionInfo::id).containsExactly(21L, 20L);
            assertThat(s.read("p", 20)).isEqualTo(posted.get(20L));
            assertThat(s.read("p", 21)).isEqualTo(next);
            assertThat(new StoreVerifier(s, reader).verify(List.of("p")).problems()).isEmpty();
        }
    }

    /** What the user's stored versions take in a pack: each one's record, header, content and checksum. */
    private static long liveRecordBytes(Path dir, String user) throws Exception {
        long sum = 0;
        for (Map.Entry<String, Long> e : new FileBlobStore(dir).list("users/" + user + "/versions/").entrySet()) {
            sum += PackFormat.headerSize(e.getKey()) + e.getValue() + PackFormat.TRAILER;
        }
        return sum;
    }

    /** Bytes of every file in the user's versions folder: packs and files of their own. */
    private static long bytesOnDisk(Path dir, String user) throws Exception {
        long sum = 0;
        for (String name : StoredVersions.filesOnDisk(dir, user)) {
            sum += Files.size(dir.resolve("users").resolve(user).resolve("versions").resolve(name));
        }
        return sum;
    }

    @Test
    void the_daemon_applies_retention_after_each_backup(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.retention.batch", "1", "garagesync.retention.keep-last", "3",
                "garagesync.retention.keep-hourly", "0", "garagesync.retention.keep-daily", "0",
                "garagesync.retention.keep-weekly", "0", "garagesync.retention.keep-monthly", "0")) {
            Http http = daemon.http().as("kept");
            List<String> bodies = new ArrayList<>();
            for (int i = 1; i <= 6; i++) {
                String body = app.garagesync.testing.Backups.small(i);
                bodies.add(body);
                assertThat(http.postJson("/api/backup", body).status()).isEqualTo(201);
            }
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    !http.get("/api/backup/versions").body().contains("\"id\":3,"));
            String versions = http.get("/api/backup/versions").body();
            assertThat(versions).contains("\"id\":6,", "\"id\":5,", "\"id\":4,").doesNotContain("\"id\":1,", "\"id\":2,");
            for (int i = 4; i <= 6; i++) {
                assertThat(http.get("/api/backup?version=" + i).body()).isEqualTo(bodies.get(i - 1));
            }
            assertThat(http.postJson("/api/admin/verify", "{}").body()).contains("\"ok\":true");
        }
    }
}
