package app.garagesync.store;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.testing.Backups;
import app.garagesync.testing.ChildDaemon;
import app.garagesync.testing.Http;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several devices of one garage posting at once: a user's versions are written one after the other under
 * the user's lock, appended to the user's pack, but the pack's fdatasync comes after the lock, so backups of
 * the same user share it (group commit) or at least overlap it with the next version's write. Every 201 still
 * names a version that reads back exactly, numbers are not given twice, and the daemon's own counters (a
 * child JVM: no other test's fsyncs in them) show a version made durable in its pack per 201. {@link FolderFsyncOutsideLockTest}
 * shows the overlap itself, on a folder fsync held up.
 */
class OneUserGroupCommitTest {

    private static final Pattern VERSION = Pattern.compile("\"version\":(\\d+)");
    private static final Pattern METRIC = Pattern.compile(
            "^(garagesync_fsync_total\\{kind=\"file\"}|garagesync_pack_commits_total) (\\S+)$", Pattern.MULTILINE);

    private static long[] packFsyncsAndCommits(Http http) {
        Matcher m = METRIC.matcher(http.get("/api/metrics").body());
        long[] found = new long[2];
        while (m.find()) {
            found[m.group(1).startsWith("garagesync_fsync") ? 0 : 1] = (long) Double.parseDouble(m.group(2));
        }
        return found;
    }

    @Test
    void concurrent_backups_of_one_user_share_pack_fsyncs_and_each_reads_back(@TempDir Path dir) throws Exception {
        int clients = 16;
        int each = 6; // 97 versions: within the default keep-last, every one still listed
        try (ChildDaemon child = ChildDaemon.start(dir.resolve("data"), dir.resolve("daemon.log"))) {
            Http http = child.http().as("garage");
            assertThat(http.postJson("/api/backup", Backups.small(0)).status()).isEqualTo(201);
            long[] before = packFsyncsAndCommits(http);
            Map<Long, String> acknowledged = new ConcurrentHashMap<>();
            ExecutorService pool = Executors.newFixedThreadPool(clients);
            List<Future<?>> done = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                int client = c;
                done.add(pool.submit(() -> {
                    Http device = child.http().as("garage");
                    for (int i = 0; i < each; i++) {
                        String body = Backups.small(1 + client * 1000 + i);
                        Http.Response r = device.postJson("/api/backup", body);
                        assertThat(r.status()).as(r.toString()).isEqualTo(201);
                        Matcher m = VERSION.matcher(r.body());
                        assertThat(m.find()).isTrue();
                        assertThat(acknowledged.put(Long.parseLong(m.group(1)), body)).as("number given twice").isNull();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(120, TimeUnit.SECONDS);
            }
            pool.shutdown();
            long[] after = packFsyncsAndCommits(http);
            assertThat(acknowledged).hasSize(clients * each);
            assertThat(after[1] - before[1]).as("versions made durable in the pack").isGreaterThanOrEqualTo(clients * each);
            // how many fsyncs they share depends on the disk (an fdatasync shorter than the next version's write is
            // over before that version asks): at most one each, never fewer versions made durable than 201s
            assertThat(after[0] - before[0]).as("pack fdatasyncs for %d backups of one user", clients * each)
                    .isPositive().isLessThanOrEqualTo(clients * each);
            for (Map.Entry<Long, String> v : acknowledged.entrySet()) {
                assertThat(http.get("/api/backup?version=" + v.getKey()).body()).as("version %d", v.getKey())
                        .isEqualTo(v.getValue());
            }
            assertThat(http.postJson("/api/admin/verify", "{}").body()).contains("\"ok\":true");
        }
    }
}
