package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Each validation rule and limit: a clear 4xx naming what and where, and nothing stored. */
class ValidationTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension("garagesync.max-backup-size", "64KB", "garagesync.json.max-depth", "40");

    static Stream<Arguments> invalidBackups() {
        return Stream.of(
                Arguments.of("[]", "$: must be a JSON object"),
                Arguments.of("\"text\"", "$: must be a JSON object"),
                Arguments.of("{}", "data: missing"),
                Arguments.of("{\"data\":[]}", "data: must be an object, got an array"),
                Arguments.of("{\"data\":null}", "data: must be an object, got null"),
                Arguments.of("{\"data\":{\"customers\":{}}}", "data.customers: must be an array of objects, got an object"),
                Arguments.of("{\"data\":{\"customers\":[1]}}", "data.customers[0]: must be an object, got a number"),
                Arguments.of("{\"data\":{\"customers\":[{\"id\":1},{\"name\":\"x\"}]}}", "data.customers[1].id: missing"),
                Arguments.of("{\"data\":{\"customers\":[{\"id\":true}]}}", "data.customers[0].id: must be a string or a number, got a boolean"),
                Arguments.of("{\"data\":{\"customers\":[{\"id\":null}]}}", "data.customers[0].id: must be a string or a number, got null"),
                Arguments.of("{\"data\":{\"customers\":[{\"id\":{}}]}}", "data.customers[0].id: must be a string or a number, got an object"),
                Arguments.of("{\"data\":{\"customers\":[{\"id\":\"\"}]}}", "data.customers[0].id: must not be empty"),
                Arguments.of("{\"data\":{\"customers\":[{\"id\":\"a\"},{\"id\":\"a\"}]}}", "data.customers[1].id: duplicate id a"),
                Arguments.of("{\"data\":{\"repairs\":[{\"id\":1},{\"id\":1.0}]}}", "data.repairs[1].id: duplicate id 1"),
                Arguments.of("{\"data\":{\"repairs\":[{\"id\":1e2},{\"id\":100}]}}", "data.repairs[1].id: duplicate id 100"),
                Arguments.of("{\"data\":{\"repairs\":[{\"id\":1e1000000123456789012344}]}}", "data.repairs[0].id: the number 1e1000000123456789012344 is out of range"),
                Arguments.of("{\"data\":{\"repairs\":[{\"id\":1e999999999},{\"id\":1e999999999}]}}", "duplicate id 1e999999999"),
                Arguments.of("{\"data\":{\"settings\":[]}}", "data.settings: must be an object, got an array"),
                Arguments.of("{\"garage\":\"Dupré\",\"data\":{}}", "garage: must be an object, got a string"),
                Arguments.of("{\"data\":{},\"data\":{}}", "Duplicate field 'data'"),
                Arguments.of("{\"data\":{}} {}", "$: unexpected content after the top-level object"),
                Arguments.of("{\"data\":{\"customers\":[{\"id\":1,}]}}", "$: not valid JSON at line 1"),
                Arguments.of("{\"data\":{", "$: not valid JSON"),
                Arguments.of("", "$: the body is empty"),
                Arguments.of("{\"data\":{\"x\":[{\"id\":1,\"deep\":" + "[".repeat(60) + "]".repeat(60) + "}]}}", "nesting depth"));
    }

    @ParameterizedTest
    @MethodSource("invalidBackups")
    void should_refuse_an_invalid_backup_with_its_path_and_store_nothing(String body, String message) {
        Http http = daemon.http().as("invalid");
        Http.Response r = http.postJson("/api/backup", body);
        assertThat(r.status()).as(r.toString()).isEqualTo(400);
        assertThat(r.header("Content-Type")).startsWith("application/json");
        assertThat(r.body()).contains("\"error\":\"invalid_backup\"").contains(message);
        assertThat(http.get("/api/backup").status()).isEqualTo(404);
        assertThat(Files.exists(daemon.dataDir().resolve("users/invalid/versions"))).isFalse();
    }

    @Test
    void should_refuse_invalid_utf8_even_in_skipped_values() {
        byte[] prefix = "{\"data\":{\"c\":[{\"id\":1,\"name\":\"".getBytes(StandardCharsets.UTF_8);
        byte[] suffix = "\"}]}}".getBytes(StandardCharsets.UTF_8);
        for (byte[] bad : new byte[][] {{(byte) 0xC3}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xC0, (byte) 0xAF}}) {
            byte[] body = new byte[prefix.length + bad.length + suffix.length];
            System.arraycopy(prefix, 0, body, 0, prefix.length);
            System.arraycopy(bad, 0, body, prefix.length, bad.length);
            System.arraycopy(suffix, 0, body, prefix.length + bad.length, suffix.length);
            Http.Response r = daemon.http().as("utf").postBytes("/api/backup", "application/json", body);
            assertThat(r.status()).as(r.toString()).isEqualTo(400);
            assertThat(r.body()).contains("invalid UTF-8 at byte offset " + prefix.length);
        }
        assertThat(daemon.http().as("utf").get("/api/backup").status()).isEqualTo(404);
    }

    @Test
    void should_refuse_wrong_content_types_with_415() {
        Http http = daemon.http().as("types");
        for (String type : new String[] {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                "application/json; charset=iso-8859-1"}) {
            Http.Response r = http.postBytes("/api/backup", type, Backups.small(1).getBytes(StandardCharsets.UTF_8));
            assertThat(r.status()).as(type).isEqualTo(415);
            assertThat(r.body()).contains("\"error\":\"unsupported_media_type\"");
        }
        assertThat(http.postBytes("/api/backup", null, new byte[] {'{', '}'}).status()).isEqualTo(415);
        assertThat(http.postBytes("/api/backup", "application/json; charset=UTF-8",
                Backups.small(1).getBytes(StandardCharsets.UTF_8)).status()).isEqualTo(201);
    }

    @Test
    void a_multipart_upload_is_refused_without_writing_it_anywhere() throws java.io.IOException {
        // Vert.x keeps uploads under file-uploads in the working directory when it handles them
        java.nio.file.Path uploads = java.nio.file.Path.of("file-uploads");
        java.nio.file.Files.deleteIfExists(uploads); // an empty one an older build left; a full one fails here
        String body = "--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"backup.json\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + Backups.small(1) + "\r\n--x--\r\n";
        Http.Response r = daemon.http().as("upload").postBytes("/api/import", "multipart/form-data; boundary=x",
                body.getBytes(StandardCharsets.UTF_8));
        assertThat(r.status()).isEqualTo(415);
        Http.Response form = daemon.http().as("upload").postBytes("/api/backup", "application/x-www-form-urlencoded",
                "data=x".getBytes(StandardCharsets.UTF_8));
        assertThat(form.status()).isEqualTo(415);
        assertThat(form.body()).contains("\"error\":\"unsupported_media_type\"");
        assertThat(uploads).doesNotExist();
        assertThat(daemon.http().as("upload").get("/api/backup").status()).isEqualTo(404);
    }

    @Test
    void should_refuse_bodies_over_the_limit_with_413() {
        Http http = daemon.http().as("big");
        String big = "{\"data\":{\"notes\":[{\"id\":1,\"text\":\"" + "x".repeat(70_000) + "\"}]}}";
        Http.Response declared = http.postJson("/api/backup", big);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.body()).contains("\"error\":\"too_large\"");
        // no Content-Length: the server counts the streamed bytes
        HttpRequest.Builder chunked = http.builder("/api/backup").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(
                        () -> new java.io.ByteArrayInputStream(big.getBytes(StandardCharsets.UTF_8))));
        Http.Response streamed = http.send(chunked);
        assertThat(streamed.status()).isEqualTo(413);
        assertThat(streamed.body()).contains("\"error\":\"too_large\"");
        assertThat(http.get("/api/backup").status()).isEqualTo(404);
    }

    @Test
    void should_refuse_user_ids_that_could_become_paths() {
        for (String id : new String[] {"..", "../etc", "a/b", ".hidden", "a..b", "x".repeat(65), "é", "a b", "-a"}) {
            Http.Response r = daemon.http().with("X-User-Id", id).postJson("/api/backup", Backups.small(1));
            assertThat(r.status()).as(id).isEqualTo(400);
            assertThat(r.body()).contains("user id", "\"error\":\"invalid_request\"", "\"status\":400");
        }
        try (Stream<Path> users = Files.list(daemon.dataDir().resolve("users"))) {
            assertThat(users.map(p -> p.getFileName().toString())).allMatch(n -> n.matches("[A-Za-z0-9][A-Za-z0-9._-]*"));
        } catch (java.io.IOException e) {
            // no users directory at all is fine too
        }
    }
}
