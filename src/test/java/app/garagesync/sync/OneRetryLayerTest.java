package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.FaultyProxy;
import app.garagesync.testing.FaultyProxy.Mode;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.testing.S3Server;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retries at an s3 target come from one layer, Camel's redelivery policy: each try it counts is one
 * HTTP request, not one request plus the AWS SDK's own hidden retries. The proxy in front of the bucket
 * answers {@code 500 InternalError} (which the SDK retries by default) and closes each connection, so
 * its connection count is the number of requests the target received.
 */
class OneRetryLayerTest {

    private static final int MAX_ATTEMPTS = 3;

    @Test
    void each_try_at_an_s3_target_is_one_request_and_a_version_is_tried_max_attempts_times(@TempDir Path dir)
            throws Exception {
        try (S3Server s3 = new S3Server(dir.resolve("s3"));
             FaultyProxy proxy = new FaultyProxy("127.0.0.1", s3.port());
             RunningDaemon daemon = RunningDaemon.start(dir.resolve("data"), concat(
                     s3.targetProperties("offsite", proxy.endpoint(), "retries/"),
                     // only "sync now" syncs here: the count below is of one run
                     "garagesync.sync.interval", "1h",
                     "garagesync.sync.redelivery.max-attempts", Integer.toString(MAX_ATTEMPTS),
                     "garagesync.sync.redelivery.initial-delay", "10ms",
                     "garagesync.sync.redelivery.backoff-multiplier", "2",
                     "garagesync.sync.redelivery.max-delay", "50ms"))) {
            Http http = daemon.http().as("emil");
            proxy.mode(Mode.HTTP500);
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
            assertThat(http.postJson("/api/sync", "{}").status()).isLessThan(300);

            Path spool = daemon.dataDir().resolve("spool").resolve("offsite");
            await().atMost(Duration.ofSeconds(60)).until(() -> spooled(spool) == 1);

            long attempts = attempts(http.get("/api/metrics").body());
            long requests = proxy.connections(Mode.HTTP500);
            System.out.println("OneRetryLayerTest: " + attempts + " tries counted, " + requests + " requests received");
            assertThat(requests).as("HTTP requests the target received").isEqualTo(attempts);
            // the user's index read, then the version's object: each operation tried max-attempts times
            assertThat(attempts).as("tries counted").isEqualTo(2 * MAX_ATTEMPTS);
        }
    }

    private static long spooled(Path spool) throws Exception {
        if (!Files.isDirectory(spool)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(spool)) {
            return s.filter(p -> p.toString().endsWith(".zip")).count();
        }
    }

    private static long attempts(String metrics) {
        for (String line : metrics.split("\n")) {
            if (line.startsWith("garagesync_sync_attempts_total{") && line.contains("target=\"offsite\"")) {
                return (long) Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no garagesync_sync_attempts_total for offsite in /api/metrics");
    }

    private static String[] concat(String[] a, String... b) {
        return Stream.concat(Stream.of(a), Stream.of(b)).toArray(String[]::new);
    }
}
