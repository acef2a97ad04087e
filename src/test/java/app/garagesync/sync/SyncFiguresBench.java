package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The figures the sync issue asks for, measured against s3proxy on loopback (so they show the daemon's
 * own cost, not a WAN's): time and bytes to sync a first 50 MB version and a one-day change (sent as the
 * store keeps it: a delta), the time to restore both into a fresh daemon, and the duration of an idle tick
 * with 100 users. Not part of {@code mvn verify} (the name matches no surefire pattern); run it with
 * {@code mvn -q test -Dtest=SyncFiguresBench}.
 */
class SyncFiguresBench {

    @Test
    void measure(@org.junit.jupiter.api.io.TempDir Path base) throws Exception {
        S3Target s3 = new S3Target(base);
        try (RunningDaemon d = RunningDaemon.start(base.resolve("data"), concat(new String[] {
                "garagesync.sync.interval", "1h",
                "garagesync.sync.default-enabled", "true"}, s3.properties("offsite")))) {
            SyncRunner runner = d.context().getRegistry().lookupByNameAndType("syncRunner", SyncRunner.class);
            Http http = d.http().as("garage");
            // bench/run.py passes its own dataset and first edited day; alone, the test makes its own
            String firstFile = System.getProperty("bench.first");
            String dayFile = System.getProperty("bench.day");
            String first = firstFile != null ? java.nio.file.Files.readString(Path.of(firstFile)) : SizedBackups.of(1, 49_000_000);
            assertThat(http.postJson("/api/backup", first).status()).isEqualTo(201);
            Map<String, String> before = s3.snapshot();
            long t0 = System.nanoTime();
            runner.push("offsite", "garage");
            long firstMs = (System.nanoTime() - t0) / 1_000_000;
            long firstBytes = written(before, s3.snapshot());
            System.out.printf("FIGURE first version: %d bytes of JSON, %d ms, %d bytes written to S3 (%d PUTs)%n",
                    first.getBytes(java.nio.charset.StandardCharsets.UTF_8).length, firstMs, firstBytes, s3.puts() - Long.parseLong(before.get("#puts")));

            // a day of work: a few dozen customers edited in the same 50 MB document
            String day = dayFile != null ? java.nio.file.Files.readString(Path.of(dayFile))
                    : first.replace("révision 1 / véhicule 1\"", "révision 2 / véhicule 1\"");
            assertThat(day).isNotEqualTo(first);
            assertThat(http.postJson("/api/backup", day).status()).isEqualTo(201);
            long putsBefore = s3.puts();
            Map<String, String> beforeDay = s3.snapshot();
            t0 = System.nanoTime();
            runner.push("offsite", "garage");
            long dayMs = (System.nanoTime() - t0) / 1_000_000;
            Map<String, String> afterDay = s3.snapshot();
            long dayBytes = written(beforeDay, afterDay);
            System.out.printf("FIGURE one-day change: %d ms, %d bytes written to S3 (%d PUTs: %s)%n",
                    dayMs, dayBytes, s3.puts() - putsBefore, changedKeys(beforeDay, afterDay));
            assertThat(dayBytes).as("a one-day change is sent as a delta").isLessThan(first.length() / 20);

            try (RunningDaemon fresh = RunningDaemon.start(base.resolve("fresh"), concat(new String[] {
                    "garagesync.sync.interval", "1h"}, s3.properties("offsite")))) {
                t0 = System.nanoTime();
                Http.Response restored = fresh.http().as("garage").postJson("/api/restore", "{\"target\": \"offsite\"}");
                long restoreMs = (System.nanoTime() - t0) / 1_000_000;
                assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
                assertThat(fresh.http().as("garage").get("/api/backup?version=2").body()).isEqualTo(day);
                System.out.printf("FIGURE restore of both versions into a fresh daemon: %d ms%n", restoreMs);
            }

            for (int u = 0; u < 100; u++) {
                assertThat(d.http().as("user-" + u).postJson("/api/backup", app.garagesync.testing.Backups.small(u)).status()).isEqualTo(201);
            }
            runner.runAll();
            long putsIdle = s3.puts();
            long best = Long.MAX_VALUE;
            long total = 0;
            int runs = 20;
            for (int i = 0; i < runs; i++) {
                long s = System.nanoTime();
                runner.runAll();
                long us = (System.nanoTime() - s) / 1000;
                best = Math.min(best, us);
                total += us;
            }
            assertThat(s3.puts()).isEqualTo(putsIdle);
            System.out.printf("FIGURE idle tick, 101 users with sync on: mean %d µs, best %d µs, 0 writes%n", total / runs, best);
        } finally {
            s3.close();
        }
    }

    /** Bytes of the objects written between two snapshots (new, or rewritten). */
    private static long written(Map<String, String> before, Map<String, String> after) {
        return after.entrySet().stream().filter(e -> !e.getKey().startsWith("#"))
                .filter(e -> !e.getValue().equals(before.get(e.getKey())))
                .mapToLong(e -> Long.parseLong(e.getValue().split("@")[0])).sum();
    }

    private static String changedKeys(Map<String, String> before, Map<String, String> after) {
        return after.entrySet().stream().filter(e -> !e.getKey().startsWith("#"))
                .filter(e -> !e.getValue().equals(before.get(e.getKey())))
                .map(e -> e.getKey() + " " + e.getValue().split("@")[0]).toList().toString();
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
