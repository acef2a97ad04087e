package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A PATCH on a stale base is validated through the change-set's reading alone, which holds its records to
 * the rules of a backup's validation: neither the device's whole state on its old base nor the merged
 * document is read whole again. Bad input is still a 400 naming the place, with nothing stored, and a
 * valid one is merged.
 */
class StalePatchValidationTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    @Test
    void a_stale_patch_the_store_refuses_is_a_400_and_stores_nothing() {
        String longName = "n".repeat(20_000);
        String[][] bad = {
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"\"}]}}", "must not be empty"},
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c9\",\"n\":1,\"n\":2}]}}", "duplicate field"},
            {"{\"baseVersion\":1,\"garage\":[1,2]}", "garage"},
            // limits of a backup's validation, which the merged document is no longer read against
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c9\",\"" + longName + "\":1}]}}", "length"},
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c9\",\"note\":\"\u00ff\u00fe\"}]}}", "UTF-8"},
        };
        for (int i = 0; i < bad.length; i++) {
            Http http = daemon.http().as("stale-bad-" + i);
            assertThat(http.postJson("/api/backup", MergeApiTest.BASE).status()).isEqualTo(201);
            assertThat(http.postJson("/api/backup", MergeApiTest.BASE.replace("Jérôme", "Jérôme B")).status()).isEqualTo(201);
            // the UTF-8 case sends its two characters as the bytes 0xFF 0xFE, which UTF-8 never has
            byte[] body = bad[i][1].equals("UTF-8")
                    ? bad[i][0].getBytes(java.nio.charset.StandardCharsets.ISO_8859_1) : bad[i][0].getBytes(java.nio.charset.StandardCharsets.UTF_8);
            Http.Response r = http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                    .method("PATCH", java.net.http.HttpRequest.BodyPublishers.ofByteArray(body)));
            assertThat(r.status()).as("case %d: %s", i, r).isBetween(400, 499);
            assertThat(r.body()).as("case %d", i).contains("\"error\"", "\"message\"", "\"status\"").containsIgnoringCase(bad[i][1]);
            assertThat(http.get("/api/backup").header("X-Garage-Sync-Version")).as("case %d: nothing stored", i).isEqualTo("2");
        }
    }

    @Test
    void a_valid_stale_patch_is_merged() {
        Http http = daemon.http().as("stale-good");
        assertThat(http.postJson("/api/backup", MergeApiTest.BASE).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", MergeApiTest.BASE.replace("Jérôme", "Jérôme B")).status()).isEqualTo(201);
        Http.Response r = MergeApiTest.patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c1\",\"name\":\"Élodie M\",\"phone\":\"06\"}]}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        String latest = http.get("/api/backup").body();
        assertThat(latest).contains("Élodie M", "Jérôme B");
    }
}
