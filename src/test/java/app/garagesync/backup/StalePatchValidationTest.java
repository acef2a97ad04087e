package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A PATCH on a stale base is validated through its merged document only (its state on the old base is no
 * longer validated first): what the device sent that the store refuses is still a 400 naming the place,
 * with nothing stored, and the merge of a valid one is unchanged.
 */
class StalePatchValidationTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    @Test
    void a_stale_patch_the_store_refuses_is_a_400_and_stores_nothing() {
        String[][] bad = {
            // a record nested deeper than the store takes
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c9\",\"n\":" + "[".repeat(300) + "]".repeat(300) + "}]}}", "depth"},
            // a garage that is not an object
            {"{\"baseVersion\":1,\"garage\":[1,2]}", "garage"},
            // a record id that is neither a string nor a number
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":true}]}}", "id"},
        };
        for (int i = 0; i < bad.length; i++) {
            Http http = daemon.http().as("stale-bad-" + i);
            assertThat(http.postJson("/api/backup", MergeApiTest.BASE).status()).isEqualTo(201);
            assertThat(http.postJson("/api/backup", MergeApiTest.BASE.replace("Jérôme", "Jérôme B")).status()).isEqualTo(201);
            Http.Response r = MergeApiTest.patch(http, bad[i][0]);
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
