package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.testing.Backups;
import app.garagesync.testing.FaultyProxy;
import app.garagesync.testing.FaultyProxy.Mode;
import app.garagesync.testing.Http;
import app.garagesync.testing.ReliabilityReport;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An S3 target behind a {@link FaultyProxy} that, tick after tick, is down, slow, resets connections
 * and answers 500, while users keep posting backups. Throughout: every POST is acknowledged and health
 * is 200 (a failing target never holds up a backup). Retries stay within the redelivery keys. After the
 * outage the spool drains, and a fresh daemon restoring from the bucket itself (not through the proxy)
 * gets every acknowledged version back exactly, whatever layout the target uses.
 * Length: -Dgaragesync.outage.cycles (rounds through every fault), -Dgaragesync.outage.ticks (ticks
 * per fault), -Dgaragesync.outage.users.
 */
class OutageTest {

    private static final String TARGET = "offsite";
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final List<Mode> FAULTS = List.of(Mode.DOWN, Mode.SLOW, Mode.RESET, Mode.HTTP500);
    /** the redelivery keys of the daemon under test: the retry bound below is derived from them */
    private static final int MAX_ATTEMPTS = 3;
    private static final Map<String, String> SYNC = Map.of(
            "garagesync.sync.interval", "200",
            "garagesync.sync.redelivery.max-attempts", Integer.toString(MAX_ATTEMPTS),
            "garagesync.sync.redelivery.initial-delay", "10ms",
            "garagesync.sync.redelivery.backoff-multiplier", "2",
            "garagesync.sync.redelivery.max-delay", "50ms");

    /** user -> version -> the body its 201 acknowledged */
    private final Map<String, Map<Long, String>> acknowledged = new LinkedHashMap<>();
    private long posts;
    private long healthChecks;

    @Test
    void an_s3_target_failing_every_way_for_many_ticks_loses_nothing_and_retries_within_bounds(@TempDir Path dir)
            throws Exception {
        int cycles = Integer.getInteger("garagesync.outage.cycles", 1);
        int ticksPerFault = Integer.getInteger("garagesync.outage.ticks", 2);
        int users = Integer.getInteger("garagesync.outage.users", 3);
        System.out.println("OutageTest cycles " + cycles + ", ticks per fault " + ticksPerFault + ", users " + users);
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             FaultyProxy proxy = new FaultyProxy("127.0.0.1", s3.port());
             RunningDaemon daemon = daemon(dir.resolve("data"), s3.targetProperties(TARGET, proxy.endpoint(), "outage/"))) {
            Http http = daemon.http();
            RouteTraffic traffic = RouteTraffic.watch(daemon.context());
            for (int u = 0; u < users; u++) {
                acknowledged.put("user" + u, new LinkedHashMap<>());
                assertThat(http.as("user" + u).putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
            }
            postOneVersionEach(http);

            int outageTicks = 0;
            for (int c = 0; c < cycles; c++) {
                for (Mode fault : FAULTS) {
                    proxy.mode(fault);
                    NotifyBuilder ticks = new NotifyBuilder(daemon.context()).fromRoute("sync-tick")
                            .whenCompleted(ticksPerFault).create();
                    postOneVersionEach(http);
                    // health and a new backup are answered while the sync fights the target
                    await().atMost(WAIT).until(() -> {
                        assertHealthy(http);
                        return ticks.matches();
                    });
                    postOneVersionEach(http);
                    outageTicks += ticksPerFault;
                }
            }
            for (Mode fault : FAULTS) {
                assertThat(proxy.connections(fault)).as("connections that met " + fault).isPositive();
            }

            proxy.mode(Mode.PASS);
            Path spool = daemon.dataDir().resolve("spool").resolve(TARGET);
            await().atMost(WAIT).until(() -> files(spool).isEmpty() && everyUserSynced(http));
            assertHealthy(http);

            String metrics = http.get("/api/metrics").body();
            long attempts = counter(metrics, "garagesync_sync_attempts_total", "target=\"" + TARGET + "\"");
            long versions = acknowledged.values().stream().mapToLong(Map::size).sum();
            long deliveries = traffic.sends("direct://sync-deliver");
            long replays = traffic.sends("direct://sync-replay");
            long spooled = traffic.sends("direct://sync-spool");
            // each version is handed to the target once; after that it waits in the spool, not in a retry loop
            assertThat(deliveries).as("versions handed to sync-deliver").isEqualTo(versions);
            assertThat(spooled).as("versions spooled").isPositive();
            // every spooled file is replayed until it goes, and a drain stops at its first refusal
            assertThat(replays).as("replays").isBetween(spooled, spooled + traffic.drainRuns());
            // no operation on the target is tried more often than the redelivery keys allow
            assertThat(traffic.redeliveries()).as("redeliveries").isPositive();
            assertThat(traffic.highestAttempt()).as("highest redelivery attempt").isLessThanOrEqualTo(MAX_ATTEMPTS - 1);
            // and the daemon's own counter tells the same story: one per operation sent to the target (an
            // object of a delivery or a replay, an index read or write, a delete), one per redelivery
            long operations = traffic.sends("direct://target-" + TARGET);
            assertThat(operations).as("operations sent to the target").isGreaterThanOrEqualTo(deliveries + replays);
            assertThat(attempts).as("garagesync_sync_attempts_total").isEqualTo(operations + traffic.redeliveries());
            assertThat(files(spool)).as("nothing damaged in the spool").noneMatch(p -> p.toString().endsWith(".damaged"));

            long checked = restoreEverythingIntoAFreshDaemon(dir.resolve("fresh"), s3);
            assertThat(checked).isEqualTo(versions);
            List<String> faults = new ArrayList<>();
            for (Mode m : Mode.values()) {
                faults.add(m.name().toLowerCase() + "=" + proxy.connections(m));
            }
            ReliabilityReport.line("outage", "cycles=" + cycles, "outage ticks=" + outageTicks, "users=" + users,
                    "proxy connections per mode " + String.join("/", faults), "backups posted=" + posts,
                    "health checks=" + healthChecks, "attempts=" + attempts + " (" + operations + " operations: " + deliveries + " deliveries, " + replays
                            + " replays, the rest index reads and writes; " + traffic.redeliveries()
                            + " redeliveries, each at most " + (MAX_ATTEMPTS - 1) + ")",
                    "spool files drained=" + spooled, "versions checked=" + checked, "lost=0");
        }
    }

    @Test
    void a_target_that_stops_reading_costs_a_bounded_time_per_try_not_a_stuck_sync(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             FaultyProxy proxy = new FaultyProxy("127.0.0.1", s3.port());
             RunningDaemon daemon = daemon(dir.resolve("data"), concat(s3.targetProperties(TARGET, proxy.endpoint(), "stall/"),
                     "garagesync.sync.s3.attempt-timeout", "1s"))) {
            Http http = daemon.http().as("stalled");
            assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
            proxy.mode(Mode.STALL);
            // larger than the loopback buffers: without a timeout the upload's write blocks for good
            StringBuilder big = new StringBuilder("{\"data\":{\"notes\":[");
            for (int i = 0; i < 100_000; i++) {
                big.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"t\":\"").append("r".repeat(160)).append("\"}");
            }
            String body = big.append("]}}").toString();
            assertThat(http.postJson("/api/backup", body).status()).isEqualTo(201);
            Path spool = daemon.dataDir().resolve("spool").resolve(TARGET);
            await().atMost(WAIT).until(() -> !files(spool).isEmpty());
            assertThat(http.get("/api/sync/status").body()).contains("imeout");
            assertHealthy(http);

            proxy.mode(Mode.PASS);
            await().atMost(WAIT).until(() -> files(spool).isEmpty() && everyUserSynced(daemon.http(), "stalled"));
            assertThat(proxy.connections(Mode.STALL)).isPositive();
            ReliabilityReport.line("outage-stall", "attempt timeout=1s", "stalled connections=" + proxy.connections(Mode.STALL),
                    "backup bytes=" + body.length(), "spooled then drained=1", "lost=0");
        }
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }

    private RunningDaemon daemon(Path data, String... target) {
        List<String> p = new ArrayList<>();
        SYNC.forEach((k, v) -> {
            p.add(k);
            p.add(v);
        });
        p.addAll(List.of(target));
        return RunningDaemon.start(data, p.toArray(String[]::new));
    }

    private void postOneVersionEach(Http http) {
        int u = 0;
        for (Map.Entry<String, Map<Long, String>> user : acknowledged.entrySet()) {
            String body = Backups.small(u++ * 10_000 + user.getValue().size() + 1);
            Http.Response r = http.as(user.getKey()).postJson("/api/backup", body);
            assertThat(r.status()).as("POST during the outage: " + r).isEqualTo(201);
            posts++;
            user.getValue().put(version(r.body()), body);
        }
    }

    private void assertHealthy(Http http) {
        Http.Response health = http.get("/api/health");
        assertThat(health.status()).as(health.toString()).isEqualTo(200);
        healthChecks++;
    }

    private boolean everyUserSynced(Http http) throws Exception {
        return everyUserSynced(http, acknowledged.keySet().toArray(String[]::new));
    }

    private static boolean everyUserSynced(Http http, String... users) throws Exception {
        for (String user : users) {
            Map<String, Object> t = targetStatus(Json.readMap(http.as(user).get("/api/sync/status").bytes()));
            if (!"ok".equals(t.get("state")) || ((Number) t.get("pendingVersions")).intValue() != 0) {
                return false;
            }
        }
        return true;
    }

    /** Restores every user from the bucket, reached directly, and compares each version with its 201's body. */
    private long restoreEverythingIntoAFreshDaemon(Path data, S3Server s3) throws java.io.IOException {
        long checked = 0;
        try (RunningDaemon fresh = daemon(data, s3.targetProperties(TARGET, s3.endpoint(), "outage/"))) {
            for (Map.Entry<String, Map<Long, String>> user : acknowledged.entrySet()) {
                Http http = fresh.http().as(user.getKey());
                Http.Response restored = http.postJson("/api/restore", "{\"target\": \"" + TARGET + "\"}");
                assertThat(restored.status()).as(restored.toString()).isEqualTo(200);
                for (Map.Entry<Long, String> v : user.getValue().entrySet()) {
                    Http.Response r = http.get("/api/backup?version=" + v.getKey());
                    assertThat(r.status()).as(user.getKey() + " version " + v.getKey()).isEqualTo(200);
                    assertThat(r.body()).as(user.getKey() + " version " + v.getKey()).isEqualTo(v.getValue());
                    checked++;
                }
                assertThat(versionIds(http.get("/api/backup/versions").bytes())).as("versions of " + user.getKey())
                        .containsExactlyInAnyOrderElementsOf(user.getValue().keySet());
            }
        }
        return checked;
    }

    @SuppressWarnings("unchecked")
    private static List<Long> versionIds(byte[] versionsJson) throws java.io.IOException {
        return ((List<Map<String, Object>>) Json.readMap(versionsJson).get("versions")).stream()
                .map(v -> ((Number) v.get("id")).longValue()).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> targetStatus(Map<String, Object> status) {
        return ((List<Map<String, Object>>) status.get("targets")).stream()
                .filter(t -> TARGET.equals(t.get("name"))).findFirst().orElseThrow();
    }

    private static long version(String createdBody) {
        Matcher m = Pattern.compile("\"version\":(\\d+)").matcher(createdBody);
        assertThat(m.find()).as(createdBody).isTrue();
        return Long.parseLong(m.group(1));
    }

    /** Sums a Prometheus counter over the series whose labels contain {@code label}. */
    private static long counter(String metrics, String name, String label) {
        double sum = 0;
        boolean found = false;
        for (String line : metrics.split("\n")) {
            if (line.startsWith(name + "{") && line.contains(label)) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
                found = true;
            }
        }
        assertThat(found).as(name + "{" + label + "} in /api/metrics").isTrue();
        return (long) sum;
    }

    private static List<Path> files(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        // one level: Files.walk would trip over a file the drain deletes while it looks
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).toList();
        }
    }
}
