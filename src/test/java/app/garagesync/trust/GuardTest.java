package app.garagesync.trust;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import com.sun.net.httpserver.HttpServer;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mass-deletion guard over real HTTP: a version losing more than garagesync.guard.max-drop of a
 * collection, or emptying one, is stored and flagged with its counts in the versions list and the status,
 * the webhook is told, the flag survives a restart, and the owner's confirmation clears the warning.
 */
class GuardTest {

    static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path base;
    HttpServer web;
    final List<String> notices = new CopyOnWriteArrayList<>();
    RunningDaemon daemon;

    @BeforeEach
    void startWebhook() throws Exception {
        web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        web.createContext("/hooks/notify", x -> {
            try (InputStream in = x.getRequestBody()) {
                notices.add(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            }
            x.sendResponseHeaders(200, -1);
            x.close();
        });
        web.start();
    }

    @AfterEach
    void stop() {
        if (daemon != null) {
            daemon.close();
        }
        web.stop(0);
    }

    private RunningDaemon start() {
        daemon = RunningDaemon.start(base.resolve("data"),
                "garagesync.notify.webhook-url", "http://127.0.0.1:" + web.getAddress().getPort() + "/hooks/notify");
        return daemon;
    }

    @Test
    void should_flag_a_version_that_loses_too_many_records_tell_the_webhook_and_keep_the_flag_after_a_restart()
            throws Exception {
        Http http = start().http().as("atelier");
        Shop shop = new Shop(10);
        post(http, shop); // 1
        shop.get("customers").remove(shop.find("customers", "c9"));
        post(http, shop); // 2: 1 customer of 10 (10%): an ordinary day
        shop.get("customers").removeIf(c -> !List.of("c0", "c1", "c2").contains(c.get("id")));
        shop.get("mechanics").clear();
        post(http, shop); // 3: 6 of 9 customers (66%), and no mechanic left
        shop.find("customers", "c0").put("phone", "06 00 00 00 00");
        post(http, shop); // 4: an edit after it

        Map<Long, Map<String, Object>> versions = versions(http);
        assertThat(versions.get(1L)).doesNotContainKey("anomaly");
        assertThat(versions.get(2L)).doesNotContainKey("anomaly");
        assertThat(versions.get(4L)).doesNotContainKey("anomaly");
        assertThat(Json.write(versions.get(3L).get("anomaly"))).contains("\"comparedWith\":2")
                .contains("\"customers\":{\"before\":9,\"after\":3,\"droppedPercent\":66}")
                .contains("\"mechanics\":{\"before\":4,\"after\":0,\"droppedPercent\":100}")
                .contains("\"confirmed\":false").doesNotContain("vehicles");
        // stored all the same: nothing the owner typed is refused
        assertThat(http.get("/api/backup").body()).isEqualTo(shop.render());

        Map<String, Object> status = Json.readMap(http.get("/api/sync/status").bytes());
        assertThat(status.get("error")).asString()
                .startsWith("version 3 dropped 6 of 9 customers (66%), 4 of 4 mechanics (100%) compared with version 2")
                .contains("/api/backup/versions/3/confirm").contains("restore version 2");

        await().atMost(WAIT).until(() -> notices.stream().anyMatch(n -> n.contains("\"event\":\"anomaly\"")));
        String notice = notices.stream().filter(n -> n.contains("\"event\":\"anomaly\"")).findFirst().orElseThrow();
        assertThat(notice).contains("\"user\":\"atelier\"").contains("\"version\":3")
                .contains("\"customers\":{\"before\":9,\"after\":3,\"droppedPercent\":66}")
                .contains("\"text\":\"garage-sync: user atelier, version 3 dropped 6 of 9 customers (66%)");
        assertThat(notices).filteredOn(n -> n.contains("\"event\":\"anomaly\"")).hasSize(1);

        daemon.close();
        http = start().http().as("atelier");
        assertThat(Json.write(versions(http).get(3L).get("anomaly"))).contains("\"confirmed\":false")
                .contains("\"customers\":{\"before\":9,\"after\":3,\"droppedPercent\":66}");
        assertThat(Json.readMap(http.get("/api/sync/status").bytes()).get("error")).asString().contains("version 3 dropped");

        Http.Response confirm = http.postJson("/api/backup/versions/3/confirm", "");
        assertThat(confirm.status()).as(confirm.toString()).isEqualTo(200);
        daemon.close();
        http = start().http().as("atelier");
        Map<String, Object> after = Json.readMap(http.get("/api/sync/status").bytes());
        assertThat(after.get("error")).isNull();
        assertThat(after.get("anomaly")).isNull();
        // the flag stays in the list, as history, confirmed
        assertThat(Json.write(versions(http).get(3L).get("anomaly"))).contains("\"confirmed\":true");
        // restarts told the webhook nothing new
        assertThat(notices).filteredOn(n -> n.contains("\"event\":\"anomaly\"")).hasSize(1);
    }

    @Test
    void should_clear_the_warning_when_a_later_version_has_the_lost_records_back() throws Exception {
        Http http = start().http().as("restorer");
        Shop shop = new Shop(10);
        String whole = shop.render();
        post(http, shop); // 1
        shop.get("customers").removeIf(c -> !c.get("id").equals("c0"));
        post(http, shop); // 2: 9 of 10 customers gone
        assertThat(Json.readMap(http.get("/api/sync/status").bytes()).get("anomaly")).isNotNull();

        // the owner restores version 1 (the console's "Restaurer" imports it as a new version)
        Http.Response restored = http.postJson("/api/import", whole);
        assertThat(restored.status()).as(restored.toString()).isEqualTo(201);
        Map<String, Object> status = Json.readMap(http.get("/api/sync/status").bytes());
        assertThat(status.get("anomaly")).isNull();
        assertThat(status.get("error")).isNull();
        assertThat(Json.write(versions(http).get(2L).get("anomaly"))).contains("\"confirmed\":false").contains("\"resolvedBy\":3");

        daemon.close();
        http = start().http().as("restorer");
        assertThat(Json.readMap(http.get("/api/sync/status").bytes()).get("anomaly")).isNull();
    }

    @Test
    void should_answer_confirm_with_404_for_a_version_not_flagged_and_400_for_a_bad_id() {
        Http http = start().http().as("owner");
        post(http, new Shop(3));
        Http.Response notFlagged = http.postJson("/api/backup/versions/1/confirm", "");
        assertThat(notFlagged.status()).isEqualTo(404);
        assertThat(notFlagged.body()).contains("\"error\":\"not_found\"").contains("not flagged").contains("\"status\":404");
        assertThat(http.postJson("/api/backup/versions/7/confirm", "").status()).isEqualTo(404);
        Http.Response bad = http.postJson("/api/backup/versions/..%2F1/confirm", "");
        assertThat(bad.status()).isIn(400, 404);
        Http.Response word = http.postJson("/api/backup/versions/latest/confirm", "");
        assertThat(word.status()).isEqualTo(400);
        assertThat(word.body()).contains("\"error\":\"invalid_request\"").contains("id (in the path)");
    }

    private static void post(Http http, Shop shop) {
        Http.Response r = http.postJson("/api/backup", shop.render());
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    @SuppressWarnings("unchecked")
    private static Map<Long, Map<String, Object>> versions(Http http) throws Exception {
        Map<Long, Map<String, Object>> byId = new java.util.TreeMap<>();
        for (Object o : (List<?>) Json.readMap(http.get("/api/backup/versions").bytes()).get("versions")) {
            Map<String, Object> v = (Map<String, Object>) o;
            byId.put(((Number) v.get("id")).longValue(), v);
        }
        return byId;
    }
}
