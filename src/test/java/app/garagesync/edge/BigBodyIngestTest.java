package app.garagesync.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.store.DurableFiles;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Backups of the largest size the seed allows (50 MB), at the default settings: an invalid record deep in
 * the body is named, a body that grows past the limit is cut off without being read to its end, a client
 * that leaves mid-body leaves nothing behind, and three such backups at once are all stored. Raw sockets
 * where a body must be cut.
 */
class BigBodyIngestTest {

    private static final int MB = 1024 * 1024;

    @RegisterExtension
    final DaemonExtension daemon = new DaemonExtension();

    @Test
    void an_invalid_record_at_40_mb_of_50_mb_is_named_and_nothing_is_stored() throws IOException {
        Http http = daemon.http().as("deep");
        byte[] body = garage(50 * MB - 1, 40 * MB);
        Http.Response r = http.postBytes("/api/backup", "application/json", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.body()).contains("\"error\":\"invalid_backup\"", "\"status\":400")
                .containsPattern("data\\.customers\\[\\d{5,}\\]\\.id: must be a string or a number, got a boolean");
        assertThat(http.get("/api/backup/versions").body()).isEqualTo("{\"versions\":[]}");
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void a_chunked_body_past_the_limit_gets_413_before_the_rest_is_read() throws Exception {
        try (Socket s = HttpEdgeLimitsTest.connect(daemon.daemon())) {
            HttpEdgeLimitsTest.send(s, "POST /api/backup HTTP/1.1\r\nHost: x\r\nX-User-Id: chunked\r\n"
                    + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n");
            // 200 MB offered in 1 MB chunks, four times the limit: the sender stops when the daemon closes
            AtomicLong sent = new AtomicLong();
            CompletableFuture<Void> sender = CompletableFuture.runAsync(() -> {
                byte[] chunk = new byte[MB];
                java.util.Arrays.fill(chunk, (byte) ' ');
                byte[] head = (Integer.toHexString(MB) + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                try {
                    OutputStream out = s.getOutputStream();
                    out.write("12\r\n{\"data\":{\"notes\":[\r\n".getBytes(StandardCharsets.ISO_8859_1));
                    while (sent.get() < 200L * MB) {
                        out.write(head);
                        out.write(chunk);
                        out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        sent.addAndGet(MB);
                    }
                } catch (IOException closed) {
                    // the daemon closed the connection: what this test waits for
                }
            });
            String answer = HttpEdgeLimitsTest.readHead(s);
            // the client is told the connection ends here: one that kept it for its next request got no answer
            assertThat(answer).startsWith("HTTP/1.1 413").containsIgnoringCase("\r\nconnection: close\r\n");
            HttpEdgeLimitsTest.assertClosedByServer(s);
            sender.get();
            assertThat(sent.get()).isLessThan(200L * MB);
        }
        assertThat(daemon.http().as("chunked").get("/api/backup").status()).isEqualTo(404);
        assertThat(tempFiles()).isEmpty();
    }

    @Test
    void a_client_that_leaves_mid_body_leaves_nothing_behind_and_its_memory_comes_back() throws Exception {
        byte[] body = garage(50 * MB - 1, -1);
        for (int i = 0; i < 3; i++) {
            try (Socket s = HttpEdgeLimitsTest.connect(daemon.daemon())) {
                HttpEdgeLimitsTest.send(s, "POST /api/backup HTTP/1.1\r\nHost: x\r\nX-User-Id: leaver\r\n"
                        + "Content-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n");
                s.getOutputStream().write(body, 0, 20 * MB);
                s.getOutputStream().flush();
            }
        }
        Http http = daemon.http().as("leaver");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(daemon.context().getRegistry().lookupByNameAndType("bodyBudget", BodyBudget.class).reserved())
                    .isZero();
            assertThat(tempFiles()).isEmpty();
        });
        assertThat(http.get("/api/backup").status()).isEqualTo(404);
        Http.Response stored = http.postBytes("/api/backup", "application/json", body);
        assertThat(stored.status()).as(stored.toString()).isEqualTo(201);
        assertThat(http.get("/api/backup").bytes()).isEqualTo(body);
    }

    @Test
    void three_50_mb_backups_at_once_are_all_stored_at_the_default_settings() throws Exception {
        List<CompletableFuture<Http.Response>> posts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] body = garage(50 * MB - 1 - i * 1000, -1);
            Http http = daemon.http().as("garage" + i);
            posts.add(CompletableFuture.supplyAsync(() -> http.postBytes("/api/backup", "application/json", body)));
        }
        for (CompletableFuture<Http.Response> post : posts) {
            Http.Response r = post.get();
            assertThat(r.status()).as(r.toString()).isEqualTo(201);
        }
    }

    @Test
    void a_50_mb_body_is_received_into_one_array_without_copies_of_it() {
        byte[] body = garage(50 * MB - 1, -1);
        Http http = daemon.http().as("one-array");
        assertThat(http.postBytes("/api/backup", "application/json", garage(MB, -1)).status()).isEqualTo(201);
        long before = eventLoopAllocation();
        Http.Response r = http.postBytes("/api/backup", "application/json", body);
        long received = eventLoopAllocation() - before;
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        // the array it is kept in, and nothing of its size more: the body tap copies the network's buffers
        // straight into it. Vert.x's copy of every network read made it 2.0x the body before the tap; its
        // own body handler, growing its buffer 4 MB at a time, 8.4x (439 MB), before BodyReception
        assertThat(received).isLessThan(body.length + body.length / 4);
        assertThat(http.get("/api/backup").bytes()).isEqualTo(body);
        // and it was validated while it arrived, not after
        assertThat(daemon.context().getRegistry().findSingleByType(app.garagesync.backup.EarlyValidation.class)
                .validatedEarly()).isPositive();
    }

    /** Bytes allocated so far by the HTTP server's event-loop threads, where bodies are received. */
    private static long eventLoopAllocation() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory
                .getThreadMXBean();
        long total = 0;
        for (java.lang.management.ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (t != null && t.getThreadName().startsWith("vert.x-eventloop-thread")) {
                total += threads.getThreadAllocatedBytes(t.getThreadId());
            }
        }
        return total;
    }

    private List<Path> tempFiles() throws IOException {
        try (Stream<Path> all = Files.walk(daemon.dataDir())) {
            return all.filter(p -> p.getFileName().toString().startsWith(DurableFiles.TEMP_PREFIX)).toList();
        }
    }

    /**
     * A valid backup of at most {@code size} bytes of customers, or (when {@code badAt} is not negative) one
     * whose first customer past that offset has a boolean id.
     */
    static byte[] garage(int size, int badAt) {
        StringBuilder b = new StringBuilder(size + 256)
                .append("{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"data\":{\"customers\":[");
        boolean bad = false;
        // the closing text and one more record fit in the last 400 bytes: the body stays within {@code size}
        for (int i = 0; b.length() < size - 400; i++) {
            if (i > 0) {
                b.append(',');
            }
            boolean here = badAt >= 0 && !bad && b.length() >= badAt;
            bad |= here;
            b.append("{\"id\":").append(here ? "true" : Integer.toString(i))
                    .append(",\"name\":\"Client ").append(i).append(" Dupont\",\"phone\":\"06 12 34 56 78\",\"city\":\"Lyon\"}");
        }
        return b.append("],\"settings\":{\"currency\":\"EUR\"}}}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
