package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator examples, loaded as an operator would load them: examples/routes/ as the routes folder,
 * examples/sync/second-s3-target.properties as configuration (its endpoint and keys pointed at a local
 * S3 server). One daemon pulls the app's data from a URL, pushes it to both buckets, and tells the chat
 * when S3 goes down.
 */
class ExamplesTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path base;
    S3Target s3;
    HttpServer web;
    final List<String> chat = new CopyOnWriteArrayList<>();
    final List<String> notices = new CopyOnWriteArrayList<>();
    RunningDaemon daemon;

    @BeforeEach
    void start() throws Exception {
        s3 = new S3Target(base);
        s3.createBucket("garage-archive");
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/app/export.json", x -> {
            byte[] b = Backups.small(7).getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, b.length);
            x.getResponseBody().write(b);
            x.close();
        });
        web.createContext("/hooks/chat", x -> {
            try (InputStream in = x.getRequestBody()) {
                chat.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        web.createContext("/hooks/notify", x -> {
            try (InputStream in = x.getRequestBody()) {
                notices.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        web.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (daemon != null) {
            daemon.close();
        }
        web.stop(0);
        s3.close();
    }

    @Test
    void should_pull_from_a_url_push_to_two_buckets_and_tell_the_chat_on_failure() throws Exception {
        String webBase = "http://127.0.0.1:" + web.getAddress().getPort();
        List<String> p = new ArrayList<>(List.of(
                "garagesync.routes-dir", Path.of("examples/routes").toAbsolutePath().toString(),
                "example.pull.url", webBase + "/app/export.json",
                "example.pull.user", "atelier",
                "example.pull.period", "300",
                "example.chat.webhook-url", webBase + "/hooks/chat",
                "garagesync.notify.webhook-url", webBase + "/hooks/notify",
                "garagesync.sync.default-enabled", "true",
                "garagesync.sync.interval", "200",
                "garagesync.sync.redelivery.max-attempts", "2",
                "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.backoff-multiplier", "1",
                "garagesync.sync.redelivery.max-delay", "10ms"));
        p.addAll(List.of(s3.properties("offsite")));
        Properties archive = new Properties();
        try (InputStream in = Files.newInputStream(Path.of("examples/sync/second-s3-target.properties"))) {
            archive.load(in);
        }
        // the example as written, except where it names the real provider and the environment's keys
        archive.setProperty("garagesync.target.archive.endpoint", s3.endpoint());
        archive.setProperty("garagesync.target.archive.region", "us-east-1");
        archive.setProperty("garagesync.target.archive.access-key", S3Target.ACCESS);
        archive.setProperty("garagesync.target.archive.secret-key", S3Target.SECRET);
        archive.forEach((k, v) -> {
            p.add((String) k);
            p.add((String) v);
        });
        daemon = RunningDaemon.start(base.resolve("data"), p.toArray(String[]::new));
        Http http = daemon.http().as("atelier");

        await().atMost(WAIT).until(() -> http.get("/api/backup").status() == 200);
        assertThat(http.get("/api/backup").body()).isEqualTo(Backups.small(7));
        byte[] expected = Backups.small(7).getBytes(StandardCharsets.UTF_8);
        String first = RemoteLayout.objectKey("atelier", 1, 0);
        await().atMost(WAIT).until(() -> SyncContract.listed(s3, "atelier").contains(1L)
                && s3.readObject("garage-archive", "garage-dupre/" + RemoteLayout.indexKey("atelier")) != null);
        assertThat(SyncContract.rebuilt(s3, "atelier", 1)).isEqualTo(expected);
        // both targets hold the same object: version 1 as the store keeps it
        assertThat(s3.readObject("garage-archive", "garage-dupre/" + first)).isEqualTo(s3.read(first));
        assertThat(http.get("/api/backup/versions").body()).doesNotContain("\"id\":2");

        s3.breakIt();
        assertThat(http.postJson("/api/backup", Backups.small(8)).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> chat.stream().anyMatch(m -> m.contains("\"event\":\"failing\"")));
        assertThat(chat).allMatch(m -> m.contains("\"text\":\"garage-sync: target "));
        s3.repair();
        await().atMost(WAIT).until(() -> SyncContract.status(http).get("error") == null
                && SyncContract.listed(s3, "atelier").contains(2L));
        assertThat(chat).noneMatch(m -> m.contains("\"event\":\"recovered\""));
        // the built-in webhook is told of both
        await().atMost(WAIT).until(() -> notices.stream().anyMatch(m -> m.contains("\"event\":\"recovered\"")));
        assertThat(notices).anyMatch(m -> m.contains("\"event\":\"failing\""));
    }
}
