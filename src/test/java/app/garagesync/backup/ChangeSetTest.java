package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** PATCH /api/backup: change-sets applied to the latest version exactly, merged onto it from a stale base. */
class ChangeSetTest {

    static final String BASE = "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},"
            + "\"data\":{\"customers\":[{\"id\":\"c1\",\"name\":\"Élodie\"},{\"id\":\"c2\",\"name\":\"Jérôme\"},{\"id\":\"c3\",\"name\":\"Anaïs\"}],"
            + "\"repairs\":[{\"id\":1,\"total\":19.90}],\"settings\":{\"currency\":\"EUR\"}}}";

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    static Http.Response patch(Http http, String body) {
        return http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    @Test
    void should_apply_upserts_deletes_and_members_exactly() {
        Http http = daemon.http().as("patcher");
        assertThat(http.postJson("/api/backup", BASE).status()).isEqualTo(201);
        Http.Response r = patch(http, "{\"baseVersion\":1,\"timestamp\":\"2026-11-24T18:00:00.000Z\","
                + "\"upserts\":{\"customers\":[{\"id\":\"c2\",\"name\":\"Jérôme 🚗\",\"balance\":12345678901234567890.10},{\"id\":\"c4\",\"name\":\"Loïc\"}],"
                + "\"stock\":[{\"id\":7,\"qty\":3}]},"
                + "\"deletes\":{\"customers\":[\"c3\",\"absent\"],\"repairs\":[1.0]},\"settings\":{\"currency\":\"CHF\"}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.body()).contains("\"version\":2", "\"replaced\":1", "\"inserted\":2", "\"deleted\":2");
        assertThat(http.get("/api/backup").body()).isEqualTo("{\"timestamp\":\"2026-11-24T18:00:00.000Z\",\"version\":\"1.0\","
                + "\"garage\":{\"name\":\"Garage Dupré\"},\"data\":{\"customers\":[{\"id\":\"c1\",\"name\":\"Élodie\"},"
                + "{\"id\":\"c2\",\"name\":\"Jérôme 🚗\",\"balance\":12345678901234567890.10},{\"id\":\"c4\",\"name\":\"Loïc\"}],"
                + "\"repairs\":[],\"settings\":{\"currency\":\"CHF\"},\"stock\":[{\"id\":7,\"qty\":3}]}}");
        assertThat(http.get("/api/backup?version=1").body()).isEqualTo(BASE);
    }

    @Test
    void should_merge_a_change_set_on_a_stale_base_and_refuse_an_unknown_base() {
        Http http = daemon.http().as("stale");
        http.postJson("/api/backup", BASE);
        http.postJson("/api/backup", BASE.replace("Anaïs", "Anaïs B."));
        Http.Response r = patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c9\"}]}}");
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
        assertThat(r.body()).contains("\"version\":3", "\"merged\":{\"base\":1,\"onto\":2}");
        assertThat(http.get("/api/backup").body()).contains("Anaïs B.", "{\"id\":\"c9\"}");
        Http.Response unknown = patch(daemon.http().as("nobody-yet"), "{\"baseVersion\":1}");
        assertThat(unknown.status()).isEqualTo(412);
        assertThat(unknown.body()).contains("\"error\":\"base-gone\"");
    }

    @Test
    void should_validate_a_change_set_like_a_backup() {
        Http http = daemon.http().as("badpatch");
        http.postJson("/api/backup", BASE);
        String[][] cases = {
            {"{}", "baseVersion: missing"},
            {"{\"baseVersion\":\"1\"}", "baseVersion: must be a version number"},
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"name\":\"x\"}]}}", "upserts.customers[0].id: missing"},
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"a\"},{\"id\":\"a\"}]}}", "upserts.customers[1].id: duplicate id"},
            {"{\"baseVersion\":1,\"upserts\":{\"customers\":{}}}", "upserts.customers: must be an array"},
            {"{\"baseVersion\":1,\"deletes\":{\"customers\":[true]}}", "deletes.customers[0]: must be a string or a number"},
            {"{\"baseVersion\":1,\"settings\":[]}", "settings: must be an object"},
            {"{\"baseVersion\":1,\"upserts\":{\"settings\":[]}}", "upserts.settings"},
            {"{\"baseVersion\":1,\"drop\":true}", "drop: unknown member"},
            {"{\"baseVersion\":1", "not valid JSON"},
        };
        for (String[] c : cases) {
            Http.Response r = patch(http, c[0]);
            assertThat(r.status()).as(c[0]).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains(c[1]);
        }
        assertThat(http.get("/api/backup/versions").body()).doesNotContain("\"id\":2");
    }

    @Test
    void should_answer_unchanged_when_the_change_set_changes_nothing() {
        Http http = daemon.http().as("noop");
        http.postJson("/api/backup", BASE);
        Http.Response r = patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c1\",\"name\":\"Élodie\"}]}}");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.body()).contains("\"unchanged\":true", "\"version\":1");
    }
}
