package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** With {@code garagesync.merge.mode=reject}, bad input on a stale base says what is wrong (400), before any 409. */
class StalePatchRejectModeTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension("garagesync.merge.mode", "reject");

    @Test
    void bad_input_on_a_stale_base_is_a_400_before_the_refusal_to_merge() {
        Http http = daemon.http().as("reject-bad");
        assertThat(http.postJson("/api/backup", MergeApiTest.BASE).status()).isEqualTo(201);
        assertThat(http.postJson("/api/backup", MergeApiTest.BASE.replace("Jérôme", "Jérôme B")).status()).isEqualTo(201);
        Http.Response bad = MergeApiTest.patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"\"}]}}");
        assertThat(bad.status()).as(bad.toString()).isEqualTo(400);
        assertThat(bad.body()).contains("must not be empty", "\"status\":400");
        Http.Response good = MergeApiTest.patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c3\"}]}}");
        assertThat(good.status()).as(good.toString()).isEqualTo(409);
        assertThat(http.get("/api/backup").header("X-Garage-Sync-Version")).isEqualTo("2");
    }
}
