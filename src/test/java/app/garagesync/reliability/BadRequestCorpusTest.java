package app.garagesync.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.reliability.BadRequestCorpus.Bad;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.EditableBackup;
import app.garagesync.testing.Http;
import app.garagesync.testing.ReliabilityReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A corpus of malformed and hostile requests on every endpoint: each gets a 4xx with a JSON error body,
 * and the data directory is byte for byte what it was before. Complements HostileInputTest (truncations
 * and byte mutations of POST /api/backup) with the other endpoints, content types, methods, user ids,
 * query parameters and raw-socket framing. Extra random breakages: -Dgaragesync.badinput.mutations.
 */
class BadRequestCorpusTest {

    /** Endpoints that take a backup document. */
    static final List<String> BACKUP_WRITES = List.of("POST /api/backup", "POST /api/import",
            "POST /.netlify/functions/backup-data");
    static final List<String> USER_READS = List.of("/api/backup", "/api/backup/versions", "/api/export",
            "/api/sync/status", "/api/sync/settings", "/.netlify/functions/backup-data", "/.netlify/functions/sync-data");

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension("garagesync.max-backup-size", "1MB");
    static long base;
    static int tried;

    @BeforeAll
    static void start() {
        Http.Response first = daemon.http().as("victim").postBytes("/api/backup", "application/json",
                EditableBackup.initial(new Random(1), 5).bytes());
        assertThat(first.status()).isEqualTo(201);
        base = 1;
    }

    @AfterAll
    static void stop() {
        ReliabilityReport.line("bad input corpus", "bad inputs tried=" + tried);
    }

    @Test
    void every_malformed_body_on_every_write_endpoint_gets_a_4xx_and_stores_nothing() {
        Http http = daemon.http().as("victim");
        for (Bad bad : BadRequestCorpus.bodies()) {
            for (String endpoint : BACKUP_WRITES) {
                String[] mp = endpoint.split(" ");
                refused(endpoint + ": " + bad.why(), () -> http.postBytes(mp[1], "application/json", bad.body()));
            }
            refused("PATCH: " + bad.why(), () -> patch(http, "application/json", bad.body()));
        }
        for (Bad bad : BadRequestCorpus.changeSets(base)) {
            refused("PATCH: " + bad.why(), () -> patch(http, "application/json", bad.body()));
        }
    }

    @Test
    void sync_settings_refuse_anything_but_a_boolean_switch() {
        Http http = daemon.http().as("victim");
        String[] bodies = {"{\"enabled\":\"yes\"}", "{\"enabled\":1}", "{\"enabled\":null}", "{}", "[]", "true",
            "{\"enabled\":true", "", "{\"enabled\":true,\"x\":\"" + "a".repeat(5000) + "\"}"};
        for (String body : bodies) {
            refused("PUT /api/sync/settings " + abbreviate(body), () -> http.putJson("/api/sync/settings", body));
        }
        for (Bad bad : BadRequestCorpus.bodies().subList(50, BadRequestCorpus.bodies().size())) {
            refused("PUT /api/sync/settings: " + bad.why(), () -> http.send(http.builder("/api/sync/settings")
                    .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(bad.body()))));
        }
    }

    @Test
    void wrong_content_types_get_415() {
        Http http = daemon.http().as("victim");
        byte[] valid = EditableBackup.initial(new Random(2), 3).bytes();
        String[] types = {null, "text/plain", "application/xml", "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded", "application/json; charset=iso-8859-1", "application/jsonp", "*/*"};
        for (String type : types) {
            for (String endpoint : BACKUP_WRITES) {
                String path = endpoint.split(" ")[1];
                refused(endpoint + " as " + type, () -> http.postBytes(path, type, valid));
            }
            refused("PATCH as " + type, () -> patch(http, type, ("{\"baseVersion\":" + base + "}").getBytes(StandardCharsets.UTF_8)));
            refused("PUT settings as " + type, () -> http.send(contentType(http.builder("/api/sync/settings"), type)
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"enabled\":true}"))));
        }
    }

    @Test
    void path_like_and_malformed_user_ids_are_refused_on_every_endpoint() {
        String[] users = {"..", "../victim", "a/b", "a\\b", ".hidden", "-dash", "x".repeat(65), "é", "a b", "%2e%2e",
            "victim/../victim", "CON/..", "~root"};
        for (String user : users) {
            Http http = daemon.http().as(user);
            for (String path : USER_READS) {
                refused("GET " + path + " as '" + abbreviate(user) + "'", () -> http.get(path));
            }
            refused("POST /api/backup as '" + abbreviate(user) + "'", () -> http.postJson("/api/backup", "{\"data\":{}}"));
            refused("PUT settings as '" + abbreviate(user) + "'", () -> http.putJson("/api/sync/settings", "{\"enabled\":true}"));
        }
    }

    @Test
    void bad_version_parameters_get_400_or_404() {
        Http http = daemon.http().as("victim");
        String[] versions = {"abc", "..%2F1", "1%2F..%2F..", "-1", "0", "1.5", "0x10", "1e3", "99999999999999999999",
            "%00", "1&version=2", "%E2%80%AE1", "9999"};
        for (String v : versions) {
            refused("GET /api/backup?version=" + v, () -> http.get("/api/backup?version=" + v));
            refused("GET seed ?version=" + v, () -> http.get("/.netlify/functions/backup-data?version=" + v));
        }
    }

    @Test
    void methods_and_paths_nothing_serves_get_a_4xx() {
        Http http = daemon.http().as("victim");
        String[][] calls = {{"DELETE", "/api/backup"}, {"PUT", "/api/backup"}, {"POST", "/api/backup/versions"},
            {"DELETE", "/api/backup/versions"}, {"POST", "/api/export"}, {"PATCH", "/api/import"}, {"GET", "/api/import"},
            {"DELETE", "/api/sync/settings"}, {"POST", "/api/sync/status"}, {"PUT", "/api/admin/verify"},
            {"DELETE", "/.netlify/functions/backup-data"}, {"PUT", "/.netlify/functions/sync-data"},
            {"GET", "/api/../data/users/victim/versions/0000000001.gsv"}, {"GET", "/api/nothing-here"}};
        for (String[] call : calls) {
            // 404 and 405 are decided by the HTTP server's router before any route runs; the body is our JSON all the same
            refused(call[0] + " " + call[1], () -> http.send(http.builder(call[1]).header("Content-Type", "application/json")
                    .method(call[0], HttpRequest.BodyPublishers.ofString("{\"data\":{}}"))));
        }
    }

    @Test
    void oversize_and_lying_content_lengths_are_refused_on_every_write_endpoint() {
        String[] targets = {"POST /api/backup", "POST /api/import", "POST /.netlify/functions/backup-data",
            "PATCH /api/backup", "PUT /api/sync/settings"};
        for (String target : targets) {
            // announced over the limit: refused before the body is read
            rawRefused(target + " announcing 5 MB", target, "Content-Length: 5000000", "{\"data\":{}}", false);
            // announced more than is sent, then the end of the stream
            rawRefused(target + " sending less than announced", target, "Content-Length: 100", "{\"data\":{}}", true);
            // a body over the limit for real
            String big = "{\"data\":{\"c\":[{\"id\":\"" + "x".repeat(1_100_000) + "\"}]}}";
            refused(target + " with 1.1 MB", () -> daemon.http().as("victim").send(daemon.http().as("victim")
                    .builder(target.split(" ")[1]).header("Content-Type", "application/json")
                    .method(target.split(" ")[0], HttpRequest.BodyPublishers.ofString(big))));
            rawRefused(target + " with a non-numeric Content-Length", target, "Content-Length: ten", "{\"data\":{}}", false);
            rawRefused(target + " with two Content-Lengths", target, "Content-Length: 11\r\nContent-Length: 12", "{\"data\":{}}", false);
        }
    }

    @Test
    void random_breakages_of_valid_documents_are_refused_everywhere() {
        int count = Integer.getInteger("garagesync.badinput.mutations", 60);
        long seed = Long.getLong("garagesync.badinput.seed", System.nanoTime());
        System.out.println("BadRequestCorpusTest mutation seed " + seed);
        Random r = new Random(seed);
        Http http = daemon.http().as("victim");
        for (int i = 0; i < count; i++) {
            EditableBackup.Doc doc = EditableBackup.initial(r, 1 + r.nextInt(10));
            byte[] valid = doc.bytes();
            byte[] broken = switch (r.nextInt(3)) {
                case 0 -> java.util.Arrays.copyOf(valid, r.nextInt(valid.length - 1)); // cut before the final '}'
                case 1 -> insert(valid, r.nextInt(valid.length), new byte[] {(byte) (0xF8 + r.nextInt(8))}); // never UTF-8
                default -> duplicateFirstEntity(doc);
            };
            String endpoint = BACKUP_WRITES.get(r.nextInt(BACKUP_WRITES.size())).split(" ")[1];
            refused("breakage " + i + " on " + endpoint, () -> http.postBytes(endpoint, "application/json", broken));
        }
    }

    private static byte[] duplicateFirstEntity(EditableBackup.Doc doc) {
        List<String> customers = doc.collections.get("customers");
        customers.add(customers.get(0));
        return doc.bytes();
    }

    private static byte[] insert(byte[] b, int at, byte[] what) {
        byte[] out = new byte[b.length + what.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(what, 0, out, at, what.length);
        System.arraycopy(b, at, out, at + what.length, b.length - at);
        return out;
    }

    // --- checks ---

    /** Sends the request; the answer must be a 4xx with a JSON error body, and nothing stored. */
    private static void refused(String what, java.util.function.Supplier<Http.Response> request) {
        Map<String, Long> before = snapshot();
        Http.Response r = request.get();
        tried++;
        assertThat(r.status()).as("%s: %s", what, abbreviate(r.body())).isBetween(400, 499);
        assertThat(r.header("Content-Type")).as(what).startsWith("application/json");
        assertThat(r.body()).as(what).startsWith("{\"error\":\"").contains("\"status\":" + r.status());
        assertThat(snapshot()).as("%s stored something", what).isEqualTo(before);
    }

    /** The same over a raw socket, for framing a normal client will not send. */
    private static void rawRefused(String what, String target, String lengthHeaders, String body, boolean closeEarly) {
        Map<String, Long> before = snapshot();
        String answer;
        try (Socket s = new Socket("127.0.0.1", daemon.port())) {
            s.setSoTimeout(15_000);
            OutputStream out = s.getOutputStream();
            out.write((target + " HTTP/1.1\r\nHost: x\r\nX-User-Id: victim\r\nContent-Type: application/json\r\n"
                    + lengthHeaders + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            if (closeEarly) {
                s.shutdownOutput();
            }
            answer = readUntilClosed(s.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(what, e);
        }
        tried++;
        // a connection closed without an answer is a refusal too when the client broke the framing
        if (!(closeEarly && answer.isEmpty())) {
            assertThat(answer).as(what).matches("(?s)HTTP/1\\.1 4\\d\\d .*");
        }
        assertThat(snapshot()).as("%s stored something", what).isEqualTo(before);
    }

    /** The status line, or what the server sent before it closed or reset the connection (it may reset after a 413). */
    private static String readUntilClosed(InputStream in) {
        java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        byte[] buf = new byte[8192];
        try {
            for (int n; got.size() < 12 && (n = in.read(buf)) > 0; ) {
                got.write(buf, 0, n);
            }
        } catch (IOException resetAfterAnswer) {
            // the answer read so far is what counts
        }
        return got.toString(StandardCharsets.UTF_8);
    }

    /** Every file under the data directory with its size and modification time. */
    private static Map<String, Long> snapshot() {
        Map<String, Long> files = new TreeMap<>();
        try (Stream<Path> all = Files.walk(daemon.dataDir())) {
            all.filter(Files::isRegularFile).forEach(p -> {
                try {
                    files.put(daemon.dataDir().relativize(p) + " " + Files.size(p), Files.getLastModifiedTime(p).toMillis());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    private static Http.Response patch(Http http, String type, byte[] body) {
        return http.send(contentType(http.builder("/api/backup"), type).method("PATCH", HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    private static HttpRequest.Builder contentType(HttpRequest.Builder b, String type) {
        return type == null ? b : b.header("Content-Type", type);
    }

    private static String abbreviate(String s) {
        return s.length() > 120 ? s.substring(0, 120) + "..." : s;
    }
}
