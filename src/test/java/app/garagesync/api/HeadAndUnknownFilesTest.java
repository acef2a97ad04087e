package app.garagesync.api;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.Json;
import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** HEAD answers like GET without a body on every GET endpoint; a missing console file is a JSON 404. */
class HeadAndUnknownFilesTest {

    private static final HttpClient HTTP_1_1 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @Test
    void head_answers_like_get_without_a_body(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http();
            Http.Response none = head(http, "/api/backup");
            assertThat(none.status()).isEqualTo(http.get("/api/backup").status()).isEqualTo(404);
            assertThat(none.bytes()).isEmpty();

            assertThat(http.postJson("/api/backup", Backups.small(3)).status()).isEqualTo(201);
            for (String path : new String[] {"/api/backup", "/api/backup?version=1", "/api/backup/versions", "/api/export",
                "/api/health", "/api/metrics", "/api/sync/status", "/.netlify/functions/backup-data", "/"}) {
                Http.Response get = http.get(path);
                Http.Response head = head(http, path);
                assertThat(head.status()).as("HEAD " + path).isEqualTo(get.status()).isEqualTo(200);
                assertThat(head.bytes()).as("HEAD " + path).isEmpty();
                assertThat(head.header("Content-Type")).as("HEAD " + path).isEqualTo(get.header("Content-Type"));
            }
            // only GET endpoints: a POST-only path still says which methods it takes
            Http.Response importHead = head(http, "/api/import");
            assertThat(importHead.status()).isEqualTo(405);
            assertThat(importHead.header("Allow")).contains("POST");
        }
    }

    @Test
    void an_unknown_console_file_is_a_json_404(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            for (String path : new String[] {"/nope.json", "/nope.js", "/nope", "/.hidden"}) {
                Http.Response r = daemon.http().get(path);
                assertThat(r.status()).as(path).isEqualTo(404);
                assertThat(r.header("Content-Type")).as(path).startsWith("application/json");
                Map<String, Object> body = Json.readMap(r.bytes());
                assertThat(body).as(path).containsEntry("error", "not_found").containsKey("message");
                assertThat(((Number) body.get("status")).intValue()).as(path).isEqualTo(404);
            }
        }
    }

    /**
     * Over HTTP/1.1, as curl -I, browsers and monitors send it. (Java's client would otherwise upgrade to
     * h2c, where Vert.x 4.5 sends a HEAD answer's body anyway, on Camel's own GET,HEAD routes too.)
     */
    private static Http.Response head(Http http, String path) {
        try {
            HttpRequest request = http.builder(path).method("HEAD", HttpRequest.BodyPublishers.noBody()).build();
            return new Http.Response(HTTP_1_1.send(request, HttpResponse.BodyHandlers.ofByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
