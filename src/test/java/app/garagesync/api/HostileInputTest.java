package app.garagesync.api;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hundreds of malformed and hostile requests: each gets a 4xx (or is a valid backup), never a 5xx. */
class HostileInputTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension("garagesync.max-backup-size", "1MB");

    @Test
    void every_truncation_of_a_backup_is_refused_and_stores_nothing() {
        Http http = daemon.http().as("truncated");
        byte[] valid = Backups.small(1).getBytes(StandardCharsets.UTF_8);
        int tried = 0;
        for (int cut = 0; cut < valid.length; cut++) {
            byte[] body = java.util.Arrays.copyOf(valid, cut);
            Http.Response r = http.postBytes("/api/backup", "application/json", body);
            assertThat(r.status()).as("cut at %d: %s", cut, r).isEqualTo(400);
            assertThat(r.body()).startsWith("{\"error\":\"invalid_backup\"");
            tried++;
        }
        assertThat(tried).isGreaterThan(300);
        assertThat(http.get("/api/backup").status()).isEqualTo(404);
    }

    @Test
    void random_byte_mutations_never_get_a_5xx_and_refusals_store_nothing() {
        Http http = daemon.http().as("mutated");
        byte[] valid = Backups.small(2).getBytes(StandardCharsets.UTF_8);
        byte[] nasty = {0, '"', '{', '}', '[', ']', ',', ':', '\\', (byte) 0xC3, (byte) 0xFF, (byte) 0x80, '\n', '-', 'e'};
        Random random = new Random(42);
        int stored = 0;
        for (int i = 0; i < 400; i++) {
            byte[] body = valid.clone();
            for (int k = 0; k <= random.nextInt(3); k++) {
                body[random.nextInt(body.length)] = nasty[random.nextInt(nasty.length)];
            }
            int before = versions(http);
            Http.Response r = http.postBytes("/api/backup", "application/json", body);
            assertThat(r.status()).as("mutation %d: %s", i, r).isIn(200, 201, 400);
            if (r.status() == 400) {
                assertThat(versions(http)).isEqualTo(before);
            } else if (r.status() == 201) {
                stored++;
                assertThat(http.get("/api/backup").bytes()).isEqualTo(body);
            }
        }
        // most mutations break the document; some (inside a string) leave it valid and are stored exactly
        assertThat(stored).isLessThan(400);
    }

    @Test
    void hostile_values_are_refused_or_kept_exactly() {
        Http http = daemon.http().as("values");
        String[] bodies = {
            "{\"data\":{\"c\":[{\"id\":1" + ",\"n\":1".repeat(1) + ",\"n\":2}]}}",
            "{\"data\":{\"c\":[{\"id\":" + "9".repeat(2000) + "}]}}",
            "{\"data\":{\"c\":[{\"id\":1,\"x\":" + "9".repeat(1001) + "}]}}",
            "{\"data\":{\"c\":[{\"id\":\"" + "x".repeat(2_000_000) + "\"}]}}",
            "{\"data\":{\"c\":[{\"id\":1,\"x\":NaN}]}}",
            "{\"data\":{\"c\":[{\"id\":1,\"x\":Infinity}]}}",
            "{'data':{}}",
            "{\"data\":{}}\u0000",
            "\uFEFF{\"data\":{}}",
            "{\"data\":{\"c\":[{\"id\":1,\"x\":\"\\ud800\"}]}}",
            "{\"data\":{\"c\":[{\"id\":1,\"x\":\"\\u00\"}]}}",
            "{\"data\":{\"c\":[{\"id\":1,\"x\":\"tab\there\"}]}}",
            "{\"data\":{\"c\":[{\"id\":\"../../etc/passwd\"}]}}",
            "{\"data\":{\"../x\":[{\"id\":1}]}}",
        };
        for (String body : bodies) {
            Http.Response r = http.postBytes("/api/backup", "application/json", body.getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).as(body.length() > 80 ? body.substring(0, 80) : body).isIn(200, 201, 400, 413);
            if (r.status() == 201) {
                assertThat(http.get("/api/backup").body()).isEqualTo(body);
            }
        }
    }

    @Test
    void a_lying_content_length_is_refused_without_storing() throws Exception {
        try (Socket s = new Socket("127.0.0.1", daemon.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            String body = "{\"data\":{}}";
            out.write(("POST /api/backup HTTP/1.1\r\nHost: x\r\nX-User-Id: liar\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 5000000\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = s.getInputStream();
            String status = new String(in.readNBytes(12), StandardCharsets.UTF_8);
            assertThat(status).isEqualTo("HTTP/1.1 413");
        }
        try (Socket s = new Socket("127.0.0.1", daemon.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /api/backup HTTP/1.1\r\nHost: x\r\nX-User-Id: liar\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 100\r\n\r\n{\"data\":{}}").getBytes(StandardCharsets.UTF_8));
            out.flush();
            s.shutdownOutput(); // fewer bytes than announced, then the end of the stream
            byte[] answer = s.getInputStream().readAllBytes();
            String text = new String(answer, StandardCharsets.UTF_8);
            assertThat(text.isEmpty() || text.startsWith("HTTP/1.1 4")).as(text).isTrue();
        }
        assertThat(daemon.http().as("liar").get("/api/backup").status()).isEqualTo(404);
    }

    private static int versions(Http http) {
        String body = http.get("/api/backup/versions").body();
        return body.split("\"id\":", -1).length - 1;
    }
}
