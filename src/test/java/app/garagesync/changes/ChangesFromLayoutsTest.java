package app.garagesync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.Json;
import app.garagesync.store.VersionStore;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import java.nio.charset.StandardCharsets;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
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
        for (long seed = 0; seed < 5; seed++) {
            String user = "layouts-" + seed;
            Http http = daemon.http().as(user);
            Random random = new Random(seed);
            ChangesFastPathTest.Doc doc = ChangesFastPathTest.Doc.random(random);
            if (seed == 4) {
                doc.grow(random, 30_000); // past the size from which collections are compared side by side
            }
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
                if (seed == 4) {
                    // compared side by side, checked against the daemon applying it, not only against itself
                    appliedGivesTheLatest(user + "-copy-" + n, old, r.bytes(), latestBytes);
                }
            }
        }
    }

    /** The changes PATCHed onto a copy of the older version give the latest's JSON value (when they can say it). */
    private static void appliedGivesTheLatest(String copyUser, byte[] old, byte[] changesJson, byte[] latest) throws Exception {
        ObjectNode changes = (ObjectNode) Json.MAPPER.readTree(changesJson);
        if (!changes.get("exact").asBoolean()) {
            return;
        }
        Http copy = daemon.http().as(copyUser);
        assertThat(copy.postJson("/api/backup", new String(old, StandardCharsets.UTF_8)).status()).isEqualTo(201);
        changes.remove(List.of("from", "to", "exact"));
        changes.put("baseVersion", 1);
        Http.Response applied = ChangesFeedTest.patch(copy, Json.MAPPER.writeValueAsString(changes));
        assertThat(applied.status()).as(applied.toString()).isIn(200, 201);
        assertThat(Json.MAPPER.readTree(copy.get("/api/backup").bytes())).isEqualTo(Json.MAPPER.readTree(latest));
    }
}
