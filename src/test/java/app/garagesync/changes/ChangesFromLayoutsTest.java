package app.garagesync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.VersionStore;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code GET /api/changes} on a real daemon answers from the store's layouts (checkpoint, deltas), and its
 * answer is byte for byte the full comparison of the two documents as {@code GET /api/backup?version=}
 * serves them, for every pair of a chain of randomly edited versions.
 */
class ChangesFromLayoutsTest {

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension();

    @Test
    void the_daemons_changes_are_the_full_comparison_of_the_two_versions() throws Exception {
        VersionStore store = daemon.context().getRegistry().lookupByNameAndType("backupStore", VersionStore.class);
        for (long seed = 0; seed < 4; seed++) {
            String user = "layouts-" + seed;
            Http http = daemon.http().as(user);
            Random random = new Random(seed);
            ChangesFastPathTest.Doc doc = ChangesFastPathTest.Doc.random(random);
            for (int v = 0; v < 6; v++) {
                int status = http.postJson("/api/backup", doc.json(random.nextBoolean())).status();
                assertThat(status).isIn(200, 201);
                doc.edit(random, 1 + random.nextInt(6));
            }
            long latest = Long.parseLong(http.get("/api/backup").header("X-Garage-Sync-Version"));
            byte[] latestBytes = http.get("/api/backup?version=" + latest).bytes();
            for (long n = 1; n <= latest; n++) {
                // what the fast path reads: the store keeps a layout for every version here
                assertThat(store.layout(user, n)).as("layout of version %d", n).isNotNull();
                byte[] old = http.get("/api/backup?version=" + n).bytes();
                Http.Response r = http.get("/api/changes?since=" + n);
                assertThat(r.status()).as(r.toString()).isEqualTo(200);
                assertThat(r.body()).as("seed %d, since %d", seed, n)
                        .isEqualTo(new String(ChangesDiff.between(n, old, latest, latestBytes).json(), StandardCharsets.UTF_8));
            }
        }
    }
}
