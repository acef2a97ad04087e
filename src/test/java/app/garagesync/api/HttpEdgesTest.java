package app.garagesync.api;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.Json;
import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CORS for configured origins only, JSON answers for unknown paths and methods, and a clean stop on SIGTERM. */
class HttpEdgesTest {

    @Test
    void cors_answers_configured_origins_only(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.cors.allowed-origins",
                "https://garage.example, http://localhost:5173")) {
            Http http = daemon.http();
            Http.Response preflight = http.send(http.builder("/api/backup").header("Origin", "https://garage.example")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type,x-user-id")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertThat(preflight.status()).isBetween(200, 204);
            assertThat(preflight.header("Access-Control-Allow-Origin")).isEqualTo("https://garage.example");
            assertThat(preflight.header("Access-Control-Allow-Methods")).contains("POST");
            assertThat(preflight.header("Access-Control-Allow-Headers").toLowerCase()).contains("x-user-id");

            Http.Response simple = http.with("Origin", "http://localhost:5173").get("/api/sync/status");
            assertThat(simple.header("Access-Control-Allow-Origin")).isEqualTo("http://localhost:5173");

            Http.Response evil = http.with("Origin", "https://evil.example").get("/api/sync/status");
            assertThat(evil.header("Access-Control-Allow-Origin")).isNull();
        }
    }

    @Test
    void cors_lets_an_app_on_another_origin_send_if_match_and_read_the_etag(@TempDir Path dir) {
        // the garage app merges by sending If-Match with the version it read from ETag (docs/devices.md); a
        // browser on another origin sends neither unless the preflight allows the one and exposes the other
        try (RunningDaemon daemon = RunningDaemon.start(dir, "garagesync.cors.allowed-origins", "https://garage.example")) {
            Http http = daemon.http();
            Http.Response preflight = http.send(http.builder("/api/backup").header("Origin", "https://garage.example")
                    .header("Access-Control-Request-Method", "POST")
                    .header("Access-Control-Request-Headers", "content-type,if-match")
                    .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
            assertThat(preflight.header("Access-Control-Allow-Headers").toLowerCase()).contains("if-match");
            assertThat(http.postJson("/api/backup", app.garagesync.testing.Backups.small(1)).status()).isEqualTo(201);
            Http.Response read = http.with("Origin", "https://garage.example").get("/api/backup");
            assertThat(read.header("Access-Control-Expose-Headers").toLowerCase()).contains("etag");
        }
    }

    @Test
    void unknown_paths_get_a_json_404_and_wrong_methods_a_json_405_with_allow(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http();
            String[][] notFound = {{"GET", "/api/nope"}, {"POST", "/api/nope/deeper"}, {"GET", "/.netlify/functions/nope"},
                {"DELETE", "/nothing/here"}};
            for (String[] call : notFound) {
                Http.Response r = http.send(http.builder(call[1]).method(call[0], HttpRequest.BodyPublishers.noBody()));
                assertJsonError(call[0] + " " + call[1], r, 404, "not_found");
            }
            String[][] wrongMethod = {{"DELETE", "/api/backup", "GET"}, {"PUT", "/api/health", "GET"},
                {"POST", "/api/sync/status", "GET"}, {"PATCH", "/api/import", "POST"}};
            for (String[] call : wrongMethod) {
                Http.Response r = http.send(http.builder(call[1]).header("Content-Type", "application/json")
                        .method(call[0], HttpRequest.BodyPublishers.ofString("{}")));
                assertJsonError(call[0] + " " + call[1], r, 405, "method_not_allowed");
                assertThat(r.header("Allow")).as(call[0] + " " + call[1]).isNotNull().contains(call[2]).doesNotContain(call[0]);
            }
            // HEAD gets the status without a body, as HTTP wants
            Http.Response head = http.send(http.builder("/api/nope").method("HEAD", HttpRequest.BodyPublishers.noBody()));
            assertThat(head.status()).isEqualTo(404);
            assertThat(head.bytes()).isEmpty();
            // the routes themselves still answer
            assertThat(http.get("/api/health").status()).isEqualTo(200);
            assertThat(http.get("/").status()).isEqualTo(200);
        }
    }

    private static void assertJsonError(String call, Http.Response r, int status, String code) throws Exception {
        assertThat(r.status()).as(call).isEqualTo(status);
        assertThat(r.header("Content-Type")).as(call).startsWith("application/json");
        Map<String, Object> body = Json.readMap(r.bytes());
        assertThat(body).as(call).containsEntry("error", code).containsKey("message");
        assertThat(((Number) body.get("status")).intValue()).as(call).isEqualTo(status);
    }

    @Test
    void cors_is_off_by_default(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http.Response r = daemon.http().with("Origin", "https://garage.example").get("/api/sync/status");
            assertThat(r.status()).isEqualTo(200);
            assertThat(r.header("Access-Control-Allow-Origin")).isNull();
        }
    }

    @Test
    void sigterm_finishes_the_backup_in_flight_then_exits(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("daemon.log");
        ChildDaemon child = ChildDaemon.start(dir.resolve("data"), log);
        Http http = child.http().as("term");
        // a large backup keeps the request busy while the signal arrives
        StringBuilder big = new StringBuilder("{\"data\":{\"notes\":[");
        for (int i = 0; i < 200_000; i++) {
            big.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"t\":\"réparation ").append(i).append("\"}");
        }
        big.append("]}}");
        byte[] body = big.toString().getBytes(StandardCharsets.UTF_8);
        CompletableFuture<HttpResponse<String>> inFlight = java.net.http.HttpClient.newHttpClient().sendAsync(
                http.builder("/api/backup").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.ofString());
        child.process().destroy(); // SIGTERM
        assertThat(child.process().waitFor(40, TimeUnit.SECONDS)).isTrue();
        String output = Files.readString(log);
        assertThat(output).contains("garage-sync stopped cleanly");
        try {
            HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
            if (r.statusCode() == 201) {
                // acknowledged, so it must be there after a restart
                ChildDaemon again = ChildDaemon.start(dir.resolve("data"), log);
                try {
                    assertThat(again.http().as("term").get("/api/backup").bytes()).isEqualTo(body);
                } finally {
                    again.close();
                }
            }
        } catch (java.util.concurrent.ExecutionException refusedBeforeAccepted) {
            // the server stopped accepting before this request arrived: nothing was acknowledged
        }
    }
}
