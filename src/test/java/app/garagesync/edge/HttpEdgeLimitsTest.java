package app.garagesync.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.auth.TokenFile;
import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP edge cannot be starved: a body without a valid token is refused before it is read, bodies in
 * flight share a memory budget, and a connection that stops sending (idle, headers, body) is closed.
 * Raw sockets, because an HTTP client would not misbehave on purpose.
 */
class HttpEdgeLimitsTest {

    private static final int SOCKET_GUARD_MS = 30_000;

    @Test
    void a_body_without_a_valid_token_is_refused_before_it_is_read(@TempDir Path dir) throws Exception {
        Path tokens = dir.resolve("tokens");
        String alice = new TokenFile(tokens).issue("alice");
        try (RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), "garagesync.auth.mode", "token",
                "garagesync.auth.tokens-file", tokens.toString());
             Socket s = connect(daemon)) {
            // 49 MB announced and not one byte of it sent: the answer must not wait for the body. (Bytes sent
            // and left unread when the daemon closes would make its kernel reset the connection, which can
            // drop the answer before this side reads it: a race of the test, not of the daemon.)
            send(s, "POST /api/backup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: " + 49 * 1024 * 1024 + "\r\n\r\n");
            String answer = readHead(s);
            assertThat(answer).startsWith("HTTP/1.1 401").containsIgnoringCase("connection: close");
            assertThat(readToEnd(s)).contains("\"unauthorized\"");
            // the token holder is still served
            Http.Response ok = daemon.http().with("Authorization", "Bearer " + alice).postJson("/api/backup", Backups.small(2));
            assertThat(ok.status()).isEqualTo(201);
        }
    }

    @Test
    void bodies_beyond_the_memory_budget_get_503_with_retry_after(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.max-backup-size", "10MB",
                "garagesync.http.body-memory", "20MB")) {
            List<Socket> stalled = new ArrayList<>();
            try {
                for (int i = 0; i < 2; i++) {
                    Socket s = connect(daemon);
                    stalled.add(s);
                    send(s, "POST /api/backup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + 9 * 1024 * 1024 + "\r\n\r\n{\"data\":");
                }
                // the two stalled bodies hold 18 of the 20 MB: a third large body does not fit. Announced and not
                // sent, as in the 401 case above: bytes left unread when the daemon closes could reset the
                // connection before this side reads the answer
                try (Socket third = connect(daemon)) {
                    send(third, "POST /api/backup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + "Content-Length: " + 5 * 1024 * 1024 + "\r\n\r\n");
                    String head = readHead(third);
                    assertThat(head).startsWith("HTTP/1.1 503").containsIgnoringCase("retry-after:");
                    assertThat(readToEnd(third)).contains("\"busy\"");
                }
                // small ones still fit, and health answers
                assertThat(daemon.http().postJson("/api/backup", Backups.small(3)).status()).isEqualTo(201);
                assertThat(daemon.http().get("/api/health").status()).isEqualTo(200);
            } finally {
                for (Socket s : stalled) {
                    s.close();
                }
            }
            // the budget comes back when the stalled clients leave
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    daemon.http().postBytes("/api/backup", "application/json", Backups.small(4).getBytes(StandardCharsets.UTF_8))
                            .status() == 201
                    && daemon.http().postBytes("/api/backup", "application/json", pad(Backups.small(5), 9 * 1024 * 1024))
                            .status() == 201);
        }
    }

    @Test
    void a_body_that_stops_arriving_is_dropped_and_nothing_is_stored(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.http.body-stall-timeout", "1s");
             Socket s = connect(daemon)) {
            send(s, "POST /api/backup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100000\r\n\r\n{\"data\":{\"customers\":[");
            assertClosedByServer(s);
            assertThat(daemon.http().get("/api/backup").status()).isEqualTo(404);
            assertThat(daemon.http().get("/api/health").status()).isEqualTo(200);
            assertThat(daemon.http().get("/api/metrics").body())
                    .contains("garagesync_http_connections_closed_total{reason=\"stalled_body\"} 1.0");
        }
    }

    @Test
    void headers_dribbled_in_are_cut_after_the_header_timeout(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.http.header-timeout", "1s",
                "garagesync.http.idle-timeout", "10m");
             Socket s = connect(daemon)) {
            send(s, "GET /api/health HTTP/1.1\r\nHost: x\r\nX-Slow: a");
            assertClosedByServer(s);
        }
    }

    @Test
    void an_idle_connection_is_closed_after_the_idle_timeout(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.http.idle-timeout", "1s");
             Socket s = connect(daemon)) {
            // idle after a first request too: keep-alive does not keep it for ever
            send(s, "GET /api/health HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(readHead(s)).startsWith("HTTP/1.1 200");
            assertClosedByServer(s);
        }
    }

    @Test
    void at_the_connection_limit_the_longest_idle_connection_makes_room(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.http.max-connections", "20")) {
            List<Socket> idle = new ArrayList<>();
            try {
                for (int i = 0; i < 60; i++) {
                    idle.add(connect(daemon));
                }
                // the daemon keeps answering its own clients, and the oldest idle sockets were let go
                assertThat(daemon.http().get("/api/health").status()).isEqualTo(200);
                assertThat(daemon.http().postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
                assertClosedByServer(idle.get(0));
            } finally {
                for (Socket s : idle) {
                    s.close();
                }
            }
        }
    }

    @Test
    void a_request_with_both_content_length_and_chunked_closes_its_connection(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir); Socket s = connect(daemon)) {
            String body = Backups.small(1);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            send(s, "POST /api/backup HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(bytes.length) + "\r\n");
            s.getOutputStream().write(bytes);
            send(s, "\r\n0\r\n\r\n");
            String head = readHead(s);
            // read by Transfer-Encoding alone (RFC 9112 6.1), then the connection is closed
            assertThat(head).startsWith("HTTP/1.1 201").containsIgnoringCase("connection: close");
            assertClosedByServer(s);
        }
    }

    @Test
    void a_body_over_the_limit_gets_its_413_even_when_the_client_sends_it_whole_before_reading(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.max-backup-size", "1MB")) {
            // Java's HttpClient sends the whole body before it reads the answer: a daemon that answered and
            // closed with bytes of the body unread made the kernel reset the connection, and the 413 was
            // lost in about one request in fifteen (13 of 200 measured) ("header parser received no bytes"). One client, so
            // the connection the 413s leave is also the one the last request goes down.
            Http http = daemon.http().as("overgrown");
            long seed = System.nanoTime();
            java.util.Random random = new java.util.Random(seed);
            for (int i = 0; i < 200; i++) {
                int size = (1 << 20) + 1 + random.nextInt(1 << 20); // up to twice the limit
                Http.Response refused = http.postBytes("/api/backup", "application/json", pad(Backups.small(1), size));
                assertThat(refused.status()).as("seed %d, request %d of %d bytes", seed, i, size).isEqualTo(413);
                assertThat(refused.body()).contains("\"too_large\"");
            }
            assertThat(http.postJson("/api/backup", Backups.small(2)).status()).isEqualTo(201);
        }
    }

    static Socket connect(RunningDaemon daemon) throws IOException {
        Socket s = new Socket("127.0.0.1", daemon.port());
        // a guard against a hang, not a measurement: the awaited close comes long before it
        s.setSoTimeout(SOCKET_GUARD_MS);
        return s;
    }

    static void send(Socket s, String text) throws IOException {
        OutputStream out = s.getOutputStream();
        out.write(text.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    /** The status line and headers of the next answer. */
    static String readHead(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                break;
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.ISO_8859_1);
    }

    static String readToEnd(Socket s) throws IOException {
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    /** The server closed the connection: reads reach the end (or a reset), and no guard timeout fired. */
    static void assertClosedByServer(Socket s) throws IOException {
        try {
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            while (in.read(buf) >= 0) {
                // drain whatever answer came before the close
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the server kept the connection open", e);
        } catch (java.net.SocketException reset) {
            // a reset is a close too
        }
    }

    private static byte[] pad(String json, int size) {
        StringBuilder b = new StringBuilder(json.substring(0, json.length() - 1)).append(",\"pad\":\"");
        while (b.length() < size - 3) {
            b.append('x');
        }
        return b.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
