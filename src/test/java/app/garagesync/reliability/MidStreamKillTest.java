package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.DurableFiles;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import app.garagesync.testing.ReliabilityReport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * kill -9 while a big backup is still arriving (being validated as it comes in, see EarlyValidation): after
 * the restart the user's latest is exactly the backup acknowledged before, no temporary file is left, verify
 * is clean, and a backup sent whole is then stored. Rounds: -Dgaragesync.crash.rounds (a sixth of them, at
 * least one: 20 in the reliability profile); seed: -Dgaragesync.crash.seed.
 */
class MidStreamKillTest {

    private static final int MB = 1024 * 1024;

    @Test
    void a_kill_mid_body_leaves_nothing_behind_and_loses_nothing(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir)
            throws Exception {
        int rounds = Math.max(1, Integer.getInteger("garagesync.crash.rounds", 6) / 6);
        long seed = Long.getLong("garagesync.crash.seed", System.nanoTime());
        System.out.println("MidStreamKillTest seed " + seed + ", data in " + dir);
        Random random = new Random(seed);
        Path data = dir.resolve("data");
        Path log = dir.resolve("daemon.log");
        byte[] acknowledged = null;
        for (int round = 0; round < rounds; round++) {
            byte[] next = garage(MB + random.nextInt(3 * MB), round);
            try (ChildDaemon child = ChildDaemon.start(data, log)) {
                Http http = child.http().as("streamer");
                check(http, data, acknowledged);
                // the one sent whole and acknowledged: it must survive the kill below
                Http.Response stored = http.postBytes("/api/backup", "application/json", next);
                assertThat(stored.status()).as(stored.toString()).isEqualTo(201);
                acknowledged = next;
                byte[] cut = garage(2 * MB + random.nextInt(3 * MB), round + 1000);
                int sent = 1 + random.nextInt(cut.length - 1);
                try (Socket s = new Socket("127.0.0.1", child.port())) {
                    OutputStream out = s.getOutputStream();
                    out.write(("POST /api/backup HTTP/1.1\r\nHost: x\r\nX-User-Id: streamer\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + cut.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.write(cut, 0, sent);
                    out.flush();
                    child.kill();
                }
            }
        }
        try (ChildDaemon last = ChildDaemon.start(data, log)) {
            Http http = last.http().as("streamer");
            check(http, data, acknowledged);
            byte[] whole = garage(2 * MB, 4242);
            assertThat(http.postBytes("/api/backup", "application/json", whole).status()).isEqualTo(201);
            assertThat(http.get("/api/backup").bytes()).isEqualTo(whole);
        }
        ReliabilityReport.line("kill -9 mid-stream", "seed=" + seed, "kills while a body arrived=" + rounds);
    }

    /** The latest is the acknowledged backup byte for byte, verify is clean, and no temporary file is left. */
    private static void check(Http http, Path data, byte[] acknowledged) throws IOException {
        if (acknowledged == null) {
            return;
        }
        assertThat(http.get("/api/backup").bytes()).isEqualTo(acknowledged);
        assertThat(http.postJson("/api/admin/verify", "{}").body()).startsWith("{\"ok\":true");
        try (Stream<Path> all = Files.walk(data)) {
            List<Path> temp = all.filter(p -> p.getFileName().toString().startsWith(DurableFiles.TEMP_PREFIX)).toList();
            assertThat(temp).isEmpty();
        }
    }

    /** A valid backup of about {@code size} bytes, different for each {@code variant}. */
    private static byte[] garage(int size, int variant) {
        StringBuilder b = new StringBuilder(size + 256).append("{\"timestamp\":\"2026-12-01T08:00:00.000Z\",\"data\":{\"customers\":[");
        for (int i = 0; b.length() < size; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i).append("\",\"name\":\"Client ").append(i)
                    .append(" v").append(variant).append("\",\"city\":\"Besançon\"}");
        }
        return b.append("]}}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
