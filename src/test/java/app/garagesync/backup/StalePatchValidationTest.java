package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A PATCH on a stale base is no longer validated as the device's whole state on its old base, only through
 * the change-set's reading and the merged document: bad input is still a 400 naming the place, with nothing
 * stored, and a valid one is merged.
 */
class StalePatchValidationTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    @Test
    void a_stale_patch_the_store_refuses_is_a_400_and_stores_nothing() {
        String[][] bad = {
            // the change-set's reading refuses these; what it would let through, the validation of the merged
            // document refuses (no such input is known: that validation is the safety net)
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"\"}]}}", "must not be empty"},
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c9\",\"n\":1,\"n\":2}]}}", "duplicate field"},
            {"{\"baseVersion\":1,\"garage\":[1,2]}", "garage"},
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
