package app.garagesync.scale;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

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

    private static final String BUCKET = "garage-store";
    private static final String ACCESS = "bench-access";
    private static final String SECRET = "bench-secret";

    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();
    private final AtomicLong bytesPut = new AtomicLong();

    @Test
    void measure(@TempDir Path dir) throws Exception {
        String source = System.getProperty("bench.scale.dir");
        assumeTrue(source != null && Files.exists(Path.of(source, "v30.json")),
                "-Dbench.scale.dir=<folder with v0.json..v30.json> is needed (see the class comment)");
        List<byte[]> versions = new ArrayList<>();
        for (int i = 0; i <= 30; i++) {
            versions.add(Files.readAllBytes(Path.of(source, "v" + i + ".json")));
        }
        S3Proxy proxy = countingS3(dir.resolve("s3"));
        String endpoint = "http://127.0.0.1:" + proxy.getPort();
        try (ChildDaemon daemon = ChildDaemon.start(dir.resolve("data"), dir.resolve("daemon.log"),
                "garagesync.store.type=s3", "garagesync.store.s3.bucket=" + BUCKET,
                "garagesync.store.s3.endpoint=" + endpoint, "garagesync.store.s3.region=us-east-1",
                "garagesync.store.s3.access-key=" + ACCESS, "garagesync.store.s3.secret-key=" + SECRET,
                "garagesync.store.s3.path-style=true", "garagesync.store.s3.prefix=garage/",
                // the default policy's steady state (past keep-last, a prune every batch) reached in 10 versions
                "garagesync.retention.keep-last=10", "garagesync.retention.batch=10")) {
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
            proxy.stop();
        }
    }

    private static void post(Http http, byte[] body) {
        Http.Response r = http.postBytes("/api/backup", "application/json", body);
        assertThat(r.status()).as(r.body()).isEqualTo(201);
    }

    private void reset() {
        // the answer leaves before the background prune: wait until the bucket is quiet
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(60)).until(this::quiet);
        requests.clear();
        bytesPut.set(0);
    }

    private long lastTotal = -1;

    private boolean quiet() {
        long total = requests.values().stream().mapToLong(AtomicInteger::get).sum();
        boolean same = total == lastTotal;
        lastTotal = total;
        return same;
    }

    private void print(String what, int count) {
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(60)).until(this::quiet);
        Map<String, Double> per = new TreeMap<>();
        requests.forEach((op, n) -> per.put(op, n.get() / (double) count));
        System.out.printf("FIGURE %s: S3 requests each %s, %.0f bytes PUT each%n", what, per, bytesPut.get() / (double) count);
    }

    /** user + system CPU time of a process, from /proc/PID/stat (clock ticks, 100 a second on Linux). */
    private static long cpuMillis(long pid) throws Exception {
        String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    }

    private S3Proxy countingS3(Path dir) throws Exception {
        BlobStore blobs = new ForwardingBlobStore(new FilesystemNio2BlobStore(Files.createDirectories(dir).toString())) {
            @Override
            public PutObjectResponse putBlob(PutObjectRequest request, InputStream in) {
                count(request.ifMatch() != null ? "PUT if-match" : request.ifNoneMatch() != null ? "PUT if-none-match" : "PUT");
                if (request.contentLength() != null) {
                    bytesPut.addAndGet(request.contentLength());
                }
                return super.putBlob(request, in);
            }

            @Override
            public ResponseInputStream<GetObjectResponse> getBlob(GetObjectRequest request) {
                count(request.range() != null ? "GET range" : "GET");
                return super.getBlob(request);
            }

            @Override
            public ListObjectsV2Response list(ListObjectsV2Request request) {
                count("LIST");
                return super.list(request);
            }

            @Override
            public DeleteObjectResponse removeBlob(DeleteObjectRequest request) {
                count("DELETE");
                return super.removeBlob(request);
            }
        };
        blobs.createContainer(BUCKET);
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        S3Proxy proxy = S3Proxy.builder().blobStore(blobs).endpoint(URI.create("http://127.0.0.1:" + port))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS, SECRET).build();
        proxy.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> "STARTED".equals(proxy.getState()));
        return proxy;
    }

    private void count(String op) {
        requests.computeIfAbsent(op, k -> new AtomicInteger()).incrementAndGet();
    }
}
