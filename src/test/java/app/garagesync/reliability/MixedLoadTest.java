package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import app.garagesync.testing.ReliabilityReport;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clients for a while against a child daemon over real HTTP: whole backups, change-sets, reads of
 * the latest and of older versions, version lists, status. No 5xx and no unexpected answer at all; every
 * 201 reads back exactly afterwards; the daemon's resident memory stays bounded (sampled from /proc).
 * Duration and clients: -Dgaragesync.load.seconds, -Dgaragesync.load.clients.
 */
class MixedLoadTest {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");

    private final AtomicLong requests = new AtomicLong();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    /** user -> version -> SHA-256 of what the 201 acknowledged */
    private final Map<String, Map<Long, String>> acknowledged = new ConcurrentHashMap<>();

    @Test
    void many_clients_with_a_mixed_workload_get_no_errors_and_lose_nothing(@TempDir Path dir) throws Exception {
        int seconds = Integer.getInteger("garagesync.load.seconds", 5);
        int clients = Integer.getInteger("garagesync.load.clients", 8);
        long seed = Long.getLong("garagesync.load.seed", System.nanoTime());
        System.out.println("MixedLoadTest seed " + seed);
        Random seeds = new Random(seed);
        try (ChildDaemon daemon = ChildDaemon.start(dir.resolve("data"), dir.resolve("daemon.log"))) {
            long deadline = System.nanoTime() + seconds * 1_000_000_000L;
            List<Thread> threads = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                String user = "load" + c;
                Random r = new Random(seeds.nextLong());
                threads.add(new Thread(() -> client(daemon.http(), user, r, deadline, clients)));
            }
            threads.forEach(Thread::start);
            long peakRss = 0;
            long firstRss = 0;
            while (threads.stream().anyMatch(Thread::isAlive)) {
                long rss = rssKb(daemon.process().pid());
                firstRss = firstRss == 0 ? rss : firstRss;
                peakRss = Math.max(peakRss, rss);
                threads.get(0).join(500); // a sampling period, ended early when the clients are done
            }
            for (Thread t : threads) {
                t.join();
            }
            long checked = checkEveryAcknowledgedVersion(daemon);
            assertThat(errors).as("errors under load").isEmpty();
            // -Xmx512m in the child: resident memory beyond heap plus metaspace, buffers and code means a leak off-heap
            assertThat(peakRss).as("peak RSS in kB").isLessThan(1_000_000);
            ReliabilityReport.line("load", "seed=" + seed, "clients=" + clients, "seconds=" + seconds,
                    "load requests=" + requests.get(), "errors=" + errors.size(), "versions acknowledged=" + checked,
                    "lost=0", "daemon RSS first/peak MB=" + firstRss / 1024 + "/" + peakRss / 1024);
        }
    }

    private void client(Http anonymous, String user, Random r, long deadline, int clients) {
        Http http = anonymous.as(user);
        ChangeSetModel model = ChangeSetModel.initial(r, 30);
        long latest = 0;
        List<Long> mine = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            int dice = r.nextInt(100);
            try {
                if (dice < 20 || latest == 0) {
                    model.nextChangeSet(0, r); // edits the model; the whole document is sent
                    latest = write(user, http.postBytes("/api/backup", "application/json", model.document()), model, latest, mine);
                } else if (dice < 40) {
                    String cs = model.nextChangeSet(latest, r);
                    latest = write(user, http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                            .method("PATCH", HttpRequest.BodyPublishers.ofString(cs))), model, latest, mine);
                } else if (dice < 60) {
                    Http.Response got = expect(http.get("/api/backup"), 200);
                    if (got != null && !Arrays.equals(got.bytes(), model.document())) {
                        errors.add(user + ": GET latest is not the last acknowledged document");
                    }
                } else if (dice < 70) {
                    expect(http.get("/api/backup?version=" + mine.get(r.nextInt(mine.size()))), 200);
                } else if (dice < 80) {
                    expect(http.get("/api/backup/versions"), 200);
                } else if (dice < 90) {
                    expect(http.get("/api/sync/status"), 200);
                } else {
                    // someone else's latest: 200 once they stored one, 404 before
                    Http other = anonymous.as("load" + r.nextInt(clients));
                    Http.Response a = other.get("/api/backup");
                    requests.incrementAndGet();
                    if (a.status() != 200 && a.status() != 404) {
                        errors.add("GET other user: " + a);
                    }
                }
            } catch (RuntimeException e) {
                errors.add(user + ": " + e);
            }
        }
    }

    private long write(String user, Http.Response answer, ChangeSetModel model, long latest, List<Long> mine) {
        requests.incrementAndGet();
        Matcher m = VERSION.matcher(answer.body());
        if ((answer.status() != 201 && answer.status() != 200) || !m.find()) {
            errors.add(user + ": write answered " + answer);
            return latest;
        }
        long version = Long.parseLong(m.group(1));
        if (answer.status() == 201) {
            acknowledged.computeIfAbsent(user, u -> new ConcurrentHashMap<>()).put(version, sha256(model.document()));
            mine.add(version);
        }
        return version;
    }

    private Http.Response expect(Http.Response r, int status) {
        requests.incrementAndGet();
        if (r.status() != status) {
            errors.add("expected " + status + ": " + r);
            return null;
        }
        return r;
    }

    private long checkEveryAcknowledgedVersion(ChildDaemon daemon) {
        long checked = 0;
        for (Map.Entry<String, Map<Long, String>> user : acknowledged.entrySet()) {
            Http http = daemon.http().as(user.getKey());
            for (Map.Entry<Long, String> v : user.getValue().entrySet()) {
                Http.Response r = http.get("/api/backup?version=" + v.getKey());
                assertThat(r.status()).as("version %d of %s", v.getKey(), user.getKey()).isEqualTo(200);
                assertThat(sha256(r.bytes())).as("version %d of %s", v.getKey(), user.getKey()).isEqualTo(v.getValue());
                checked++;
            }
        }
        return checked;
    }

    private static long rssKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException gone) {
            return 0;
        }
        return 0;
    }

    private static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
