package app.garagesync.records;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import app.garagesync.Json;
import app.garagesync.auth.TokenFile;
import app.garagesync.testing.Http;
import app.garagesync.testing.RunningDaemon;
import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The records API over real HTTP against the started daemon, checked against ground truth computed here
 * from the versions posted ({@link Garage}).
 */
class RecordsApiTest {

    /** Five versions: edits, an insert, a delete; ids as strings and numbers, accents in names. */
    private static Garage postFive(Http http) {
        Garage g = new Garage();
        g.put("customers", "\"c1\"", "\"name\":\"Élodie Müller\",\"phone\":\"0601\"")
                .put("customers", "\"c2\"", "\"name\":\"Jean DUPONT\",\"phone\":\"0602\"")
                .put("customers", "\"c3\"", "\"name\":\"Zoé Lefèvre\",\"note\":\"ligne 1\\nligne 2 🚗\"")
                .put("vehicles", "1", "\"plate\":\"AB-123-CD\",\"customerId\":\"c1\"")
                .put("vehicles", "2", "\"plate\":\"EF-456-GH\",\"customerId\":\"c2\"")
                .put("invoices", "\"F-1\"", "\"amount\":19.90,\"counter\":12345678901234567890123")
                .put("stock", "\"42\"", "\"label\":\"Filtre à huile\"");
        post(http, g.snapshot());
        g.put("customers", "\"c2\"", "\"name\":\"Jean DUPONT\",\"phone\":\"0699\"")
                .put("vehicles", "3", "\"plate\":\"IJ-789-KL\",\"customerId\":\"c3\"");
        post(http, g.snapshot());
        g.delete("customers", "\"c3\"").put("vehicles", "1", "\"plate\":\"AB-124-CD\",\"customerId\":\"c1\"");
        post(http, g.snapshot());
        g.put("invoices", "\"F-2\"", "\"amount\":120.00,\"counter\":1");
        post(http, g.snapshot());
        g.put("customers", "\"c2\"", "\"name\":\"Jean Dupont\",\"phone\":\"0699\",\"email\":\"jd@example.fr\"");
        post(http, g.snapshot());
        return g;
    }

    private static void post(Http http, String doc) {
        Http.Response r = http.postJson("/api/backup", doc);
        assertThat(r.status()).as(r.toString()).isEqualTo(201);
    }

    private static JsonNode json(Http.Response r) throws Exception {
        return Json.MAPPER.readTree(r.bytes());
    }

    private static List<Garage.Change> history(JsonNode answer) {
        List<Garage.Change> out = new ArrayList<>();
        answer.get("history").forEach(e -> out.add(new Garage.Change(e.get("version").asLong(), e.get("change").asText())));
        return out;
    }

    @Test
    void should_serve_records_latest_and_as_of_byte_for_byte(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            Garage g = postFive(http);
            Http.Response latest = http.get("/api/records/customers/c2");
            assertThat(latest.status()).as(latest.toString()).isEqualTo(200);
            assertThat(latest.body()).isEqualTo(g.record(5, "customers", "\"c2\""));
            assertThat(latest.header("X-Garage-Sync-Version")).isEqualTo("5");
            assertThat(http.get("/api/records/customers/c2?version=1").body()).isEqualTo(g.record(1, "customers", "\"c2\""));
            assertThat(http.get("/api/records/customers/c3?version=2").body()).isEqualTo(g.record(2, "customers", "\"c3\""));
            assertThat(http.get("/api/records/invoices/F-1").body()).isEqualTo(g.record(5, "invoices", "\"F-1\""));
            // a number in the path is the number; quoted, the string
            assertThat(http.get("/api/records/vehicles/1").body()).isEqualTo(g.record(5, "vehicles", "1"));
            assertThat(http.get("/api/records/vehicles/1.0").body()).isEqualTo(g.record(5, "vehicles", "1"));
            assertThat(http.get("/api/records/vehicles/%221%22").status()).isEqualTo(404);
            assertThat(http.get("/api/records/stock/%2242%22").body()).isEqualTo(g.record(5, "stock", "\"42\""));
            assertThat(http.get("/api/records/stock/42").status()).isEqualTo(404);
            Http.Response deleted = http.get("/api/records/customers/c3");
            assertThat(deleted.status()).isEqualTo(404);
            assertThat(deleted.body()).contains("\"error\":\"not_found\"").contains("c3").contains("customers");
        }
    }

    @Test
    void should_answer_history_from_the_index_through_delete_and_restores(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            Garage g = postFive(http);
            JsonNode c2 = json(http.get("/api/records/customers/c2/history"));
            assertThat(history(c2)).isEqualTo(g.history("customers", "\"c2\"", 1, 5));
            assertThat(c2.get("history").get(0).get("fields").toString()).isEqualTo("[\"name\",\"email\"]");
            assertThat(c2.get("history").get(1).get("fields").toString()).isEqualTo("[\"phone\"]");
            assertThat(c2.get("history").get(0).get("record")).isEqualTo(Json.MAPPER.readTree(g.record(5, "customers", "\"c2\"")));
            assertThat(c2.get("spans").toString()).isEqualTo("{\"from\":1,\"to\":5}");
            assertThat(c2.get("olderVersionsPruned").asBoolean()).isFalse();
            assertThat(history(json(http.get("/api/records/vehicles/1/history")))).isEqualTo(g.history("vehicles", "1", 1, 5));

            // undelete c3 as it was in version 2: a new version, everything else byte for byte
            Http.Response undelete = http.postJson("/api/records/restore", "{\"collection\":\"customers\",\"id\":\"c3\",\"version\":2}");
            assertThat(undelete.status()).as(undelete.toString()).isEqualTo(201);
            assertThat(json(undelete).get("version").asLong()).isEqualTo(6);
            g.put("customers", "\"c3\"", g.record(2, "customers", "\"c3\"").substring("{\"id\":\"c3\",".length()).replaceFirst("}$", ""));
            assertThat(http.get("/api/backup").body()).isEqualTo(g.snapshot());
            // undo c2's edits: back to version 1, in its place
            Http.Response undo = http.postJson("/api/records/restore", "{\"collection\":\"customers\",\"id\":\"c2\",\"version\":1}");
            assertThat(undo.status()).as(undo.toString()).isEqualTo(201);
            g.put("customers", "\"c2\"", "\"name\":\"Jean DUPONT\",\"phone\":\"0602\"");
            assertThat(http.get("/api/backup").body()).isEqualTo(g.snapshot());
            // undo an insertion: vehicle 3 was not there in version 1
            Http.Response remove = http.postJson("/api/records/restore", "{\"collection\":\"vehicles\",\"id\":3,\"version\":1}");
            assertThat(remove.status()).as(remove.toString()).isEqualTo(201);
            g.delete("vehicles", "3");
            assertThat(http.get("/api/backup").body()).isEqualTo(g.snapshot());
            // the same again: nothing to do, nothing stored
            Http.Response again = http.postJson("/api/records/restore", "{\"collection\":\"vehicles\",\"id\":3,\"version\":1}");
            assertThat(again.status()).isEqualTo(404);
            Http.Response same = http.postJson("/api/records/restore", "{\"collection\":\"customers\",\"id\":\"c2\",\"version\":1}");
            assertThat(same.status()).as(same.toString()).isEqualTo(200);
            assertThat(json(same).get("unchanged").asBoolean()).isTrue();

            assertThat(history(json(http.get("/api/records/customers/c3/history")))).isEqualTo(g.history("customers", "\"c3\"", 1, 8))
                    .extracting(Garage.Change::change).containsExactly("inserted", "deleted", "inserted");
            assertThat(history(json(http.get("/api/records/customers/c2/history")))).isEqualTo(g.history("customers", "\"c2\"", 1, 8));
            assertThat(history(json(http.get("/api/records/vehicles/3/history")))).isEqualTo(g.history("vehicles", "3", 1, 8));
            JsonNode limited = json(http.get("/api/records/customers/c2/history?limit=1"));
            assertThat(history(limited)).containsExactly(g.history("customers", "\"c2\"", 1, 8).get(0));
            assertThat(limited.get("more").asBoolean()).isTrue();
        }
    }

    @Test
    void should_diff_two_versions_per_collection_with_or_without_records(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            Garage g = postFive(http);
            for (long[] pair : new long[][] {{1, 5}, {2, 3}, {3, 2}, {4, 4}}) {
                JsonNode d = json(http.get("/api/diff?from=" + pair[0] + "&to=" + pair[1]));
                assertThat(d.get("from").asLong()).isEqualTo(pair[0]);
                assertThat(d.get("to").asLong()).isEqualTo(pair[1]);
                assertThat(ids(d)).as("diff %s", pair).isEqualTo(g.diff(pair[0], pair[1]));
            }
            JsonNode full = json(http.get("/api/diff?from=1&to=5&records=true"));
            JsonNode records = full.get("collections").get("customers").get("records");
            assertThat(records).hasSize(2);
            for (JsonNode r : records) {
                String id = Json.MAPPER.writeValueAsString(r.get("id"));
                assertThat(r.get("before")).isEqualTo(nodeOrNull(g.record(1, "customers", id)));
                assertThat(r.get("after")).isEqualTo(nodeOrNull(g.record(5, "customers", id)));
            }
        }
    }

    private static JsonNode nodeOrNull(String json) throws Exception {
        return json == null ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : Json.MAPPER.readTree(json);
    }

    /** The answer's ids per collection and kind, as JSON text, kinds left out when empty. */
    private static Map<String, Map<String, List<String>>> ids(JsonNode diff) throws Exception {
        Map<String, Map<String, List<String>>> out = new java.util.TreeMap<>();
        var it = diff.get("collections").fields();
        while (it.hasNext()) {
            var c = it.next();
            for (String kind : List.of("inserted", "updated", "deleted")) {
                List<String> list = new ArrayList<>();
                for (JsonNode id : c.getValue().get(kind)) {
                    list.add(Json.MAPPER.writeValueAsString(id));
                }
                if (!list.isEmpty()) {
                    out.computeIfAbsent(c.getKey(), k -> new LinkedHashMap<>()).put(kind, list);
                }
            }
        }
        return out;
    }

    @Test
    void should_find_records_ignoring_case_and_accents(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            Garage g = postFive(http);
            assertThat(found(http, "customers", "ELODIE")).containsExactly(g.record(5, "customers", "\"c1\""));
            assertThat(found(http, "customers", "müll")).containsExactly(g.record(5, "customers", "\"c1\""));
            assertThat(found(http, "customers", "dupont")).containsExactly(g.record(5, "customers", "\"c2\""));
            assertThat(found(http, "customers", "zoe")).isEmpty(); // deleted in version 3
            assertThat(found(http, "vehicles", "ab-124")).containsExactly(g.record(5, "vehicles", "1"));
            assertThat(found(http, "stock", "FILTRE A HUILE")).containsExactly(g.record(5, "stock", "\"42\""));
            assertThat(found(http, "customers", "%C3%A9lodie%20M%C3%9CLLER")).containsExactly(g.record(5, "customers", "\"c1\""));
        }
    }

    @Test
    void should_find_a_deleted_record_as_it_was_when_asked_for_deleted_ones(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            Garage g = postFive(http);
            // c3 was deleted in version 3: the latest cannot find it, deleted=true does, as version 2 had it
            Http.Response r = http.get("/api/records/customers?q=ZOE%20lefevre&deleted=true");
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            JsonNode answer = json(r);
            assertThat(answer.get("records")).isEmpty();
            assertThat(answer.get("deleted")).hasSize(1);
            assertThat(answer.get("deletedComplete").asBoolean()).isTrue();
            JsonNode gone = answer.get("deleted").get(0);
            assertThat(gone.get("id").asText()).isEqualTo("c3");
            assertThat(gone.get("deletedIn").asLong()).isEqualTo(3);
            assertThat(gone.get("lastSeenIn").asLong()).isEqualTo(2);
            assertThat(r.body()).contains("\"record\":" + g.record(2, "customers", "\"c3\""));
            // a record still there is not listed as deleted; without the parameter nothing changes
            assertThat(json(http.get("/api/records/customers?q=dupont&deleted=true")).get("deleted")).isEmpty();
            assertThat(json(http.get("/api/records/customers?q=zoe")).has("deleted")).isFalse();
            Http.Response bad = http.get("/api/records/customers?q=zoe&deleted=yes");
            assertThat(bad.status()).isEqualTo(400);
            assertThat(bad.body()).contains("deleted");
        }
    }

    @Test
    void should_bound_the_versions_a_search_of_deleted_records_reads_and_say_so(@TempDir Path dir) throws Exception {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            int n = RecordsApi.MAX_DELETED_VERSIONS_READ + 2;
            // version 1 holds customers d1..dn; version k+1 deletes dk: n versions, each deleting one
            for (int v = 1; v <= n + 1; v++) {
                StringBuilder customers = new StringBuilder();
                for (int k = v; k <= n; k++) {
                    customers.append(customers.length() == 0 ? "" : ",")
                            .append("{\"id\":\"d").append(k).append("\",\"name\":\"Dupont ").append(k).append("\"}");
                }
                String body = "{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\",\"data\":{\"customers\":[" + customers + "],\"vehicles\":[]}}";
                assertThat(http.postJson("/api/backup", body).status()).as("version " + v).isEqualTo(201);
            }
            JsonNode answer = json(http.get("/api/records/customers?q=dupont&deleted=true"));
            assertThat(answer.get("deletedComplete").asBoolean()).isFalse();
            // the most recent deletions first, one version read for each
            assertThat(answer.get("deleted")).hasSize(RecordsApi.MAX_DELETED_VERSIONS_READ);
            assertThat(answer.get("deleted").get(0).get("id").asText()).isEqualTo("d" + n);
            JsonNode narrow = json(http.get("/api/records/customers?q=dupont%20" + n + "&deleted=true"));
            assertThat(narrow.get("deleted")).hasSize(1);
            assertThat(narrow.get("deletedComplete").asBoolean()).isFalse();
        }
    }

    @Test
    void should_refuse_bad_names_ids_and_versions_with_json_errors(@TempDir Path dir) {
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            postFive(http);
            for (String path : List.of("/api/records/cust%01omers/c1", "/api/records/customers/c%0A1",
                    "/api/records/customers/" + "x".repeat(201), "/api/records/customers/c1?version=abc",
                    "/api/records/settings/c1", "/api/records/customers", "/api/diff?from=1", "/api/diff?from=1&to=x",
                    "/api/diff?from=1&to=2&records=maybe", "/api/records/customers/c1/history?limit=0")) {
                Http.Response r = http.get(path);
                assertThat(r.status()).as(path).isEqualTo(400);
                assertThat(r.body()).as(path).contains("\"error\":\"invalid_request\"").contains("\"status\":400");
            }
            for (String path : List.of("/api/records/parts/c1", "/api/records/customers/nobody",
                    "/api/records/customers/c1?version=99", "/api/diff?from=1&to=99", "/api/records/parts?q=x",
                    "/api/records/customers/nobody/history")) {
                assertThat(http.get(path).status()).as(path).isEqualTo(404);
            }
            assertThat(http.postJson("/api/records/restore", "[1]").status()).isEqualTo(400);
            assertThat(http.postJson("/api/records/restore", "{\"collection\":\"customers\",\"id\":\"c1\",\"version\":0}").status()).isEqualTo(400);
            assertThat(http.postJson("/api/records/restore", "{\"collection\":\"customers\",\"id\":\"c1\",\"version\":99}").status()).isEqualTo(404);
            // another user sees none of it
            Http other = daemon.http().as("other");
            assertThat(other.get("/api/records/customers/c1").status()).isEqualTo(404);
            assertThat(other.get("/api/records/customers/c1/history").status()).isEqualTo(404);
            assertThat(other.get("/api/diff?from=1&to=5").status()).isEqualTo(404);
            assertThat(other.postJson("/api/records/restore", "{\"collection\":\"customers\",\"id\":\"c1\",\"version\":1}").status()).isEqualTo(404);
        }
    }

    @Test
    void should_keep_the_index_across_a_restart_and_rebuild_it_when_deleted(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("cache/records/shop.jsonl");
        Garage g;
        String before;
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            g = postFive(daemon.http().as("shop"));
            before = daemon.http().as("shop").get("/api/records/customers/c2/history").body();
        }
        assertThat(file).exists();
        String indexed = Files.readString(file);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            Http http = daemon.http().as("shop");
            assertThat(http.get("/api/records/customers/c2/history").body()).isEqualTo(before);
            assertThat(Files.readString(file)).isEqualTo(indexed); // read back, not rebuilt
            g.put("customers", "\"c2\"", "\"name\":\"J. Dupont\"");
            post(http, g.snapshot());
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(file).contains("[\"V\",6]"));
            assertThat(history(json(http.get("/api/records/customers/c2/history")))).isEqualTo(g.history("customers", "\"c2\"", 1, 6));
        }
        Files.delete(file);
        try (RunningDaemon daemon = RunningDaemon.start(dir)) {
            assertThat(history(json(daemon.http().as("shop").get("/api/records/customers/c2/history"))))
                    .isEqualTo(g.history("customers", "\"c2\"", 1, 6));
            assertThat(file).exists();
        }
    }

    private static List<String> found(Http http, String collection, String q) throws Exception {
        Http.Response r = http.get("/api/records/" + collection + "?q=" + q.replace(" ", "%20"));
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        List<String> out = new ArrayList<>();
        // records come as their stored bytes: each one found is in the body exactly so
        for (JsonNode n : json(r).get("records")) {
            String id = Json.MAPPER.writeValueAsString(n.get("id"));
            String stored = http.get("/api/records/" + collection + "/" + n.get("id").asText()
                    .replace("42", "%2242%22")).body();
            assertThat(r.body()).contains(stored);
            assertThat(Json.MAPPER.readTree(stored)).isEqualTo(n);
            out.add(stored);
        }
        return out;
    }
}
