package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shop past keep-last forgets a version on every backup and prunes in batches: what that costs in
 * fsyncs, counted by the daemon itself (a child JVM, so no other test's fsyncs are in its counters).
 * Each version is an append to the user's pack, made durable by one fdatasync of it. Forgetting writes the
 * prune record without fsync; the prune makes it durable once per batch, before it deletes, and the batch's
 * deletions are one append of deletion records to the pack, made durable by one fdatasync.
 */
class RetentionFsyncsTest {

    private static final Pattern FSYNCS = Pattern.compile("^garagesync_fsync_total\\{kind=\"(file|directory)\"} (\\S+)$",
            Pattern.MULTILINE);

    private static long[] fsyncs(Http http) {
        Matcher m = FSYNCS.matcher(http.get("/api/metrics").body());
        long[] found = new long[2];
        while (m.find()) {
            found[m.group(1).equals("file") ? 0 : 1] = (long) Double.parseDouble(m.group(2));
        }
        return found;
    }

    @Test
    void backups_past_keep_last_cost_about_one_pack_fsync_each(@TempDir Path dir) throws Exception {
        Path data = dir.resolve("data");
        try (ChildDaemon child = ChildDaemon.start(data, dir.resolve("daemon.log"), "garagesync.retention.keep-last=3",
                "garagesync.retention.batch=10")) {
            Http http = child.http().as("shop");
            for (int i = 1; i <= 3; i++) {
                assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
            }
            long[] before = fsyncs(http);
            // 20 backups past keep-last: each forgets one version, two batches of 10 are pruned
            for (int i = 4; i <= 23; i++) {
                assertThat(http.postJson("/api/backup", Backups.small(i)).status()).isEqualTo(201);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> !ForgetAtOnceTest.blob(data, "shop", 20));
            long[] after = fsyncs(http);
            long files = after[0] - before[0];
            long dirs = after[1] - before[1];
            // each backup: its pack's fdatasync. Each batch: the prune record made durable (a file and its
            // folder), the kept delta rewritten whole (an append and the pack's fdatasync), the deletions (an
            // append and the pack's fdatasync). With a file per version it cost 20-25 file fsyncs and 20-27
            // folder fsyncs; before that, 42 and 62
            assertThat(files).as("file fsyncs for 20 backups past keep-last").isBetween(20L, 26L);
            assertThat(dirs).as("directory fsyncs for 20 backups past keep-last").isBetween(1L, 4L);
            ForgetAtOnceTest.assertForgottenAndKept(http, 23);
        }
    }
}
