package app.garagesync.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import app.garagesync.trust.Shop;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.camel.builder.NotifyBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * garagesync.guard.hold-offsite against real targets (a folder, s3proxy): a version that lost too many
 * records, and the versions after it, stay off the target, across a restart, until the owner confirms it;
 * the target then gets them. Meanwhile the target keeps the last good version, and the history says why.
 */
class GuardHoldTest {

    static final String NAME = "offsite";
    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path base;
    final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (int i = open.size() - 1; i >= 0; i--) {
            open.get(i).close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"dir", "s3"})
    void should_keep_a_flagged_version_off_the_target_until_the_owner_confirms_it(String kind) throws Exception {
        TargetUnderTest target = kind.equals("dir") ? new DirTarget(base) : new S3Target(base);
        open.add(target::close);
        RunningDaemon d = daemon(target);
        Http http = d.http().as("garage");
        assertThat(http.putJson("/api/sync/settings", "{\"enabled\": true}").status()).isEqualTo(200);
        Shop shop = new Shop(10);
        String good = shop.render();
        assertThat(http.postJson("/api/backup", good).status()).isEqualTo(201);
        await().atMost(WAIT).until(() -> SyncContract.listed(target, "garage").contains(1L));

        // 4 customers of 10 gone (40% > 20%): flagged; then an ordinary edit on top of it
        for (String id : new String[] {"c1", "c2", "c3", "c4"}) {
            shop.get("customers").remove(shop.find("customers", id));
        }
        assertThat(http.postJson("/api/backup", shop.render()).status()).isEqualTo(201);
        shop.find("customers", "c5").put("phone", "06 12 34 56 78");
        assertThat(http.postJson("/api/backup", shop.render()).status()).isEqualTo(201);

        ticks(d, 3);
        assertThat(SyncContract.listed(target, "garage")).containsExactly(1L);
        assertThat(SyncContract.rebuilt(target, "garage", 1)).isEqualTo(good.getBytes(StandardCharsets.UTF_8));
        Map<String, Object> status = SyncContract.status(http);
        assertThat(status.get("error")).asString().contains("version 2 dropped 4 of 10 customers (40%)")
                .contains("not sent off-site").contains("/api/backup/versions/2/confirm");
        assertThat(flagged(status)).isEqualTo("2 held");
        assertThat(Json.write(SyncContract.status(http))).contains("\"customers\":{\"before\":10,\"after\":6,\"droppedPercent\":40}");
        assertThat(Json.readMap(http.get("/api/sync/history").bytes()).get("history").toString())
                .contains("result=held").contains("version 2 lost too many records");

        // a restart keeps the flag, and the hold with it
        d.close();
        open.remove(d);
        d = daemon(target);
        http = d.http().as("garage");
        ticks(d, 3);
        assertThat(SyncContract.listed(target, "garage")).containsExactly(1L);
        assertThat(flagged(SyncContract.status(http))).isEqualTo("2 held");

        Http.Response confirmed = http.postJson("/api/backup/versions/2/confirm", "");
        assertThat(confirmed.status()).as(confirmed.toString()).isEqualTo(200);
        assertThat(confirmed.body()).contains("\"confirmed\":true").contains("\"heldOffsite\":false");
        Http owner = http;
        await().atMost(WAIT).until(() -> SyncContract.listed(target, "garage").equals(Set.of(1L, 2L, 3L))
                && SyncContract.status(owner).get("error") == null);
        assertThat(SyncContract.rebuilt(target, "garage", 3)).isEqualTo(shop.render().getBytes(StandardCharsets.UTF_8));
        assertThat(SyncContract.status(http).get("anomaly")).isNull();
    }

    private RunningDaemon daemon(TargetUnderTest target) {
        List<String> p = new ArrayList<>(List.of(
                "garagesync.guard.hold-offsite", "true",
                "garagesync.sync.interval", "200",
                "garagesync.sync.redelivery.max-attempts", "2",
                "garagesync.sync.redelivery.initial-delay", "10ms",
                "garagesync.sync.redelivery.max-delay", "10ms"));
        p.addAll(List.of(target.properties(NAME)));
        RunningDaemon d = RunningDaemon.start(base.resolve("data"), p.toArray(String[]::new));
        open.add(d);
        return d;
    }

    /** Waits for {@code n} timer ticks, each of which would have pushed what the target lacks. */
    private static void ticks(RunningDaemon d, int n) {
        NotifyBuilder ticks = new NotifyBuilder(d.context()).fromRoute("sync-tick").whenCompleted(n).create();
        assertThat(ticks.matches(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    /** The status's anomaly as "version held|sent". */
    private static String flagged(Map<String, Object> status) {
        Map<String, Object> a = anomaly(status);
        return ((Number) a.get("version")).longValue() + (Boolean.TRUE.equals(a.get("held")) ? " held" : " sent");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> anomaly(Map<String, Object> status) {
        return (Map<String, Object>) status.get("anomaly");
    }
}
