package app.garagesync.backup;

import static app.garagesync.backup.MergeApiTest.BASE;
import static app.garagesync.backup.MergeApiTest.json;
import static app.garagesync.backup.MergeApiTest.patch;
import static app.garagesync.backup.MergeApiTest.postOn;
import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** garagesync.merge.mode=reject: a write edited from an older version is 409 with the conflicts, nothing stored. */
class MergeRejectModeTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension("garagesync.merge.mode", "reject");

    @Test
    void a_stale_if_match_post_is_409_with_the_conflicts_and_nothing_is_stored() {
        Http http = daemon.http().as("reject-post");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", BASE.replace("\"name\":\"Élodie\"", "\"name\":\"Élodie M.\"")).status())
                .isEqualTo(201);
        Http.Response r = postOn(http, "/api/backup", "\"1\"", BASE.replace("\"name\":\"Élodie\"", "\"name\":\"Élodie Müller\""));
        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        JsonNode body = json(r.body());
        assertThat(body.get("error").asText()).isEqualTo("conflict");
        assertThat(body.get("status").asInt()).isEqualTo(409);
        assertThat(body.get("message").asText()).contains("garagesync.merge.mode=reject");
        assertThat(body.get("base").asLong()).isEqualTo(1);
        assertThat(body.get("latest").asLong()).isEqualTo(2);
        assertThat(body.get("conflicts")).isEqualTo(json("[{\"collection\":\"customers\",\"id\":\"c1\",\"field\":\"name\","
                + "\"kept\":\"Élodie Müller\",\"overwritten\":\"Élodie M.\",\"overwrittenIn\":2}]"));
        assertThat(json(http.get("/api/backup/versions").body()).get("versions")).hasSize(2);
    }

    @Test
    void a_stale_patch_is_409_even_when_a_merge_would_have_had_no_conflict() {
        Http http = daemon.http().as("reject-patch");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        assertThat(patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c3\"}]}}").status()).isEqualTo(201);
        Http.Response r = patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c4\"}]}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(409);
        assertThat(json(r.body()).get("conflicts")).isEmpty();
        assertThat(json(http.get("/api/backup/versions").body()).get("versions")).hasSize(2);
        // on the latest, writes go through as ever
        Http.Response onLatest = patch(http, "{\"baseVersion\":2,\"upserts\":{\"customers\":[{\"id\":\"c4\"}]}}");
        assertThat(onLatest.status()).as(onLatest.toString()).isEqualTo(201);
        assertThat(postOn(http, "/api/backup", "\"3\"", BASE).status()).isEqualTo(201);
    }
}
