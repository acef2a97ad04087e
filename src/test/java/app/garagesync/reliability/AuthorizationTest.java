package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.auth.TokenFile;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import app.garagesync.testing.ReliabilityReport;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token mode as an exposed daemon runs it, in a child process whose log is captured: one user's token
 * never reaches another user's data on any endpoint, tokens exist only as hashes on disk, CORS answers
 * only the configured origin, and no token or Authorization header shows up in a log line, an error
 * body or a response header.
 */
class AuthorizationTest {

    private static final String MARKER = "Alice-Only-Garage-7f3a";
    private static final String ALLOWED_ORIGIN = "https://garage.example";

    /** Every endpoint, as method, path and body (null: no body). */
    static final List<String[]> ENDPOINTS = List.of(
            new String[] {"GET", "/api/backup", null},
            new String[] {"GET", "/api/backup?version=1", null},
            new String[] {"GET", "/api/backup?version=2", null},
            new String[] {"GET", "/api/backup/versions", null},
            new String[] {"GET", "/api/export", null},
            new String[] {"GET", "/api/sync/status", null},
            new String[] {"GET", "/api/sync/settings", null},
            new String[] {"PUT", "/api/sync/settings", "{\"enabled\":false}"},
            new String[] {"POST", "/api/admin/verify", "{}"},
            new String[] {"PATCH", "/api/backup", "{\"baseVersion\":2,\"deletes\":{\"customers\":[\"c1\"]}}"},
            new String[] {"POST", "/api/backup", "{\"data\":{\"customers\":[{\"id\":\"mallory\"}]}}"},
            new String[] {"POST", "/api/import", "{\"data\":{\"customers\":[{\"id\":\"mallory2\"}]}}"},
            new String[] {"POST", "/api/backup", "{\"data\":"},
            new String[] {"GET", "/.netlify/functions/backup-data", null},
            new String[] {"GET", "/.netlify/functions/sync-data", null},
            new String[] {"POST", "/.netlify/functions/backup-data", "{\"data\":{\"x\":[{\"id\":1}]}}"});

    @Test
    void tokens_stay_secret_and_never_reach_another_users_data(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        Path tokens = data.resolve("tokens");
        String alice = new TokenFile(tokens).issue("alice");
        String bob = new TokenFile(tokens).issue("bob");
        String forged = "gs_" + "F".repeat(43);
        Path log = dir.resolve("daemon.log");
        int tried = 0;
        try (ChildDaemon daemon = ChildDaemon.start(data, log, "garagesync.auth.mode=token",
                "garagesync.auth.tokens-file=" + tokens, "garagesync.cors.allowed-origins=" + ALLOWED_ORIGIN,
                // the level the daemon ships with (the test classpath's logging is quieter)
                "org.slf4j.simpleLogger.defaultLogLevel=info")) {
            Http asAlice = daemon.http().with("Authorization", "Bearer " + alice);
            String doc = "{\"garage\":{\"name\":\"" + MARKER + "\"},\"data\":{\"customers\":[{\"id\":\"c1\",\"name\":\"" + MARKER + "\"}]}}";
            assertThat(asAlice.postJson("/api/backup", doc).status()).isEqualTo(201);
            assertThat(asAlice.postJson("/api/backup", doc.replace("c1", "c2")).status()).isEqualTo(201);
            String aliceVersions = asAlice.get("/api/backup/versions").body();

            // bob's token, alone and with header-mode impersonation, on every endpoint
            for (Http bobs : List.of(daemon.http().with("Authorization", "Bearer " + bob),
                    daemon.http().with("Authorization", "Bearer " + bob).as("alice"))) {
                for (String[] e : ENDPOINTS) {
                    Http.Response r = send(bobs, e);
                    tried++;
                    assertThat(r.body()).as("bob on %s %s", e[0], e[1]).doesNotContain(MARKER).doesNotContain(bob);
                    assertThat(r.status()).as("bob on %s %s", e[0], e[1]).isLessThan(500);
                    assertNoSecretIn(r, bob, alice);
                }
            }
            assertThat(asAlice.get("/api/backup/versions").body()).as("alice's versions after bob's calls").isEqualTo(aliceVersions);
            assertThat(asAlice.get("/api/backup").body()).isEqualTo(doc.replace("c1", "c2"));
            assertThat(asAlice.get("/api/sync/settings").body()).isEqualTo("{\"enabled\":false}");

            // no token, a forged one, a wrong scheme: 401 with a JSON body that repeats nothing
            for (String auth : new String[] {null, "Bearer " + forged, "Basic " + alice, "bearer", "Bearer " + alice + "x"}) {
                for (String[] e : ENDPOINTS) {
                    Http client = auth == null ? daemon.http() : daemon.http().with("Authorization", auth);
                    Http.Response r = send(client, e);
                    tried++;
                    assertThat(r.status()).as("%s on %s %s", auth, e[0], e[1]).isEqualTo(401);
                    assertThat(r.body()).startsWith("{\"error\":\"unauthorized\"").doesNotContain(MARKER);
                    assertNoSecretIn(r, forged, alice);
                }
            }

            // CORS: the configured origin only
            Http.Response allowed = preflight(daemon.http(), ALLOWED_ORIGIN);
            assertThat(allowed.header("Access-Control-Allow-Origin")).isEqualTo(ALLOWED_ORIGIN);
            for (String origin : new String[] {"https://evil.example", "null", "https://garage.example.evil.example",
                "http://garage.example", "https://GARAGE.example.com"}) {
                Http.Response denied = preflight(daemon.http(), origin);
                tried++;
                assertThat(denied.header("Access-Control-Allow-Origin")).as(origin).isNull();
                Http.Response simple = daemon.http().with("Origin", origin).with("Authorization", "Bearer " + alice).get("/api/backup");
                assertThat(simple.header("Access-Control-Allow-Origin")).as(origin).isNull();
                assertThat(simple.body()).as(origin).doesNotContain(MARKER);
            }
        }

        // tokens only hashed: no file the daemon wrote holds a token, in any form the client sent it
        try (Stream<Path> files = Files.walk(data)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(content).as(f.toString()).doesNotContain(alice).doesNotContain(bob);
            }
        }
        assertThat(Files.readString(tokens)).contains("alice ").contains("bob ");
        // the log: no token, no Authorization header value, nothing of alice's data
        String logText = Files.readString(log, StandardCharsets.UTF_8);
        assertThat(logText).isNotEmpty().doesNotContain(alice).doesNotContain(bob).doesNotContain(forged)
                .doesNotContainIgnoringCase("Bearer ").doesNotContain(MARKER);
        ReliabilityReport.line("security", "requests with another user's, forged or no token=" + tried,
                "log bytes scanned=" + logText.length());
    }

    private static Http.Response send(Http http, String[] e) {
        HttpRequest.Builder b = http.builder(e[1]);
        if (e[2] == null) {
            return http.send(b.method(e[0], HttpRequest.BodyPublishers.noBody()));
        }
        return http.send(b.header("Content-Type", "application/json").method(e[0], HttpRequest.BodyPublishers.ofString(e[2])));
    }

    private static Http.Response preflight(Http http, String origin) {
        return http.send(http.builder("/api/backup").header("Origin", origin).header("Access-Control-Request-Method", "POST")
                .header("Access-Control-Request-Headers", "authorization,content-type")
                .method("OPTIONS", HttpRequest.BodyPublishers.noBody()));
    }

    private static void assertNoSecretIn(Http.Response r, String... secrets) {
        String headers = r.raw().headers().map().toString();
        for (String secret : secrets) {
            assertThat(r.body()).doesNotContain(secret);
            assertThat(headers).doesNotContain(secret);
        }
        assertThat(headers.toLowerCase()).doesNotContain("authorization=");
    }
}
