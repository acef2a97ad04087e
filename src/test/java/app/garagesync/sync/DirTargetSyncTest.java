package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DirTargetSyncTest extends SyncContract {

    @Override
    TargetUnderTest target(Path base) {
        return new DirTarget(base);
    }

    @Test
    void should_list_only_users_with_an_index_and_answer_503_while_the_folder_is_gone() throws Exception {
        RunningDaemon d = daemon("data");
        Http http = d.http().as("gina");
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> listed(target, "gina").contains(1L));
        // what else may lie in the folder: a user folder never completed, names that are no user ids
        Path users = base.resolve("nas").resolve("users");
        Files.createDirectories(users.resolve("ghost").resolve("versions"));
        Files.createDirectories(users.resolve("..hidden"));
        Files.createDirectories(users.resolve("not a user"));
        Files.writeString(users.resolve("stray.txt"), "x");

        Http admin = d.http();
        Http.Response held = admin.get("/api/restore/users?target=" + NAME);
        assertThat(held.status()).as(held.toString()).isEqualTo(200);
        assertThat(heldUsers(held)).extracting(u -> u.get("user")).containsExactly("gina");
        Http.Response all = admin.postJson("/api/restore", "{\"target\": \"" + NAME + "\"}");
        assertThat(all.status()).as(all.toString()).isEqualTo(200);
        assertThat(all.body()).contains("\"gina\":{\"restored\":[],\"alreadyPresent\":[1]").doesNotContain("ghost");

        target.breakIt();
        Http.Response down = admin.get("/api/restore/users?target=" + NAME);
        assertThat(down.status()).as(down.toString()).isEqualTo(503);
        assertThat(down.header("Retry-After")).isNotNull();
        assertThat(down.body()).contains("\"error\":\"target_unavailable\"");
        assertThat(admin.postJson("/api/restore", "{\"target\": \"" + NAME + "\"}").status()).isEqualTo(503);
        target.repair();
    }

    @Test
    void should_restore_the_other_users_when_one_users_index_is_damaged_and_say_which() throws Exception {
        RunningDaemon first = daemon("first");
        for (String user : new String[] {"hugo", "ines"}) {
            Http http = first.http().as(user);
            assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
            assertThat(http.postJson("/api/backup", Backups.small(1)).status()).isEqualTo(201);
        }
        await().atMost(WAIT).until(() -> listed(target, "hugo").contains(1L) && listed(target, "ines").contains(1L));
        first.close();
        daemons.remove(first);
        Files.writeString(base.resolve("nas").resolve(RemoteLayout.indexKey("hugo")), "{\"format\": \"not an index\"}");

        RunningDaemon fresh = daemon("fresh");
        Http.Response partial = fresh.http().postJson("/api/restore", "{\"target\": \"" + NAME + "\"}");
        assertThat(partial.status()).as(partial.toString()).isEqualTo(502);
        assertThat(partial.body()).contains("\"error\":\"target_damaged\"").contains("\"status\":502")
                .contains("\"ines\":{\"restored\":[1]").contains("\"hugo\":{\"error\":\"target_damaged\"");
        assertThat(fresh.http().as("ines").get("/api/backup").body()).isEqualTo(Backups.small(1));
        assertThat(fresh.http().as("hugo").get("/api/backup").status()).isEqualTo(404);
    }
}
