package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.auth.TokenFile;
import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import app.garagesync.testing.ReliabilityReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The adversarial run of issue 17 against a child daemon in token mode, at -Xmx512m and a file-handle
 * limit of 1,024 (the test classpath alone keeps about 300 open): uploads that announce 49 MB and stop (with and without a token), slowloris headers (one
 * byte a second) and idle connections opened past the handle limit, all at once and kept up as the daemon
 * closes them. Throughout, health answers 200 and a normal client's backups are stored; afterwards too.
 */
class ExhaustionTest {

    private static final int HANDLE_LIMIT = 1024;
    private static final int DECLARED = 49 * 1024 * 1024;

    @Test
    void health_and_a_normal_client_keep_answering_through_stalled_bodies_slowloris_and_idle_connections(@TempDir Path dir)
            throws Exception {
        int rounds = Integer.getInteger("garagesync.exhaustion.rounds", 20);
        int idleTarget = Integer.getInteger("garagesync.exhaustion.idle", 1100);
        int slowTarget = Integer.getInteger("garagesync.exhaustion.slowloris", 100);
        int stalledTarget = Integer.getInteger("garagesync.exhaustion.stalled", 30);
        Path data = dir.resolve("data");
        Path tokens = data.resolve("tokens");
        String token = new TokenFile(tokens).issue("alice");
        try (ChildDaemon daemon = ChildDaemon.startWithHandleLimit(HANDLE_LIMIT, data, dir.resolve("daemon.log"),
                "garagesync.auth.mode=token", "garagesync.auth.tokens-file=" + tokens,
                "garagesync.http.header-timeout=2s", "garagesync.http.idle-timeout=3s",
                "garagesync.http.body-stall-timeout=3s")) {
            int port = daemon.http().get("/api/health").raw().uri().getPort();
            Attack idle = new Attack(port, idleTarget, null);
            Attack slow = new Attack(port, slowTarget, "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: ");
            Attack stalled = new Attack(port, stalledTarget, null) {
                @Override
                byte[] opening(int n) {
                    // one in two with a valid token (held within the body budget), the others without
                    return ("POST /api/backup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + (n % 2 == 0 ? "Authorization: Bearer " + token + "\r\n" : "")
                            + "Content-Length: " + DECLARED + "\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1);
                }

                @Override
                void afterOpening(SocketChannel ch) throws IOException {
                    ByteBuffer chunk = ByteBuffer.allocate(2 * 1024 * 1024);
                    ch.write(chunk);
                }
            };
            Http client = daemon.http().with("Authorization", "Bearer " + token);
            // a daemon that has served once, as the jar has: run from target/classes, each first use of a
            // class opens a file, and a class that failed to load at the handle limit fails for good
            assertThat(client.postJson("/api/backup", Backups.small(0)).status()).isEqualTo(201);
            AtomicInteger healthOk = new AtomicInteger();
            AtomicInteger postsOk = new AtomicInteger();
            AtomicInteger retried = new AtomicInteger();
            ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
            AtomicInteger done = new AtomicInteger();
            ScheduledExecutorService ticker = Executors.newScheduledThreadPool(4);
            try {
                ticker.scheduleWithFixedDelay(idle::topUp, 0, 100, TimeUnit.MILLISECONDS);
                ticker.scheduleWithFixedDelay(stalled::topUp, 0, 200, TimeUnit.MILLISECONDS);
                ticker.scheduleWithFixedDelay(() -> {
                    slow.topUp();
                    slow.dribble();
                }, 0, 1, TimeUnit.SECONDS);
                ticker.scheduleWithFixedDelay(() -> {
                    int round = done.get();
                    if (call(() -> client.get("/api/health").status(), 200, retried, failures, "health")) {
                        healthOk.incrementAndGet();
                    }
                    if (call(() -> client.postJson("/api/backup", Backups.small(round + 1)).status(), 201, retried, failures, "post")) {
                        postsOk.incrementAndGet();
                    }
                    done.incrementAndGet();
                }, 500, 250, TimeUnit.MILLISECONDS);
                await().atMost(Duration.ofSeconds(rounds * 5L + 60)).until(() -> done.get() >= rounds || failures.size() > 10);
            } finally {
                ticker.shutdownNow();
                ticker.awaitTermination(30, TimeUnit.SECONDS);
            }
            int finalIdle = idle.closeAll();
            slow.closeAll();
            stalled.closeAll();
            // and right after the attackers leave (it used to take over 105 s)
            assertThat(daemon.http().get("/api/health").status()).isEqualTo(200);
            Http.Response after = client.postJson("/api/backup", Backups.small(100_000));
            assertThat(after.status()).as(() -> after.body() + "\n" + tail(dir.resolve("daemon.log"))).isEqualTo(201);
            ReliabilityReport.line("exhaustion", "handle limit=" + HANDLE_LIMIT, "rounds=" + done.get(),
                    "idle opened=" + idle.opened.get() + " (closed by the daemon " + idle.closedByServer.get()
                            + ", open at the end " + finalIdle + ")",
                    "slowloris opened=" + slow.opened.get() + " (closed " + slow.closedByServer.get() + ")",
                    "stalled 49 MB uploads=" + stalled.opened.get() + " (closed " + stalled.closedByServer.get() + ")",
                    "health 200=" + healthOk.get(), "posts 201=" + postsOk.get(), "retried once=" + retried.get(),
                    "failures=" + failures.size());
            assertThat(failures).isEmpty();
            assertThat(healthOk.get()).isEqualTo(done.get());
            assertThat(postsOk.get()).isEqualTo(done.get());
            // the daemon did the closing: slow headers and stalled bodies never outlive their timeouts
            assertThat(slow.closedByServer.get()).isPositive();
            assertThat(stalled.closedByServer.get()).isPositive();
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = java.nio.file.Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /**
     * One request, retried once on a connection error: a client whose kept-alive connection was let go
     * while idle reconnects, as browsers do. A wrong status is a failure at once.
     */
    private static boolean call(java.util.concurrent.Callable<Integer> request, int expected, AtomicInteger retried,
            ConcurrentLinkedQueue<String> failures, String what) {
        for (int attempt = 0; attempt < 2; attempt++) {
            try {
                int status = request.call();
                if (status == expected) {
                    return true;
                }
                failures.add(what + " answered " + status);
                return false;
            } catch (Exception e) {
                if (attempt == 0) {
                    retried.incrementAndGet();
                } else {
                    failures.add(what + ": " + e);
                }
            }
        }
        return false;
    }

    /** A set of hostile connections kept at a target count: whenever the daemon closes one, another opens. */
    static class Attack {
        final int port;
        final int target;
        final String head;
        final List<SocketChannel> open = new ArrayList<>();
        final AtomicInteger opened = new AtomicInteger();
        final AtomicInteger closedByServer = new AtomicInteger();

        Attack(int port, int target, String head) {
            this.port = port;
            this.target = target;
            this.head = head;
        }

        byte[] opening(int n) {
            return head == null ? new byte[0] : head.getBytes(StandardCharsets.ISO_8859_1);
        }

        void afterOpening(SocketChannel ch) throws IOException {
        }

        synchronized void topUp() {
            ByteBuffer sink = ByteBuffer.allocate(4096);
            open.removeIf(ch -> {
                try {
                    sink.clear();
                    int n;
                    while ((n = ch.read(sink)) > 0) {
                        sink.clear();
                    }
                    if (n < 0) {
                        closedByServer.incrementAndGet();
                        ch.close();
                        return true;
                    }
                    return false;
                } catch (IOException reset) {
                    closedByServer.incrementAndGet();
                    closeQuietly(ch);
                    return true;
                }
            });
            // at most 20 new connections a tick (200 a second for the idle ones): a faster flood is one for
            // a firewall's connection rate limit; past it, sockets accepted but not yet paced pile up
            for (int i = 0; open.size() < target && i < 20; i++) {
                try {
                    SocketChannel ch = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
                    ch.configureBlocking(false);
                    ch.write(ByteBuffer.wrap(opening(opened.getAndIncrement())));
                    afterOpening(ch);
                    open.add(ch);
                } catch (IOException refused) {
                    // the daemon let it go at once, or the backlog is full: next tick
                }
            }
        }

        /** One more byte of header on every connection, as slowloris does. */
        synchronized void dribble() {
            ByteBuffer one = ByteBuffer.allocate(1);
            for (SocketChannel ch : open) {
                try {
                    one.clear();
                    one.put((byte) 'a').flip();
                    ch.write(one);
                } catch (IOException closed) {
                    // counted by the next topUp
                }
            }
        }

        synchronized int closeAll() {
            int n = open.size();
            open.forEach(Attack::closeQuietly);
            open.clear();
            return n;
        }

        private static void closeQuietly(SocketChannel ch) {
            try {
                ch.close();
            } catch (IOException ignored) {
                // already gone
            }
        }
    }
}
