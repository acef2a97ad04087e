package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.delta.Layout;
import app.garagesync.testing.LayoutText;
import app.garagesync.store.delta.LayoutScanner;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The change-set applied from the base's layout finds its records by typed id however the base writes them
 * (escapes, 1 and 1.0, the id not first, spaces between records), from a layout with ids or without (one
 * rebuilt from a delta), and gives what a tree model of the change-set gives: a valid backup.
 */
class ChangeSetApplierTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final BackupReader READER = new BackupReader(200, 1_000_000);

    /** Ids as the base writes them, and as a change-set names the same record. */
    private static final String[][] IDS = {
        {"\"c1\"", "\"c1\""}, {"\"c\\u0032\"", "\"c2\""}, {"\"é3\"", "\"\\u00e93\""}, {"7", "7.0"},
        {"8", "8"}, {"\"9\"", "\"9\""}, {"\"a\\\"b\"", "\"a\\\"b\""},
    };

    @Test
    void a_random_change_set_gives_what_the_tree_model_gives_with_and_without_layout_ids() throws Exception {
        for (long seed = 0; seed < 300; seed++) {
            Random r = new Random(seed);
            String base = base(r);
            byte[] baseBytes = base.getBytes(StandardCharsets.UTF_8);
            READER.read(baseBytes);
            String changes = changeSet(r);
            ChangeSet cs = ChangeSet.parse(changes.getBytes(StandardCharsets.UTF_8), changes.getBytes(StandardCharsets.UTF_8).length,
                    READER.partsFactory());
            Layout scanned = LayoutScanner.scan(baseBytes, baseBytes.length);
            byte[] withIds = ChangeSetApplier.apply(scanned, cs).document();
            byte[] withoutIds = ChangeSetApplier.apply(scanned.withoutIds(), cs).document();
            String what = "seed " + seed + ": " + base + " + " + changes;
            assertThat(new String(withoutIds, StandardCharsets.UTF_8)).as(what).isEqualTo(new String(withIds, StandardCharsets.UTF_8));
            READER.read(withIds);
            assertThat(MAPPER.readTree(withIds)).as(what).isEqualTo(expected(base, changes));
            // the layout the applier hands to the merge is the one a scan of its output finds
            ChangeSetApplier.Result applied = ChangeSetApplier.apply(scanned, cs);
            assertThat(LayoutText.describe(applied.layout())).as(what).isEqualTo(LayoutText.describe(LayoutScanner.scan(applied.buffer(), applied.length())));
            assertThat(applied.layout().materialize()).as(what).isEqualTo(withIds);
        }
    }

    private static String base(Random r) {
        List<String> records = new ArrayList<>();
        for (String[] id : IDS) {
            if (r.nextInt(4) > 0) {
                String name = "\"name\":\"n" + r.nextInt(100) + "\"";
                records.add(r.nextBoolean() ? "{\"id\":" + id[0] + "," + name + "}" : "{" + name + ", \"id\": " + id[0] + "}");
            }
        }
        String sep = r.nextBoolean() ? "," : " ,\n  ";
        return "{\"timestamp\":\"t0\",\"data\":{\"customers\":[ " + String.join(sep, records) + " ],\"empty\":[],"
                + "\"settings\":{\"vat\":20}}}";
    }

    private static String changeSet(Random r) {
        List<String> upserts = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        java.util.Set<String> named = new java.util.HashSet<>();
        for (String[] id : IDS) {
            int what = r.nextInt(4);
            if (what == 1 && named.add(id[1])) {
                upserts.add("{\"id\":" + id[1] + ",\"name\":\"new" + r.nextInt(100) + "\"}");
            } else if (what == 2) {
                deletes.add(id[1]);
            }
        }
        if (r.nextBoolean()) {
            upserts.add("{\"id\":\"fresh\",\"name\":\"x\"}");
        }
        String other = r.nextBoolean() ? ",\"vehicles\":[{\"id\":1,\"plate\":\"AB\"}]" : "";
        return "{\"baseVersion\":1,\"upserts\":{\"customers\":[" + String.join(",", upserts) + "]" + other + "},"
                + "\"deletes\":{\"customers\":[" + String.join(",", deletes) + "]}}";
    }

    /** The change-set applied to the base's tree, records matched by typed id. */
    private static JsonNode expected(String base, String changes) throws Exception {
        ObjectNode doc = (ObjectNode) MAPPER.readTree(base);
        JsonNode cs = MAPPER.readTree(changes);
        ObjectNode data = (ObjectNode) doc.get("data");
        var names = cs.get("upserts").fieldNames();
        while (names.hasNext()) {
            String c = names.next();
            ArrayNode records = (ArrayNode) data.get(c);
            List<JsonNode> deleted = new ArrayList<>();
            cs.path("deletes").path(c).forEach(deleted::add);
            ArrayNode out = MAPPER.createArrayNode();
            List<JsonNode> upserts = new ArrayList<>();
            cs.get("upserts").get(c).forEach(upserts::add);
            List<JsonNode> used = new ArrayList<>();
            if (records != null) {
                for (JsonNode rec : records) {
                    if (deleted.stream().anyMatch(d -> sameId(d, rec.get("id")))) {
                        continue;
                    }
                    JsonNode replacement = upserts.stream().filter(u -> sameId(u.get("id"), rec.get("id"))).findFirst().orElse(null);
                    out.add(replacement != null ? replacement : rec);
                    if (replacement != null) {
                        used.add(replacement);
                    }
                }
            }
            for (JsonNode u : upserts) {
                if (!used.contains(u) && deleted.stream().noneMatch(d -> sameId(d, u.get("id")))) {
                    out.add(u);
                }
            }
            data.set(c, out); // a new collection goes after the others: trees compare without order
        }
        return doc;
    }

    private static boolean sameId(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.isTextual() && b.isTextual() && a.asText().equals(b.asText());
    }
}
