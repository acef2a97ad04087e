package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.FaultyProxy;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons on one bucket while retention prunes: daemon A takes a stream of backups of one user from
 * a client and prunes behind them; daemon B, on a slower link to the bucket, is started fresh and
 * posts now and then. B's numbers
 * must come after every number A acknowledged before B's request left, never one taken already or
 * pruned already, and what B acknowledged is not deleted while it is within keep-last.
 */
class SharedS3RetentionTest {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    private static final String USER = "busy";
    private static final int KEEP_LAST = 5;
    /**
     * Clients of A. The run had three; here one is enough to prune under B's feet. Many small
     * backups back to back make A's version cycle so much shorter than B's round trips that B can lose every
     * race for seconds: optimistic numbering favours the daemon nearer the bucket (see storage.md), and B
     * then answers 503 (retry) after a bound, never a 500 nor a number given twice.
     */
    private static final int A_CLIENTS = 1;

    private static String[] properties(S3Server s3) {
        List<String> p = new ArrayList<>(List.of(s3.storeProperties("garage/")));
        p.addAll(List.of("garagesync.retention.keep-last", String.valueOf(KEEP_LAST), "garagesync.retention.batch", "3"));
        return p.toArray(String[]::new);
    }

    private static long version(Http.Response r) {
        Matcher m = VERSION.matcher(r.body());
        assertThat(m.find()).as(r.toString()).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static String[] overSlowLink(S3Server s3, FaultyProxy slow) {
        List<String> p = new ArrayList<>(List.of(properties(s3)));
        p.addAll(List.of("garagesync.store.s3.endpoint", slow.endpoint()));
        return p.toArray(String[]::new);
    }

    /** A 201 from B: a number above {@code before} (the highest A acknowledged before it), given once. */
    private static void acknowledgedByB(Http.Response r, String body, long before, Map<Long, String> acknowledged,
                                        List<Long> fromB) {
        assertThat(r.status()).as("B's post: %s", r).isEqualTo(201);
        long v = version(r);
        assertThat(v).as("B's version, after A acknowledged %d", before).isGreaterThan(before);
        assertThat(acknowledged.putIfAbsent(v, body)).as("version %d given twice", v).isNull();
        fromB.add(v);
    }

    @Test
    void a_fresh_daemon_never_gives_a_number_already_given_or_pruned(@TempDir Path dir) throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             // B reaches the bucket over a slow link, as a daemon in another zone does: its listing and
             // header reads take long enough for A to store and prune meanwhile
             FaultyProxy slow = new FaultyProxy("127.0.0.1", s3.port());
             RunningDaemon a = RunningDaemon.start(dir.resolve("a"), properties(s3))) {
            Map<Long, String> acknowledged = new ConcurrentHashMap<>();
            List<String> problems = new ArrayList<>();
            AtomicLong highestOfA = new AtomicLong();
            AtomicInteger counter = new AtomicInteger();
            AtomicInteger contended = new AtomicInteger();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> clients = new ArrayList<>();
            for (int c = 0; c < A_CLIENTS; c++) {
                Http http = a.http().as(USER);
                java.util.Random rnd = new java.util.Random(c);
                EditableBackup.Doc doc = EditableBackup.initial(rnd, 150);
                clients.add(new Thread(() -> {
                    while (!stop.get()) {
                        // a shop's day of edits, a few dozen KB: A's versions take a moment each, as real ones do
                        EditableBackup.edit(doc, rnd);
                        doc.add("customers", EditableBackup.entity("a" + counter.incrementAndGet(), rnd));
                        String body = new String(doc.bytes(), java.nio.charset.StandardCharsets.UTF_8);
                        Http.Response r = http.postJson("/api/backup", body);
                        if (r.status() != 201) {
                            synchronized (problems) {
                                problems.add("A: " + r);
                            }
                            continue;
                        }
                        long v = version(r);
                        if (acknowledged.putIfAbsent(v, body) != null) {
                            synchronized (problems) {
                                problems.add("A: version " + v + " acknowledged twice");
                            }
                        }
                        highestOfA.accumulateAndGet(v, Math::max);
                    }
                }));
            }
            clients.forEach(Thread::start);
            slow.mode(FaultyProxy.Mode.SLOW);
            List<Long> fromB = new ArrayList<>();
            try {
                // let A go past keep-last and start pruning in batches
                org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                        .until(() -> highestOfA.get() > 3 * KEEP_LAST);
                for (int restart = 0; restart < 2; restart++) {
                    try (RunningDaemon b = RunningDaemon.start(dir.resolve("b" + restart), overSlowLink(s3, slow))) {
                        Http http = b.http().as(USER);
                        for (int i = 0; i < 6; i++) {
                            long before = highestOfA.get();
                            String body = Backups.small(counter.incrementAndGet());
                            Http.Response r = http.postJson("/api/backup", body);
                            if (r.status() == 503) {
                                // racing a busy daemon over a slow link, B may find the store too contended for
                                // now: a 503 that changed nothing, which a client retries later
                                assertThat(r.body()).as("B's post").contains("store_unavailable");
                                contended.incrementAndGet();
                                continue;
                            }
                            acknowledgedByB(r, body, before, acknowledged, fromB);
                        }
                    }
                }
            } finally {
                stop.set(true);
                for (Thread t : clients) {
                    t.join();
                }
            }
            // once A is quiet, a fresh B over the slow link numbers above everything A gave and pruned
            try (RunningDaemon b = RunningDaemon.start(dir.resolve("b-after"), overSlowLink(s3, slow))) {
                Http http = b.http().as(USER);
                for (int i = 0; i < 3; i++) {
                    String body = Backups.small(counter.incrementAndGet());
                    acknowledgedByB(http.postJson("/api/backup", body), body, highestOfA.get(), acknowledged, fromB);
                }
            }
            assertThat(problems).as("answers other than 201 while A was under load").isEmpty();
            Http http = a.http().as(USER);
            // the last prune runs after the last answer: wait for it (at most keep-last + batch - 1 remain)
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30)).until(() ->
                    http.get("/api/backup/versions").body().split("\"id\":", -1).length - 1 < KEEP_LAST + 3);
            PrunedIds pruned = PrunedIds.parse(new S3BlobStore(S3BlobStore.client("us-east-1", s3.endpoint(), S3Server.ACCESS,
                    S3Server.SECRET, true), S3Server.BUCKET, "garage/").read("users/" + USER + "/pruned"));
            long kept = 0;
            for (Map.Entry<Long, String> e : acknowledged.entrySet()) {
                Http.Response r = http.get("/api/backup?version=" + e.getKey());
                if (r.status() == 404) {
                    assertThat(pruned.contains(e.getKey())).as("version %d gone without being pruned", e.getKey()).isTrue();
                    // pruned is fair only once keep-last newer versions were acknowledged
                    assertThat(acknowledged.keySet().stream().filter(other -> other > e.getKey()).count())
                            .as("versions acknowledged after the pruned version %d", e.getKey())
                            .isGreaterThanOrEqualTo(KEEP_LAST);
                } else {
                    assertThat(r.body()).as("version %d", e.getKey()).isEqualTo(e.getValue());
                    kept++;
                }
            }
            assertThat(kept).isPositive();
            assertThat(http.postJson("/api/admin/verify", "{}").body()).as("verify after the run").contains("\"ok\":true");
            System.out.println("SharedS3RetentionTest: " + acknowledged.size() + " versions acknowledged, B's: " + fromB + ", B's posts answered 503 contended: " + contended
                    + ", pruned " + pruned);
        }
    }
}
