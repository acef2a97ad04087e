package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two daemons behind a load balancer share one bucket: concurrent backups of one user, none lost. */
class SharedS3StoreTest {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

    @Test
    void two_daemons_on_one_bucket_never_lose_a_concurrent_backup(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             RunningDaemon a = RunningDaemon.start(dir.resolve("a"), s3.storeProperties("garage/"));
             RunningDaemon b = RunningDaemon.start(dir.resolve("b"), s3.storeProperties("garage/"))) {
            Map<Long, String> acknowledged = new ConcurrentHashMap<>();
            List<String> duplicates = new ArrayList<>();
            AtomicInteger counter = new AtomicInteger();
            List<Thread> clients = new ArrayList<>();
            for (RunningDaemon daemon : List.of(a, b, a, b)) {
                Http http = daemon.http().as("shared");
                clients.add(new Thread(() -> {
                    for (int i = 0; i < 15; i++) {
                        String body = Backups.small(counter.incrementAndGet());
                        Http.Response r = http.postJson("/api/backup", body);
                        assertThat(r.status()).as(r.toString()).isEqualTo(201);
                        Matcher m = VERSION.matcher(r.body());
                        assertThat(m.find()).isTrue();
                        if (acknowledged.putIfAbsent(Long.parseLong(m.group(1)), body) != null) {
                            synchronized (duplicates) {
                                duplicates.add(m.group(1));
                            }
                        }
                    }
                }));
            }
            clients.forEach(Thread::start);
            for (Thread t : clients) {
                t.join();
            }
            assertThat(duplicates).as("version numbers given twice").isEmpty();
            assertThat(acknowledged).hasSize(60);
            for (RunningDaemon daemon : List.of(a, b)) {
                Http http = daemon.http().as("shared");
                assertThat(http.get("/api/backup/versions").body().split("\"id\":", -1).length - 1).isEqualTo(60);
                for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
                    assertThat(http.get("/api/backup?version=" + e.getKey()).body()).as("version %d", e.getKey())
                            .isEqualTo(e.getValue());
                }
                assertThat(http.postJson("/api/admin/verify", "{}").body()).contains("\"ok\":true");
            }
            // a version written through one daemon is the latest seen through the other
            assertThat(b.http().as("shared").postJson("/api/backup", Backups.small(1000)).status()).isEqualTo(201);
            assertThat(a.http().as("shared").get("/api/backup").body()).isEqualTo(Backups.small(1000));
        }
    }
}
