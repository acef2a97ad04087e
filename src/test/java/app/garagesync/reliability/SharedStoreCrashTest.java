package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.store.PrunedIds;
import app.garagesync.store.S3BlobStore;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.ReliabilityReport;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons on one S3 bucket, retention pruning after every backup, one user posted to through both,
 * and daemon B killed with kill -9 at random moments and started again. Every number acknowledged is
 * acknowledged once (never for two contents), each client sees its numbers only grow even when it goes
 * from one daemon to the other, and every acknowledged version reads back exactly or was pruned by the
 * policy. Rounds: a quarter of -Dgaragesync.crash.rounds (2 in the normal run, 30 under -Preliability);
 * seed: -Dgaragesync.crash.seed.
 */
class SharedStoreCrashTest {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    private static final String USER = "shared";

    private final Map<Long, byte[]> acknowledged = new ConcurrentHashMap<>();
    private final List<String> problems = new ArrayList<>();
    private final AtomicInteger fromA = new AtomicInteger();
    private final AtomicInteger fromB = new AtomicInteger();
    private final AtomicInteger daemonGone = new AtomicInteger();

    private static String[] retention() {
        return new String[] {"garagesync.retention.keep-last", "3", "garagesync.retention.batch", "1"};
    }

    @Test
    void numbers_stay_unique_and_growing_through_kill_minus_9_of_one_of_two_daemons_while_pruning(
            @TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) throws Exception {
        int rounds = Math.max(2, Integer.getInteger("garagesync.crash.rounds", 8) / 4);
        long seed = Long.getLong("garagesync.crash.seed", System.nanoTime());
        System.out.println("SharedStoreCrashTest seed " + seed + " (-Dgaragesync.crash.seed=" + seed + "), data in " + dir);
        Random random = new Random(seed);
        try (S3Server s3 = new S3Server(dir.resolve("s3"))) {
            List<String> a = new ArrayList<>(List.of(s3.storeProperties("garage/")));
            a.addAll(List.of(retention()));
            List<String> b = new ArrayList<>();
            for (int i = 0; i + 1 < a.size(); i += 2) {
                b.add(a.get(i) + "=" + a.get(i + 1));
            }
            try (RunningDaemon daemonA = RunningDaemon.start(dir.resolve("a"), a.toArray(String[]::new))) {
                AtomicReference<Http> daemonB = new AtomicReference<>();
                AtomicBoolean stop = new AtomicBoolean();
                List<Thread> clients = new ArrayList<>();
                for (int c = 0; c < 3; c++) {
                    Random r = new Random(random.nextLong());
                    clients.add(new Thread(() -> client(daemonA.http().as(USER), daemonB, r, stop)));
                }
                clients.forEach(Thread::start);
                try {
                    for (int round = 0; round < rounds; round++) {
                        int killAfter = fromB.get() + 1 + random.nextInt(6);
                        int jitterMillis = random.nextInt(40);
                        try (ChildDaemon child = ChildDaemon.start(dir.resolve("b"), dir.resolve("b.log"),
                                b.toArray(String[]::new))) {
                            daemonB.set(child.http().as(USER));
                            await().atMost(Duration.ofSeconds(60)).until(() -> fromB.get() >= killAfter);
                            // the random moment itself: somewhere in B's next write, mark, prune record or deletion
                            Thread.sleep(jitterMillis);
                            child.kill();
                            daemonB.set(null);
                        }
                    }
                } finally {
                    stop.set(true);
                    for (Thread t : clients) {
                        t.join(30_000);
                    }
                }
                synchronized (problems) {
                    assertThat(problems).as("numbers given twice or going backwards, answers other than 201").isEmpty();
                }
                Http http = daemonA.http().as(USER);
                // the last prune runs after the last answer: wait until at most keep-last versions remain
                await().atMost(Duration.ofSeconds(30)).until(() ->
                        http.get("/api/backup/versions").body().split("\"id\":", -1).length - 1 <= 3);
                PrunedIds pruned = prunedIds(s3);
                int kept = 0;
                int prunedByPolicy = 0;
                for (Map.Entry<Long, byte[]> ack : acknowledged.entrySet()) {
                    Http.Response r = http.get("/api/backup?version=" + ack.getKey());
                    if (r.status() == 404 && pruned.contains(ack.getKey())) {
                        prunedByPolicy++;
                        continue;
                    }
                    assertThat(r.status()).as("acknowledged version %d", ack.getKey()).isEqualTo(200);
                    assertThat(Arrays.mismatch(r.bytes(), ack.getValue())).as("version %d", ack.getKey()).isEqualTo(-1);
                    kept++;
                }
                assertThat(kept).isPositive();
                assertThat(http.postJson("/api/admin/verify", "{}").body()).as("verify at the end").startsWith("{\"ok\":true");
                assertThat(fromB.get()).isGreaterThanOrEqualTo(rounds);
                ReliabilityReport.line("shared store crash", "seed=" + seed, "kills of daemon B=" + rounds,
                        "versions acknowledged=" + acknowledged.size(), "through A=" + fromA.get(), "through B=" + fromB.get(),
                        "pruned by policy=" + prunedByPolicy, "posts cut by a kill=" + daemonGone.get(),
                        "numbers given twice=0");
            }
        }
    }

    /** Posts edits of its own document, to A and B in turn (to A alone while B is down), until stopped. */
    private void client(Http a, AtomicReference<Http> b, Random r, AtomicBoolean stop) {
        EditableBackup.Doc doc = EditableBackup.initial(r, 10);
        long lastSeen = 0;
        boolean toB = false;
        while (!stop.get()) {
            toB = !toB;
            Http target = toB ? b.get() : null;
            Http http = target == null ? a : target;
            EditableBackup.edit(doc, r);
            // a record unique to this post: no two posts have the same content, so each is a new version
            doc.add("customers", EditableBackup.entity("p" + r.nextLong(), r));
            byte[] body = doc.bytes();
            Http.Response answer;
            try {
                answer = http.postBytes("/api/backup", "application/json", body);
            } catch (RuntimeException killed) {
                daemonGone.incrementAndGet();
                continue;
            }
            Matcher m = VERSION.matcher(answer.body());
            if (answer.status() != 201 || !m.find()) {
                problem((target == null ? "A: " : "B: ") + answer);
                continue;
            }
            long v = Long.parseLong(m.group(1));
            (target == null ? fromA : fromB).incrementAndGet();
            if (acknowledged.putIfAbsent(v, body) != null) {
                problem("version " + v + " acknowledged twice");
            }
            if (v <= lastSeen) {
                problem("version " + v + " acknowledged after " + lastSeen + " to the same client");
            }
            lastSeen = v;
        }
    }

    private void problem(String what) {
        synchronized (problems) {
            problems.add(what);
        }
    }

    private static PrunedIds prunedIds(S3Server s3) throws Exception {
        try {
            return PrunedIds.parse(new S3BlobStore(S3BlobStore.client("us-east-1", s3.endpoint(), S3Server.ACCESS,
                    S3Server.SECRET, true), S3Server.BUCKET, "garage/").read("users/" + USER + "/pruned"));
        } catch (NoSuchFileException none) {
            return PrunedIds.none();
        }
    }
}
