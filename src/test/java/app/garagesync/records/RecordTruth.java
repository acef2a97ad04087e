package app.garagesync.records;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.Json;
import app.garagesync.testing.Http;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Ground truth for the record index, computed here from the documents of the versions as they were
 * posted (or read back right after a merge): each version's records by collection and id, and from
 * them what a history or a diff over the versions still kept must say. A record is compared as a JSON
 * tree; the tests write every record one way only, so bytes and trees agree.
 */
public final class RecordTruth {

    /** One record: its collection and id as JSON text ({@code "c1"} or {@code 3}). */
    public record Rec(String collection, String id) {
        /** The id as a URL path segment: a string id that reads as a number keeps its quotes. */
        String path() {
            String text = id.startsWith("\"") && !id.matches("\"-?[0-9][0-9.eE+-]*\"") ? id.substring(1, id.length() - 1) : id;
            return "/api/records/" + collection + "/" + URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
        }
    }

    private final TreeMap<Long, Map<Rec, JsonNode>> versions = new TreeMap<>();

    /** Remembers version {@code v} as {@code doc}. */
    public void add(long v, String doc) {
        Map<Rec, JsonNode> records = new LinkedHashMap<>();
        try {
            JsonNode data = Json.MAPPER.readTree(doc).get("data");
            Iterator<Map.Entry<String, JsonNode>> it = data.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> c = it.next();
                if (c.getKey().equals("settings") || !c.getValue().isArray()) {
                    continue;
                }
                for (JsonNode r : c.getValue()) {
                    records.put(new Rec(c.getKey(), Json.MAPPER.writeValueAsString(r.get("id"))), r);
                }
            }
        } catch (Exception e) {
            throw new AssertionError("not a backup: " + doc, e);
        }
        versions.put(v, records);
    }

    /** Remembers version {@code v} as the daemon serves it. */
    public void fetch(Http http, long v) {
        Http.Response r = http.get("/api/backup?version=" + v);
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        add(v, r.body());
    }

    JsonNode record(long v, Rec rec) {
        return versions.get(v).get(rec);
    }

    /** Every record of any of these versions. */
    public Set<Rec> records(NavigableSet<Long> kept) {
        Set<Rec> out = new java.util.LinkedHashSet<>();
        kept.forEach(v -> out.addAll(versions.get(v).keySet()));
        return out;
    }

    /** Every record of any version posted, kept or not. */
    Set<Rec> everRecords() {
        return records(versions.navigableKeySet());
    }

    /** A record's history over the kept versions, newest first, as the contract says it. */
    List<Garage.Change> history(NavigableSet<Long> kept, boolean prunedBefore, Rec rec) {
        List<Garage.Change> out = new ArrayList<>();
        JsonNode before = null;
        for (long v : kept) {
            JsonNode after = record(v, rec);
            if (!Objects.equals(before, after)) {
                String kind = v == kept.first() && prunedBefore ? "present" : before == null ? "inserted"
                        : after == null ? "deleted" : "updated";
                out.add(0, new Garage.Change(v, kind));
            }
            before = after;
        }
        return out;
    }

    /** Per collection and kind, the ids (JSON text, sorted) that differ from one version to the other. */
    Map<String, Map<String, Set<String>>> diff(long from, long to) {
        Map<String, Map<String, Set<String>>> out = new TreeMap<>();
        Set<Rec> all = new java.util.HashSet<>(versions.get(from).keySet());
        all.addAll(versions.get(to).keySet());
        for (Rec rec : all) {
            JsonNode a = record(from, rec);
            JsonNode b = record(to, rec);
            if (!Objects.equals(a, b)) {
                String kind = a == null ? "inserted" : b == null ? "deleted" : "updated";
                out.computeIfAbsent(rec.collection(), k -> new TreeMap<>()).computeIfAbsent(kind, k -> new TreeSet<>())
                        .add(rec.id());
            }
        }
        return out;
    }

    /**
     * Asks the daemon, over HTTP, the history of every record ever posted and a few diffs, and checks each
     * answer against the truth over the versions it keeps (read from {@code /api/backup/versions}).
     */
    void check(Http http, boolean prunedBefore) throws Exception {
        checkHistories(http, prunedBefore, everRecords());
        NavigableSet<Long> kept = kept(http);
        List<Long> list = new ArrayList<>(kept);
        for (long[] pair : new long[][] {{list.get(0), kept.last()}, {list.get(list.size() / 2), kept.last()},
            {kept.last(), list.get(0)}}) {
            Http.Response r = http.get("/api/diff?from=" + pair[0] + "&to=" + pair[1]);
            assertThat(r.status()).as(r.toString()).isEqualTo(200);
            assertThat(diffIds(Json.MAPPER.readTree(r.bytes()))).as("diff %d..%d", pair[0], pair[1])
                    .isEqualTo(diff(pair[0], pair[1]));
        }
    }

    /** Checks the history of these records (of any version posted) against the truth over the versions kept. */
    public void checkHistories(Http http, boolean prunedBefore, java.util.Collection<Rec> records) throws Exception {
        NavigableSet<Long> kept = kept(http);
        for (Rec rec : records) {
            Http.Response r = http.get(rec.path() + "/history");
            List<Garage.Change> expected = history(kept, prunedBefore, rec);
            if (expected.isEmpty()) {
                assertThat(r.status()).as("%s: %s", rec, r).isEqualTo(404);
                assertThat(r.body()).contains("\"status\":404");
                continue;
            }
            assertThat(r.status()).as("%s: %s", rec, r).isEqualTo(200);
            JsonNode answer = Json.MAPPER.readTree(r.bytes());
            List<Garage.Change> got = new ArrayList<>();
            for (JsonNode e : answer.get("history")) {
                long v = e.get("version").asLong();
                got.add(new Garage.Change(v, e.get("change").asText()));
                JsonNode truth = record(v, rec);
                assertThat(e.get("record")).as("%s in version %d", rec, v).isEqualTo(truth == null ? NullNode.getInstance() : truth);
            }
            assertThat(got).as("history of %s over versions %s", rec, kept).isEqualTo(expected);
            assertThat(answer.at("/spans/from").asLong()).as("%s spans.from", rec).isEqualTo(kept.first());
            assertThat(answer.at("/spans/to").asLong()).as("%s spans.to", rec).isEqualTo(kept.last());
            assertThat(answer.get("olderVersionsPruned").asBoolean()).as("%s olderVersionsPruned", rec).isEqualTo(prunedBefore);
        }
    }

    /** The versions the daemon keeps for the caller (none before the first backup). */
    public static NavigableSet<Long> kept(Http http) throws Exception {
        NavigableSet<Long> kept = new TreeSet<>();
        Http.Response r = http.get("/api/backup/versions");
        if (r.status() == 404) {
            return kept;
        }
        assertThat(r.status()).as(r.toString()).isEqualTo(200);
        for (JsonNode v : Json.MAPPER.readTree(r.bytes()).get("versions")) {
            kept.add(v.get("id").asLong());
        }
        return kept;
    }

    private static Map<String, Map<String, Set<String>>> diffIds(JsonNode diff) throws Exception {
        Map<String, Map<String, Set<String>>> out = new TreeMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = diff.get("collections").fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> c = it.next();
            for (String kind : List.of("inserted", "updated", "deleted")) {
                for (JsonNode id : c.getValue().get(kind)) {
                    out.computeIfAbsent(c.getKey(), k -> new TreeMap<>()).computeIfAbsent(kind, k -> new TreeSet<>())
                            .add(Json.MAPPER.writeValueAsString(id));
                }
            }
        }
        return out;
    }
}
