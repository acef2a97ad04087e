package app.garagesync.edge;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups of several megabytes go out in pieces straight from the buffers a version was rebuilt from
 * (a checkpoint and its deltas): what arrives must be the exact bytes, whatever the piece boundaries,
 * and a client that stops reading must not hold anything for long.
 */
class LargeReadTest {

    @TempDir
    Path dir;

    @Test
    void versions_rebuilt_from_a_checkpoint_and_its_deltas_arrive_exactly_after_a_restart() throws Exception {
        Random r = new Random(42);
        EditableBackup.Doc doc = EditableBackup.initial(r, 5_000);
        List<byte[]> posted = new ArrayList<>();
        try (RunningDaemon d = RunningDaemon.start(dir)) {
            Http http = d.http().as("atelier");
            for (int v = 0; v < 4; v++) {
                dayOfWork(doc, r);
                byte[] body = doc.bytes();
                posted.add(body);
                assertThat(http.postBytes("/api/backup", "application/json", body).status()).isEqualTo(201);
            }
            assertThat(posted.get(3).length).isGreaterThan(2 * 1024 * 1024);
        }
        // a new daemon has nothing cached: each read rebuilds from the checkpoint, in many slices
        try (RunningDaemon d = RunningDaemon.start(dir)) {
            Http http = d.http().as("atelier");
            for (int v = 1; v <= 4; v++) {
                Http.Response got = http.get("/api/backup?version=" + v);
                assertThat(got.status()).isEqualTo(200);
                assertThat(got.header("Content-Length")).isEqualTo(Integer.toString(posted.get(v - 1).length));
                assertThat(got.header("X-Garage-Sync-Version")).isEqualTo(Integer.toString(v));
                assertThat(got.bytes()).isEqualTo(posted.get(v - 1));
            }
            Http.Response latest = http.get("/api/export");
            assertThat(latest.status()).isEqualTo(200);
            assertThat(latest.header("Content-Disposition")).startsWith("attachment; filename=\"garage-backup-");
            assertThat(latest.bytes()).isEqualTo(posted.get(3));
            // the count follows the last write's completion, which the client may see the bytes of first
            await().atMost(Duration.ofSeconds(10)).until(() -> d.http().get("/api/metrics").body()
                    .contains("garagesync_backups_sent_total{outcome=\"sent\"} 5.0"));
        }
    }

    @Test
    void a_client_that_stops_reading_is_cut_off_while_others_are_served() throws Exception {
        try (RunningDaemon d = RunningDaemon.start(dir, "garagesync.http.send-stall-timeout", "1s")) {
            Http http = d.http().as("atelier");
            byte[] big = EditableBackup.initial(new Random(7), 30_000).bytes();
            assertThat(http.postBytes("/api/backup", "application/json", big).status()).isEqualTo(201);

            long received;
            try (Socket stalled = new Socket()) {
                // a small window: the kernel buffers fill long before the backup is through
                stalled.setReceiveBufferSize(4096);
                stalled.connect(new InetSocketAddress("127.0.0.1", d.port()));
                OutputStream out = stalled.getOutputStream();
                out.write(("GET /api/backup HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User-Id: atelier\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                out.flush();
                // while it reads nothing, another client gets the same backup whole
                assertThat(http.get("/api/backup").bytes()).isEqualTo(big);
                await().atMost(Duration.ofSeconds(30)).until(() -> d.http().get("/api/metrics").body()
                        .contains("garagesync_backups_sent_total{outcome=\"cut_off\"} 1.0"));
                received = drain(stalled.getInputStream());
            }
            // it got the headers and part of the body, never all of it
            assertThat(received).isLessThan(big.length);
            assertThat(http.get("/api/backup").bytes()).isEqualTo(big);
        }
    }

    /**
     * A download keeps its thread until the client has taken the last byte. With one thread for
     * downloads and one for everything else, a client that stops reading must still leave backups and
     * status answered at once, and a second download is refused with 503 rather than queued behind it.
     */
    @Test
    void a_stalled_download_never_holds_up_backups_or_status() throws Exception {
        try (RunningDaemon d = RunningDaemon.start(dir, "garagesync.http.send-stall-timeout", "120s",
                "camel.threadpool.config[io].poolSize", "1", "camel.threadpool.config[io].maxPoolSize", "1",
                "camel.threadpool.config[downloads].poolSize", "1", "camel.threadpool.config[downloads].maxPoolSize", "1",
                "camel.threadpool.config[downloads].maxQueueSize", "0")) {
            Http http = d.http().as("atelier");
            Random r = new Random(11);
            EditableBackup.Doc doc = EditableBackup.initial(r, 30_000);
            assertThat(http.postBytes("/api/backup", "application/json", doc.bytes()).status()).isEqualTo(201);

            try (Socket stalled = new Socket()) {
                stalled.setReceiveBufferSize(4096);
                stalled.connect(new InetSocketAddress("127.0.0.1", d.port()));
                stalled.getOutputStream().write(("GET /api/backup HTTP/1.1\r\nHost: 127.0.0.1\r\nX-User-Id: atelier\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                // its status line came: the download thread is sending, and will wait for this reader
                assertThat(stalled.getInputStream().read(new byte[64])).isPositive();

                dayOfWork(doc, r);
                byte[] next = doc.bytes();
                assertThat(http.postBytes("/api/backup", "application/json", next).status()).isEqualTo(201);
                assertThat(http.get("/api/sync/status").status()).isEqualTo(200);
                // answered while the stalled download still held its thread: nothing was cut off yet
                assertThat(d.http().get("/api/metrics").body()).doesNotContain("outcome=\"cut_off\"} 1.0")
                        .doesNotContain("outcome=\"client_gone\"} 1.0");
                Http.Response busy = http.get("/api/backup");
                assertThat(busy.status()).isEqualTo(503);
                assertThat(busy.header("Retry-After")).isEqualTo("5");
                assertThat(busy.body()).contains("\"error\":\"busy\"");
            }
            // the stalled client left: its thread comes back, and the newest version is served whole
            await().atMost(Duration.ofSeconds(30)).until(() -> d.http().get("/api/metrics").body()
                    .contains("garagesync_backups_sent_total{outcome=\"client_gone\"} 1.0"));
            assertThat(http.get("/api/backup").bytes()).isEqualTo(doc.bytes());
        }
    }

    /** Entity edits only (EditableBackup.edit also drops whole collections): changes, additions, removals. */
    private static void dayOfWork(EditableBackup.Doc doc, Random r) {
        for (List<String> c : doc.collections.values()) {
            for (int e = 0; e < 60 && !c.isEmpty(); e++) {
                int i = r.nextInt(c.size());
                switch (e % 3) {
                    case 0 -> c.set(i, c.get(i).replaceFirst("\"total\":\\d+", "\"total\":" + r.nextInt(99999)));
                    case 1 -> c.add(i, EditableBackup.entity("day-" + r.nextInt(1_000_000), r));
                    default -> c.remove(i);
                }
            }
        }
    }

    /** Bytes until the end of the stream or a reset, whichever the cut-off left. */
    private static long drain(InputStream in) {
        long n = 0;
        byte[] b = new byte[65536];
        try {
            for (int k; (k = in.read(b)) > 0; ) {
                n += k;
            }
        } catch (IOException reset) {
            // the server reset the connection: what came before it counts
        }
        return n;
    }
}
