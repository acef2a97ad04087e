package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.store.S3BlobStore;
import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.FaultyProxy;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several daemons on one bucket sync each user from one daemon at a time, the holder of that user's lease
 * (issue 15): each version reaches each target once, and a holder killed mid-sync is replaced once its
 * lease has expired.
 */
class SyncLeaseTest {

    private static final Duration WAIT = Duration.ofSeconds(90);

    @Test
    void should_send_each_version_once_when_two_daemons_share_a_bucket_and_a_folder_target(@TempDir Path dir)
            throws Exception {
        Path nas = dir.resolve("nas");
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             RunningDaemon a = RunningDaemon.start(dir.resolve("a"), properties(s3,
                     "garagesync.target.nas.type", "dir", "garagesync.target.nas.path", nas.toString(),
                     "garagesync.sync.default-enabled", "true"));
             RunningDaemon b = RunningDaemon.start(dir.resolve("b"), properties(s3,
                     "garagesync.target.nas.type", "dir", "garagesync.target.nas.path", nas.toString(),
                     "garagesync.sync.default-enabled", "true"))) {
            int n = 10;
            for (int i = 1; i <= n; i++) {
                Http.Response r = (i % 2 == 1 ? a : b).http().as("lea").postJson("/api/backup", Backups.small(i));
                assertThat(r.status()).as(r.toString()).isEqualTo(201);
            }
            Set<Long> all = new TreeSet<>(LongStream.rangeClosed(1, n).boxed().toList());
            // the history names a version just after its object is written: wait for both
            await().atMost(WAIT).until(() -> listedInFolder(nas, "lea").equals(all)
                    && delivered(a.http().as("lea")).size() + delivered(b.http().as("lea")).size() >= n);

            List<Long> sentByA = delivered(a.http().as("lea"));
            List<Long> sentByB = delivered(b.http().as("lea"));
            List<Long> sent = new ArrayList<>(sentByA);
            sent.addAll(sentByB);
            // each version once, by whichever daemon held the lease; the other sent nothing of this user
            assertThat(sent).as("versions sent by A %s and by B %s", sentByA, sentByB)
                    .containsExactlyInAnyOrderElementsOf(all);
            assertThat(List.of(sentByA, sentByB)).anyMatch(List::isEmpty);
            try (Stream<Path> objects = Files.list(nas.resolve("users/lea/versions"))) {
                assertThat(objects.filter(f -> f.getFileName().toString().endsWith(".gsv")).count()).isEqualTo(n);
            }
        }
    }

    @Test
    void should_finish_the_sync_of_a_holder_killed_mid_sync_from_the_other_daemon_after_the_lease_expires(
            @TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             FaultyProxy link = new FaultyProxy("127.0.0.1", s3.port())) {
            // a slow link to the target, so that the kill lands while versions are still being sent
            link.mode(FaultyProxy.Mode.SLOW);
            List<String> p = new ArrayList<>(List.of(properties(s3, "garagesync.sync.lease-duration", "3s",
                    "garagesync.sync.lease-clock-skew", "500ms")));
            p.addAll(List.of(s3.targetProperties("off", link.endpoint(), "offsite/")));
            String[] props = p.stream().toArray(String[]::new);
            String[] dashD = new String[props.length / 2];
            for (int i = 0; i < dashD.length; i++) {
                dashD[i] = props[2 * i] + "=" + props[2 * i + 1];
            }
            S3BlobStore target = bucket(s3, "offsite/");
            S3BlobStore store = bucket(s3, "garage/");
            try (ChildDaemon a = ChildDaemon.start(dir.resolve("a"), dir.resolve("a.log"), dashD);
                 ChildDaemon b = ChildDaemon.start(dir.resolve("b"), dir.resolve("b.log"), dashD)) {
                int n = 20;
                for (int i = 1; i <= n; i++) {
                    assertThat(a.http().as("kim").postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
                }
                // switched on through A: A syncs at once and so takes the lease
                assertThat(a.http().as("kim").putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
                await().atMost(WAIT).pollInterval(Duration.ofMillis(20))
                        .until(() -> !target.list("users/kim/versions/").isEmpty());
                String holder = (String) Json.readMap(store.read("sync/leases/kim.json")).get("holder");
                ChildDaemon holding = holder.startsWith(a.process().pid() + "@") ? a : b;
                ChildDaemon other = holding == a ? b : a;
                assertThat(target.list("users/kim/versions/").size()).as("still sending").isLessThan(n);
                assertThat(delivered(other.http().as("kim"))).as("the daemon without the lease sent nothing").isEmpty();

                holding.kill();
                // the slow link was there for the kill to land mid-sync; the takeover need not crawl too
                link.mode(FaultyProxy.Mode.PASS);
                Set<Long> all = new TreeSet<>(LongStream.rangeClosed(1, n).boxed().toList());
                await().atMost(WAIT).until(() -> listed(target, "kim").equals(all));
                assertThat((String) Json.readMap(store.read("sync/leases/kim.json")).get("holder"))
                        .startsWith(other.process().pid() + "@");
                assertThat(delivered(other.http().as("kim"))).isNotEmpty();
                assertThat(target.list("users/kim/versions/")).hasSize(n);
            }
        }
    }

    private static String[] properties(S3Server s3, String... more) {
        List<String> p = new ArrayList<>(List.of(s3.storeProperties("garage/")));
        p.addAll(List.of("garagesync.sync.interval", "1s", "garagesync.shared.cache-ttl", "1s"));
        p.addAll(List.of(more));
        return p.toArray(String[]::new);
    }

    private static S3BlobStore bucket(S3Server s3, String prefix) {
        return new S3BlobStore(S3BlobStore.client("us-east-1", s3.endpoint(), S3Server.ACCESS, S3Server.SECRET, true),
                S3Server.BUCKET, prefix);
    }

    /** The versions this daemon's sync history says it delivered, in any order. */
    @SuppressWarnings("unchecked")
    private static List<Long> delivered(Http user) throws Exception {
        Map<String, Object> doc = Json.readMap(user.get("/api/sync/history?limit=200").bytes());
        List<Long> ids = new ArrayList<>();
        for (Map<String, Object> attempt : (List<Map<String, Object>>) doc.get("history")) {
            if ("delivered".equals(attempt.get("result"))) {
                ((List<Number>) attempt.get("versions")).forEach(v -> ids.add(v.longValue()));
            }
        }
        return ids;
    }

    private static Set<Long> listedInFolder(Path folder, String user) throws Exception {
        Path index = folder.resolve(RemoteLayout.indexKey(user));
        return Files.exists(index) ? ids(Files.readAllBytes(index)) : Set.of();
    }

    private static Set<Long> listed(S3BlobStore target, String user) throws Exception {
        return target.readTagged(RemoteLayout.indexKey(user)) == null ? Set.of()
                : ids(target.read(RemoteLayout.indexKey(user)));
    }

    private static Set<Long> ids(byte[] index) throws Exception {
        Set<Long> ids = new TreeSet<>();
        RemoteLayout.entries(index).forEach(e -> ids.add(((Number) e.get("id")).longValue()));
        return ids;
    }
}
