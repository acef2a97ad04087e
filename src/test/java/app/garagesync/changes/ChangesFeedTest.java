package app.garagesync.changes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.auth.TokenFile;
import app.garagesync.store.VersionStore;
import app.garagesync.testing.DaemonExtension;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.camel.CamelContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** GET /api/changes: the changes since a version, at once, by long-poll, and as Server-Sent Events. */
class ChangesFeedTest {

    static final Duration WAIT = Duration.ofSeconds(20);

    static final String V1 = "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"garage\":{\"name\":\"Garage Dupré\"},"
            + "\"data\":{\"customers\":[{\"id\":\"c1\",\"name\":\"Élodie\"},{\"id\":\"c2\",\"name\":\"Jérôme\"},{\"id\":\"c3\",\"name\":\"Anaïs\"}],"
            + "\"vehicles\":[{\"id\":1,\"plate\":\"AB-123-CD\",\"customerId\":\"c1\"},{\"id\":\"1\",\"plate\":\"string id\"}],"
            + "\"repairs\":[{\"id\":1,\"total\":19.90}],\"settings\":{\"currency\":\"EUR\"}}}";

    @RegisterExtension
    static final DaemonExtension daemon = new DaemonExtension("garagesync.changes.heartbeat", "300ms");

    @Test
    void applying_the_changes_since_each_version_to_it_gives_the_latest() throws Exception {
        Http http = daemon.http().as("rt");
        assertThat(http.postJson("/api/backup", V1).status()).isEqualTo(201);
        // v2: a change-set (update, insert, delete, settings)
        assertThat(patch(http, "{\"baseVersion\":1,\"upserts\":{\"customers\":[{\"id\":\"c2\",\"name\":\"Jérôme 🚗\","
                + "\"balance\":12345678901234567890.10},{\"id\":\"c4\",\"name\":\"Loïc\"}]},"
                + "\"deletes\":{\"customers\":[\"c3\"]},\"settings\":{\"currency\":\"CHF\"}}").status()).isEqualTo(201);
        // v3: a whole document (garage, timestamp, an updated repair, a new collection)
        String v2 = http.get("/api/backup").body();
        String v3 = v2.replace("Garage Dupré", "Garage Dupré & Fils").replace("2026-11-24T08:00:00.000Z", "2026-11-25T09:00:00.000Z")
                .replace("{\"id\":1,\"total\":19.90}", "{\"id\":1,\"total\":25.00}")
                .replace("\"settings\":{\"currency\":\"CHF\"}", "\"stock\":[{\"id\":7,\"qty\":3}],\"settings\":{\"currency\":\"CHF\"}");
        assertThat(http.postJson("/api/backup", v3).status()).isEqualTo(201);
        // v4: ids typed as the store types them: number 1 deleted, string "1" updated, 1.0 is 1
        assertThat(patch(http, "{\"baseVersion\":3,\"timestamp\":\"2026-11-26T10:00:00.000Z\","
                + "\"upserts\":{\"vehicles\":[{\"id\":\"1\",\"plate\":\"changed\"}]},"
                + "\"deletes\":{\"vehicles\":[1],\"repairs\":[1.0]}}").status()).isEqualTo(201);
        // v5: a whole document again, one record changed and one added under an escaped id
        String v4 = http.get("/api/backup").body();
        String v5 = v4.replace("\"Élodie\"", "\"Élodie Martin\"").replace("{\"id\":\"c4\",\"name\":\"Loïc\"}",
                "{\"id\":\"c4\",\"name\":\"Loïc\"},{\"id\":\"c\\u00e9\",\"name\":\"Cé\"}");
        assertThat(http.postJson("/api/backup", v5).status()).isEqualTo(201);
        JsonNode latest = Json.MAPPER.readTree(http.get("/api/backup").bytes());

        for (int n = 1; n <= 5; n++) {
            Http.Response r = http.get("/api/changes?since=" + n);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            ObjectNode changes = (ObjectNode) Json.MAPPER.readTree(r.bytes());
            assertThat(changes.get("from").asLong()).isEqualTo(n);
            assertThat(changes.get("to").asLong()).isEqualTo(5);
            assertThat(changes.get("exact").asBoolean()).as(r.body()).isTrue();
            // applied by the daemon itself: version n copied to a fresh user, the changes PATCHed onto it
            Http copy = daemon.http().as("copy-" + n);
            assertThat(copy.postJson("/api/backup", http.get("/api/backup?version=" + n).body()).status()).isEqualTo(201);
            changes.remove(List.of("from", "to", "exact"));
            changes.put("baseVersion", 1);
            Http.Response applied = patch(copy, Json.MAPPER.writeValueAsString(changes));
            assertThat(applied.status()).as(applied.toString()).isIn(200, 201);
            assertThat(Json.MAPPER.readTree(copy.get("/api/backup").bytes())).as("since=" + n).isEqualTo(latest);
        }
        // only what changed: v4 to v5 is two customers, as the latest's exact bytes
        String since4 = http.get("/api/changes?since=4").body();
        assertThat(since4).isEqualTo("{\"from\":4,\"to\":5,\"exact\":true,\"upserts\":{\"customers\":[{\"id\":\"c1\",\"name\":\"Élodie Martin\"},"
                + "{\"id\":\"c\\u00e9\",\"name\":\"Cé\"}]},\"deletes\":{}}");
        assertThat(http.get("/api/changes?since=5").body()).isEqualTo("{\"from\":5,\"to\":5,\"exact\":true,\"upserts\":{},\"deletes\":{}}");
        assertThat(http.get("/api/changes?since=3").body()).contains("\"deletes\":{\"vehicles\":[1],\"repairs\":[1]}",
                "\"timestamp\":\"2026-11-26T10:00:00.000Z\"");
    }

    @Test
    void records_put_in_another_order_are_flagged_not_exact() throws Exception {
        Http http = daemon.http().as("reorder");
        http.postJson("/api/backup", V1);
        http.postJson("/api/backup", V1.replace("{\"id\":\"c1\",\"name\":\"Élodie\"},{\"id\":\"c2\",\"name\":\"Jérôme\"}",
                "{\"id\":\"c2\",\"name\":\"Jérôme\"},{\"id\":\"c1\",\"name\":\"Élodie\"}"));
        JsonNode changes = Json.MAPPER.readTree(http.get("/api/changes?since=1").bytes());
        assertThat(changes.get("exact").asBoolean()).isFalse();
        assertThat(changes.get("to").asLong()).isEqualTo(2);
    }

    @Test
    void a_pruned_version_is_gone_and_bad_queries_are_400() {
        Http http = daemon.http().as("pruned");
        for (int i = 1; i <= 3; i++) {
            http.postJson("/api/backup", V1.replace("Anaïs", "Anaïs " + i));
        }
        VersionStore store = daemon.context().getRegistry().lookupByNameAndType("backupStore", VersionStore.class);
        store.prune("pruned", versions -> Set.of(3L));
        Http.Response gone = http.get("/api/changes?since=1");
        assertThat(gone.status()).as(gone.toString()).isEqualTo(410);
        assertThat(gone.body()).contains("\"error\":\"gone\"", "GET /api/backup", "\"status\":410");
        assertThat(http.get("/api/changes?since=3").status()).isEqualTo(200);

        String[][] cases = {
            {"/api/changes", "since: missing"},
            {"/api/changes?since=abc", "since: must be a number"},
            {"/api/changes?since=-1", "since: must be a number"},
            {"/api/changes?since=%2B1", "since: must be a number"},
            {"/api/changes?since=4", "since: 4 is above the latest version (3)"},
            {"/api/changes?since=3&feed=continuous", "feed: must be normal, longpoll or eventsource"},
            {"/api/changes?since=3&feed=longpoll&timeout=soon", "timeout: must be a number"},
            {"/api/changes?feed=eventsource&since=x", "since: must be a number"},
            {"/api/changes?feed=eventsource&since=9", "since: 9 is above the latest version (3)"},
        };
        for (String[] c : cases) {
            Http.Response r = http.get(c[0]);
            assertThat(r.status()).as(c[0] + " " + r).isEqualTo(400);
            assertThat(r.body()).as(c[0]).contains("\"error\":\"invalid_request\"", c[1], "\"status\":400");
        }
        assertThat(daemon.http().as("nobody").get("/api/changes?since=1").status()).isEqualTo(404);
    }

    @Test
    void a_long_poll_wakes_on_the_next_version_and_times_out_empty() throws Exception {
        Http http = daemon.http().as("longpoll");
        http.postJson("/api/backup", V1);
        VersionWatch watch = watch(daemon.context());
        int before = watch.waiting();
        CompletableFuture<HttpResponse<String>> waiting = HttpClient.newHttpClient().sendAsync(
                http.builder("/api/changes?since=1&feed=longpoll&timeout=30000").GET().build(), HttpResponse.BodyHandlers.ofString());
        await().atMost(WAIT).until(() -> watch.waiting() == before + 1);
        assertThat(waiting).isNotDone();
        http.postJson("/api/backup", V1.replace("Anaïs", "Anaïs B."));
        HttpResponse<String> woken = waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(woken.body()).isEqualTo("{\"from\":1,\"to\":2,\"exact\":true,\"upserts\":{\"customers\":"
                + "[{\"id\":\"c3\",\"name\":\"Anaïs B.\"}]},\"deletes\":{}}");
        await().atMost(WAIT).until(() -> watch.waiting() == before);

        Http.Response empty = http.get("/api/changes?since=2&feed=longpoll&timeout=200");
        assertThat(empty.status()).isEqualTo(200);
        assertThat(empty.body()).isEqualTo("{\"from\":2,\"to\":2,\"exact\":true,\"upserts\":{},\"deletes\":{}}");
        await().atMost(WAIT).until(() -> watch.waiting() == before);
    }

    @Test
    void an_event_stream_announces_each_new_version_and_beats() {
        Http http = daemon.http().as("stream");
        http.postJson("/api/backup", V1);
        try (EventStreamClient client = EventStreamClient.open(daemon.port(), "/api/changes?feed=eventsource",
                "X-User-Id", "stream")) {
            String head = client.awaitText(": connected", WAIT);
            assertThat(head).startsWith("HTTP/1.1 200").containsIgnoringCase("content-type: text/event-stream");
            http.postJson("/api/backup", V1.replace("Anaïs", "Anaïs B."));
            client.awaitText("event: change\ndata: {\"version\":2}\n\n", WAIT);
            client.awaitText(": hb\n\n", WAIT);
            http.postJson("/api/backup", V1.replace("Anaïs", "Anaïs C."));
            client.awaitText("id: 3\nevent: change\ndata: {\"version\":3}\n\n", WAIT);
        }
        // a listener that knows an older version hears of the latest at once; one that left is let go
        VersionWatch watch = watch(daemon.context());
        try (EventStreamClient late = EventStreamClient.open(daemon.port(), "/api/changes?feed=eventsource",
                "X-User-Id", "stream", "Last-Event-ID", "1")) {
            late.awaitText("data: {\"version\":3}", WAIT);
        }
        await().atMost(WAIT).until(() -> watch.waiting() == 0);
        // another user's versions are not announced to this one
        try (EventStreamClient other = EventStreamClient.open(daemon.port(), "/api/changes?feed=eventsource",
                "X-User-Id", "stream-other")) {
            other.awaitText(": connected", WAIT);
            http.postJson("/api/backup", V1.replace("Anaïs", "Anaïs D."));
            other.awaitText(": hb", WAIT);
            other.awaitText(": hb", WAIT);
            assertThat(other.seen()).doesNotContain("event: change");
        }
    }

    @Test
    void fifty_event_streams_take_no_thread_each() {
        Http http = daemon.http().as("many");
        http.postJson("/api/backup", V1);
        List<EventStreamClient> clients = new ArrayList<>();
        try {
            // first enough to have every event loop of the server started, then count
            int warm = 2 * Runtime.getRuntime().availableProcessors() + 2;
            open(clients, warm);
            int threadsBefore = Thread.getAllStackTraces().size();
            open(clients, 50);
            int threadsAfter = Thread.getAllStackTraces().size();
            assertThat(threadsAfter - threadsBefore).as("threads added by 50 more listeners").isLessThan(5);
            assertThat(watch(daemon.context()).waiting()).isEqualTo(clients.size());
            http.postJson("/api/backup", V1.replace("Anaïs", "Anaïs B."));
            for (EventStreamClient c : clients) {
                c.awaitText("data: {\"version\":2}", WAIT);
            }
        } finally {
            clients.forEach(EventStreamClient::close);
        }
        // closing the connections frees every waiter
        await().atMost(WAIT).until(() -> watch(daemon.context()).waiting() == 0);
    }

    private static void open(List<EventStreamClient> clients, int n) {
        List<EventStreamClient> opened = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            opened.add(EventStreamClient.open(daemon.port(), "/api/changes?feed=eventsource", "X-User-Id", "many"));
        }
        clients.addAll(opened);
        for (EventStreamClient c : opened) {
            c.awaitText(": connected", WAIT);
        }
    }

    @Test
    void listeners_over_the_bound_get_503_and_a_closed_one_frees_its_place(@TempDir Path dir) {
        try (RunningDaemon bounded = RunningDaemon.start(dir, "garagesync.changes.max-listeners", "2")) {
            Http http = bounded.http();
            http.postJson("/api/backup", V1);
            VersionWatch watch = watch(bounded.context());
            EventStreamClient first = EventStreamClient.open(bounded.port(), "/api/changes?feed=eventsource");
            try (EventStreamClient second = EventStreamClient.open(bounded.port(), "/api/changes?feed=eventsource")) {
                first.awaitText(": connected", WAIT);
                second.awaitText(": connected", WAIT);
                for (String refused : new String[] {"/api/changes?feed=eventsource", "/api/changes?since=1&feed=longpoll"}) {
                    Http.Response r = http.get(refused);
                    assertThat(r.status()).as(refused + " " + r).isEqualTo(503);
                    assertThat(r.header("Retry-After")).isNotNull();
                    assertThat(r.body()).contains("\"error\":\"busy\"", "garagesync.changes.max-listeners", "\"status\":503");
                }
                first.close();
                await().atMost(WAIT).until(() -> watch.waiting() == 1);
                try (EventStreamClient third = EventStreamClient.open(bounded.port(), "/api/changes?feed=eventsource")) {
                    third.awaitText(": connected", WAIT);
                }
            } finally {
                first.close();
            }
        }
    }

    @Test
    void in_token_mode_the_feed_asks_for_the_token_like_every_call(@TempDir Path dir) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path tokens = dir.resolve("tokens");
        String alice = new TokenFile(tokens).issue("alice");
        String bob = new TokenFile(tokens).issue("bob");
        try (RunningDaemon secured = RunningDaemon.start(data, "garagesync.auth.mode", "token",
                "garagesync.auth.tokens-file", tokens.toString(), "garagesync.changes.heartbeat", "300ms")) {
            Http asAlice = secured.http().with("Authorization", "Bearer " + alice);
            assertThat(asAlice.postJson("/api/backup", V1).status()).isEqualTo(201);
            Http nobody = secured.http();
            for (String path : new String[] {"/api/changes?since=1", "/api/changes?since=1&feed=longpoll",
                    "/api/changes?feed=eventsource"}) {
                Http.Response r = nobody.get(path);
                assertThat(r.status()).as(path + " " + r).isEqualTo(401);
                assertThat(r.body()).contains("\"error\":\"unauthorized\"");
                Http.Response forged = nobody.with("Authorization", "Bearer forged").get(path);
                assertThat(forged.status()).as(path).isEqualTo(401);
                // header mode's way in does not open token mode
                assertThat(nobody.as("alice").get(path).status()).as(path).isEqualTo(401);
            }
            assertThat(nobody.get("/api/changes?feed=eventsource&Authorization=Bearer%20" + alice).status()).isEqualTo(400);
            assertThat(asAlice.get("/api/changes?since=1").status()).isEqualTo(200);
            // bob has no backup: alice's versions are not his
            assertThat(secured.http().with("Authorization", "Bearer " + bob).get("/api/changes?since=1").status()).isEqualTo(404);
            try (EventStreamClient stream = EventStreamClient.open(secured.port(), "/api/changes?feed=eventsource",
                    "Authorization", "Bearer " + alice);
                 EventStreamClient bobs = EventStreamClient.open(secured.port(), "/api/changes?feed=eventsource",
                    "Authorization", "Bearer " + bob)) {
                stream.awaitText(": connected", WAIT);
                bobs.awaitText(": connected", WAIT);
                asAlice.postJson("/api/backup", V1.replace("Anaïs", "Anaïs B."));
                stream.awaitText("data: {\"version\":2}", WAIT);
                bobs.awaitText(": hb", WAIT);
                assertThat(bobs.seen()).doesNotContain("event: change");
            }
        }
    }

    static Http.Response patch(Http http, String body) {
        return http.send(http.builder("/api/backup").header("Content-Type", "application/json")
                .method("PATCH", HttpRequest.BodyPublishers.ofString(body)));
    }

    private static VersionWatch watch(CamelContext context) {
        return context.getRegistry().lookupByNameAndType("versionWatch", VersionWatch.class);
    }
}
