package app.garagesync.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The figures docs/scale.md's cost model rests on, measured with one daemon (its own JVM) on s3proxy over
 * loopback: S3 requests and bytes written per stored version of a realistic garage edited by a 1% day
 * (bench/gen_dataset.py, bench/edit_day.py), per re-post of an unchanged backup, with retention at work, and
 * the daemon's CPU time per stored version (read from /proc, so other work on the machine does not count).
 * Not part of {@code mvn verify} (the name matches no surefire pattern). Run it with:
 * <pre>
 * mkdir -p /tmp/scale-bench &amp;&amp; cd /tmp/scale-bench &amp;&amp; python3 $REPO/bench/gen_dataset.py 5 &gt; v0.json &amp;&amp;
 *   for i in $(seq 1 30); do python3 $REPO/bench/edit_day.py v$((i-1)).json v$i.json $i; done
 * mvn -q -o test -Dtest=ScaleFiguresBench -Dbench.scale.dir=/tmp/scale-bench
 * </pre>
 */
class ScaleFiguresBench {

    private CountingS3 s3;

    @Test
    void measure(@TempDir Path dir) throws Exception {
        String source = System.getProperty("bench.scale.dir");
        assumeTrue(source != null && Files.exists(Path.of(source, "v30.json")),
                "-Dbench.scale.dir=<folder with v0.json..v30.json> is needed (see the class comment)");
        List<byte[]> versions = new ArrayList<>();
        for (int i = 0; i <= 30; i++) {
            versions.add(Files.readAllBytes(Path.of(source, "v" + i + ".json")));
        }
        s3 = new CountingS3(dir.resolve("s3"));
        List<String> properties = new ArrayList<>(List.of(s3.storeProperties("garage/")));
        // the default policy's steady state (past keep-last, a prune every batch) reached in 10 versions
        properties.addAll(List.of("garagesync.retention.keep-last=10", "garagesync.retention.batch=10"));
        try (ChildDaemon daemon = ChildDaemon.start(dir.resolve("data"), dir.resolve("daemon.log"),
                properties.toArray(String[]::new))) {
            Http http = daemon.http().as("g0");
            long pid = daemon.process().pid();

            post(http, versions.get(0));
            reset();
            for (int i = 1; i <= 10; i++) {
                post(http, versions.get(i));
            }
            print("stored version, under keep-last (no retention work)", 10);

            reset();
            for (int i = 11; i <= 30; i++) {
                post(http, versions.get(i));
            }
            print("stored version, past keep-last (forget each, prune every 10)", 20);

            reset();
            for (int i = 0; i < 20; i++) {
                Http.Response r = http.postBytes("/api/backup", "application/json", versions.get(30));
                assertThat(r.status()).isEqualTo(200);
            }
            print("re-post of an unchanged backup", 20);

            // throughput and CPU: four garages posting their days at once, each on its own first version
            List<String> users = List.of("g1", "g2", "g3", "g4");
            for (String u : users) {
                post(daemon.http().as(u), versions.get(0));
            }
            reset();
            long cpuBefore = cpuMillis(pid);
            long t0 = System.nanoTime();
            List<Thread> clients = new ArrayList<>();
            for (String u : users) {
                clients.add(new Thread(() -> {
                    for (int i = 1; i <= 15; i++) {
                        post(daemon.http().as(u), versions.get(i));
                    }
                }));
            }
            clients.forEach(Thread::start);
            for (Thread t : clients) {
                t.join();
            }
            double seconds = (System.nanoTime() - t0) / 1e9;
            long cpu = cpuMillis(pid) - cpuBefore;
            int stored = users.size() * 15;
            System.out.printf("FIGURE throughput: %d versions of a %.1f MB garage in %.1f s (%.1f/s) on %d cores;"
                            + " daemon CPU %d ms = %.0f ms per stored version (%.1f versions/s per core)%n",
                    stored, versions.get(0).length / 1e6, seconds, stored / seconds,
                    Runtime.getRuntime().availableProcessors(), cpu, (double) cpu / stored, stored * 1000.0 / cpu);
            print("stored version, 4 garages at once", stored);
        } finally {
            s3.close();
        }
    }

    private static void post(Http http, byte[] body) {
        Http.Response r = http.postBytes("/api/backup", "application/json", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private void reset() {
        // the answer leaves before the background prune: wait until the bucket is quiet
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(60)).until(this::quiet);
        s3.requests.clear();
        s3.bytesPut.set(0);
    }

    private long lastTotal = -1;

    private boolean quiet() {
        long total = s3.requests.values().stream().mapToLong(AtomicInteger::get).sum();
        boolean same = total == lastTotal;
        lastTotal = total;
        return same;
    }

    private void print(String what, int count) {
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(60)).until(this::quiet);
        Map<String, Double> per = new TreeMap<>();
        s3.requests.forEach((op, n) -> per.put(op, n.get() / (double) count));
        System.out.printf("FIGURE %s: S3 requests each %s, %.0f bytes PUT each%n", what, per, s3.bytesPut.get() / (double) count);
    }

    /** user + system CPU time of a process, from /proc/PID/stat (clock ticks, 100 a second on Linux). */
    private static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

}
