package app.garagesync.merge;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.backup.BackupReader;
import app.garagesync.store.delta.LayoutScanner;
import app.garagesync.testing.LayoutText;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The merge's promises on random documents: a random base, and the latest and the device each made from
 * it by random edits (fields set and removed, records added and deleted, garage, settings and timestamp
 * changed). Ids mix strings and numbers that look alike ("1" and 1), so typing is exercised too. The
 * expected outcome is worked out here on whole trees, independently of the engine's byte spans.
 *
 * <p>Each property runs on {@link #TRIES} scenarios drawn from fixed seeds (plain JUnit: the jqwik engine
 * asks AI agents not to use it, and this code is written with one); a failure names its seed, and
 * {@code -Dmerge.seed=N} runs that one scenario alone.
 */
class ThreeWayMergeProperties {

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS).build();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final BackupReader READER = new BackupReader(200, 1_000_000);
    private static final Comparator<JsonNode> SAME = (a, b) -> a.isNumber() && b.isNumber()
            ? a.decimalValue().compareTo(b.decimalValue()) : a.equals(b) ? 0 : 1;

    private static final List<String> COLLECTIONS = List.of("customers", "vehicles", "parts");
    private static final List<JsonNode> IDS = List.of(NODES.numberNode(1), NODES.numberNode(2), NODES.numberNode(3),
            NODES.textNode("1"), NODES.textNode("2"), NODES.textNode("x"), NODES.numberNode(new BigDecimal("10.5")),
            NODES.textNode("é"));
    private static final List<String> FIELDS = List.of("name", "phone", "address", "total", "note");
    private static final List<JsonNode> VALUES = List.of(NODES.numberNode(0), NODES.numberNode(1), NODES.textNode("a"),
            NODES.textNode("b\n\"c\""), NODES.objectNode().put("city", "Lyon"), NODES.nullNode(),
            NODES.arrayNode().add(1).add(2), NODES.numberNode(new BigDecimal("2.50")));

    /** One random edit; which numbers mean what is in {@link #apply}. */
    record Edit(int kind, int collection, int id, int field, int value) {
    }

    record Scenario(List<Edit> baseRecords, List<Edit> latestEdits, List<Edit> deviceEdits) {
    }

    private static final int TRIES = 400;

    /** Runs {@code check} on {@link #TRIES} seeded scenarios (or the one named by -Dmerge.seed), naming the seed of a failure. */
    private static void forEachScenario(ScenarioCheck check) throws Exception {
        String one = System.getProperty("merge.seed");
        long from = one == null ? 0 : Long.parseLong(one);
        long to = one == null ? TRIES : from + 1;
        for (long seed = from; seed < to; seed++) {
            Random random = new Random(seed);
            Scenario s = new Scenario(edits(random, 20), edits(random, 8), edits(random, 8));
            try {
                check.run(s, random);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("scenario of seed " + seed + " (-Dmerge.seed=" + seed + "): " + s, e);
            }
        }
    }

    private interface ScenarioCheck {
        void run(Scenario s, Random random) throws Exception;
    }

    private static List<Edit> edits(Random random, int max) {
        List<Edit> edits = new ArrayList<>();
        for (int n = random.nextInt(max + 1); n > 0; n--) {
            edits.add(new Edit(random.nextInt(9), random.nextInt(COLLECTIONS.size()), random.nextInt(IDS.size()),
                    random.nextInt(FIELDS.size()), random.nextInt(VALUES.size())));
        }
        return edits;
    }

    @Test
    void every_change_not_in_a_conflict_is_in_the_result() throws Exception {
        forEachScenario((s, random) -> everyChangeNotInAConflictIsInTheResult(s));
    }

    private static void everyChangeNotInAConflictIsInTheResult(Scenario s) throws Exception {
        Sides sides = sides(s);
        JsonNode result = mergedTree(sides);
        Set<Key> conflicts = expectedConflicts(sides);
        Map<Key, JsonNode> byLatest = changes(sides.base, sides.latest);
        Map<Key, JsonNode> byDevice = changes(sides.base, sides.device);
        for (Map<Key, JsonNode> changes : List.of(byLatest, byDevice)) {
            for (Map.Entry<Key, JsonNode> c : changes.entrySet()) {
                Key k = c.getKey();
                if (conflicts.contains(k) || conflicts.contains(new Key(k.collection, k.id, null))) {
                    continue;
                }
                JsonNode now = valueIn(result, k);
                assertThat(same(now, c.getValue())).as("%s should be %s in %s", k, c.getValue(), result).isTrue();
            }
        }
        // other members: the device's when it changed them, else the latest's
        JsonNode timestamp = sides.device.get("timestamp").equals(sides.base.get("timestamp"))
                ? sides.latest.get("timestamp") : sides.device.get("timestamp");
        assertThat(result.get("timestamp")).isEqualTo(timestamp);
    }

    @Test
    void merging_a_side_with_an_unchanged_other_side_gives_that_side() throws Exception {
        forEachScenario((s, random) -> mergingWithAnUnchangedSide(s));
    }

    private static void mergingWithAnUnchangedSide(Scenario s) throws Exception {
        Sides sides = sides(s);
        byte[] base = compact(sides.base);
        byte[] latest = compact(sides.latest);
        byte[] device = compact(sides.device);
        assertThat(ThreeWayMerge.merge(base, base, device, 2).document()).isEqualTo(device);
        assertThat(ThreeWayMerge.merge(base, latest, base, 2).document()).isEqualTo(latest);
        // the same when the unchanged side was re-serialized (spacing, escapes) rather than copied
        byte[] reformatted = pretty(sides.base);
        assertThat(tree(check(ThreeWayMerge.merge(base, reformatted, device, 2)))).isEqualTo(sides.device);
        assertThat(tree(check(ThreeWayMerge.merge(base, latest, reformatted, 2)))).isEqualTo(sides.latest);
        assertThat(ThreeWayMerge.merge(base, reformatted, device, 2).conflicts()).isEmpty();
    }

    @Test
    void conflicts_list_exactly_the_fields_both_sides_changed_differently() throws Exception {
        forEachScenario((s, random) -> conflictsListExactlyTheFields(s));
    }

    private static void conflictsListExactlyTheFields(Scenario s) throws Exception {
        Sides sides = sides(s);
        MergeResult r = ThreeWayMerge.merge(compact(sides.base), compact(sides.latest), compact(sides.device), 9);
        JsonNode result = tree(check(r));
        List<Key> listed = new ArrayList<>();
        for (MergeConflict c : r.conflicts()) {
            Key k = new Key(c.collection(), c.id() == null ? null : idKey(MAPPER.valueToTree(c.id())), c.field());
            listed.add(k);
            assertThat(c.overwrittenIn()).isEqualTo(9);
            assertThat(same(orMissing(c.kept()), valueIn(result, k))).as("kept of %s", k).isTrue();
            if (c.field() != null) {
                assertThat(same(orMissing(c.overwritten()), valueIn(sides.latest, k))).as("overwritten of %s", k).isTrue();
            } else {
                assertThat(c.overwritten()).isNull();
            }
        }
        assertThat(listed).doesNotHaveDuplicates();
        assertThat(new HashSet<>(listed)).isEqualTo(expectedConflicts(sides));
    }

    @Test
    void the_summary_from_the_merge_is_the_one_validation_reads() throws Exception {
        int compared = forEachWrittenMerge(false, (r, doc) -> {
            assertThat(r.shape()).as("a merge written without its shape").isNotNull();
            assertThat(READER.summaryOfMerge(doc, doc.length, r.shape())).isEqualTo(READER.read(doc));
        });
        assertThat(compared).as("merges compared").isGreaterThan(TRIES / 2);
    }

    @Test
    void the_layout_from_the_merge_is_the_one_a_scan_finds() throws Exception {
        int compared = forEachWrittenMerge(true, (r, doc) -> {
            assertThat(r.layout()).as("a merge written without its layout").isNotNull();
            // the store takes it instead of scanning: a wrong one would store (and deltas would copy) wrong records
            assertThat(LayoutText.describe(r.layout())).isEqualTo(LayoutText.describe(LayoutScanner.scan(doc, doc.length)));
            assertThat(r.layout().materialize()).isEqualTo(doc);
        });
        assertThat(compared).as("merges compared").isGreaterThan(TRIES / 2);
    }

    /** What is checked of a document the merge wrote itself. */
    private interface WrittenCheck {
        void check(MergeResult r, byte[] doc) throws Exception;
    }

    /**
     * Merges every scenario, the latest and the device (and the base when {@code spacedBase}) written compact or
     * spaced at random, so that the places the merge notes are not those of compact documents; checks each
     * document the merge wrote with {@code check}, and that any other result is a side handed back as it is.
     * How many documents were checked.
     */
    private static int forEachWrittenMerge(boolean spacedBase, WrittenCheck check) throws Exception {
        int[] written = {0};
        forEachScenario((s, random) -> {
            Sides sides = sides(s);
            byte[] base = spacedBase && random.nextBoolean() ? pretty(sides.base) : compact(sides.base);
            byte[] latest = random.nextBoolean() ? compact(sides.latest) : pretty(sides.latest);
            byte[] device = random.nextBoolean() ? compact(sides.device) : pretty(sides.device);
            MergeResult r = ThreeWayMerge.merge(base, latest, device, 2);
            if (r.buffer() != latest && r.buffer() != device) {
                check.check(r, r.document());
                written[0]++;
            }
        });
        return written[0];
    }

    @Test
    void the_hash_made_while_merging_is_the_one_validation_reads() throws Exception {
        int[] outcomes = new int[2];
        java.util.concurrent.ExecutorService hasher = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            forEachScenario((s, random) -> {
                Sides sides = sides(s);
                byte[] base = compact(sides.base);
                byte[] latest = random.nextBoolean() ? compact(sides.latest) : pretty(sides.latest);
                byte[] device = random.nextBoolean() ? compact(sides.device) : pretty(sides.device);
                // published every few bytes, so that the hasher reads while the merge writes
                MergeProgress progress = new MergeProgress(1 + random.nextInt(64));
                java.util.concurrent.Future<String> hash = hasher.submit(() -> BackupReader.contentHash(progress));
                MergeResult r = ThreeWayMerge.merge(LayoutScanner.scan(base, base.length),
                        LayoutScanner.scan(latest, latest.length), device, device.length, null, 2, progress);
                String made = hash.get(10, java.util.concurrent.TimeUnit.SECONDS);
                if (r.shape() != null) {
                    byte[] doc = r.document();
                    assertThat(made).isNotNull();
                    assertThat(READER.summaryOfMerge(doc, doc.length, r.shape(), made)).isEqualTo(READER.read(doc));
                    outcomes[0]++;
                } else {
                    // a side kept as it is: the merge wrote nothing of its own, and the hasher stopped
                    assertThat(made).isNull();
                    outcomes[1]++;
                }
            });
        } finally {
            hasher.shutdownNow();
        }
        assertThat(outcomes[0]).as("merges hashed as written").isGreaterThan(TRIES / 2);
        assertThat(outcomes[1]).as("merges that kept a side").isPositive();
    }

    @Test
    void a_damaged_document_raises_only_the_merge_exception() throws Exception {
        int[] outcomes = new int[2];
        forEachScenario((s, random) -> outcomes[damagedDocument(s, random.nextInt(100_001), random.nextInt(12))]++);
        // both ways out are exercised, or the property proves little
        assertThat(outcomes[0]).as("damaged documents that still merged").isPositive();
        assertThat(outcomes[1]).as("damaged documents refused").isPositive();
    }

    /** 0 when the damaged document still merged, 1 when the merge refused it with its own exception. */
    private static int damagedDocument(Scenario s, int at, int damage) throws Exception {
        Sides sides = sides(s);
        byte[] base = compact(sides.base);
        byte[] latest = compact(sides.latest);
        byte[] device = compact(sides.device);
        int i = at % device.length;
        byte[] damaged = damage == 0 ? java.util.Arrays.copyOf(device, i) : device.clone();
        if (damage > 0) {
            damaged[i] = (byte) "{}[]\",:\\x0-\u00e9".charAt(damage - 1);
        }
        try {
            ThreeWayMerge.merge(base, latest, damaged, 2);
            return 0;
        } catch (MergeException expected) {
            assertThat(expected.getMessage()).isNotBlank();
            return 1;
        }
    }

    // ---- the sides, built from the scenario's edits

    private record Sides(ObjectNode base, ObjectNode latest, ObjectNode device) {
    }

    private static Sides sides(Scenario s) {
        ObjectNode base = emptyBackup();
        for (Edit e : s.baseRecords()) {
            apply(base, new Edit(0, e.collection(), e.id(), e.field(), e.value()));
        }
        ObjectNode latest = base.deepCopy();
        s.latestEdits().forEach(e -> apply(latest, e));
        ObjectNode device = base.deepCopy();
        s.deviceEdits().forEach(e -> apply(device, e));
        latest.put("timestamp", latest.get("timestamp").asText().equals("t0") && !s.latestEdits().isEmpty() ? "tL" : "t0");
        return new Sides(base, latest, device);
    }

    private static ObjectNode emptyBackup() {
        ObjectNode doc = NODES.objectNode();
        doc.put("timestamp", "t0");
        doc.put("version", "1.0");
        doc.putObject("garage").put("name", "Garage");
        ObjectNode data = doc.putObject("data");
        data.putArray("customers");
        data.putArray("vehicles");
        data.putObject("settings").put("vat", 20);
        return doc;
    }

    /** 0-2 set a record's field (adding the record if needed), 3 removes a field, 4 deletes a record, 5 sets a garage field, 6 removes one, 7 sets a settings field, 8 changes the timestamp. */
    private static void apply(ObjectNode doc, Edit e) {
        ObjectNode data = (ObjectNode) doc.get("data");
        String field = FIELDS.get(e.field());
        JsonNode value = VALUES.get(e.value());
        switch (e.kind()) {
            case 0, 1, 2 -> record(data, e, true).set(field, value.deepCopy());
            case 3 -> {
                ObjectNode r = record(data, e, false);
                if (r != null) {
                    r.remove(field);
                }
            }
            case 4 -> {
                ArrayNode c = (ArrayNode) data.get(COLLECTIONS.get(e.collection()));
                int at = c == null ? -1 : indexOf(c, IDS.get(e.id()));
                if (at >= 0) {
                    c.remove(at);
                }
            }
            case 5 -> ((ObjectNode) doc.get("garage")).set(field, value.deepCopy());
            case 6 -> ((ObjectNode) doc.get("garage")).remove(field);
            case 7 -> ((ObjectNode) data.get("settings")).set(field, value.deepCopy());
            default -> doc.put("timestamp", "t" + e.value());
        }
    }

    private static ObjectNode record(ObjectNode data, Edit e, boolean create) {
        String name = COLLECTIONS.get(e.collection());
        ArrayNode c = (ArrayNode) data.get(name);
        if (c == null) {
            if (!create) {
                return null;
            }
            c = data.putArray(name);
        }
        int at = indexOf(c, IDS.get(e.id()));
        if (at >= 0) {
            return (ObjectNode) c.get(at);
        }
        if (!create) {
            return null;
        }
        ObjectNode r = c.addObject();
        r.set("id", IDS.get(e.id()).deepCopy());
        return r;
    }

    private static int indexOf(ArrayNode c, JsonNode id) {
        for (int i = 0; i < c.size(); i++) {
            if (idKey(c.get(i).get("id")).equals(idKey(id))) {
                return i;
            }
        }
        return -1;
    }

    // ---- the expected outcome, on trees

    /** A change or conflict: a field of a record (field null: the record as a whole), or of garage or settings (id null). */
    private record Key(String collection, String id, String field) {
    }

    /** What a side changed from base: the new value of each changed field (MissingNode: removed), the record's deletion (field null). */
    private static Map<Key, JsonNode> changes(JsonNode base, JsonNode side) {
        Map<Key, JsonNode> changes = new LinkedHashMap<>();
        Set<String> collections = new LinkedHashSet<>();
        base.get("data").fieldNames().forEachRemaining(collections::add);
        side.get("data").fieldNames().forEachRemaining(collections::add);
        collections.remove("settings");
        for (String c : collections) {
            Map<String, JsonNode> b = records(base, c);
            Map<String, JsonNode> s = records(side, c);
            Set<String> ids = new LinkedHashSet<>(b.keySet());
            ids.addAll(s.keySet());
            for (String id : ids) {
                if (s.get(id) == null) {
                    changes.put(new Key(c, id, null), MissingNode.getInstance());
                } else {
                    fieldChanges(c, id, b.get(id), s.get(id), changes);
                }
            }
        }
        fieldChanges("garage", null, base.get("garage"), side.get("garage"), changes);
        fieldChanges("settings", null, base.get("data").get("settings"), side.get("data").get("settings"), changes);
        return changes;
    }

    private static void fieldChanges(String c, String id, JsonNode before, JsonNode after, Map<Key, JsonNode> changes) {
        JsonNode b = before == null ? NODES.objectNode() : before;
        Set<String> fields = new LinkedHashSet<>();
        b.fieldNames().forEachRemaining(fields::add);
        after.fieldNames().forEachRemaining(fields::add);
        for (String f : fields) {
            JsonNode was = orMissing(b.get(f));
            JsonNode is = orMissing(after.get(f));
            if (!same(was, is)) {
                changes.put(new Key(c, id, f), is);
            }
        }
    }

    /** Both sides changed a field to different values, or one deleted a record the other changed. */
    private static Set<Key> expectedConflicts(Sides sides) {
        Map<Key, JsonNode> l = changes(sides.base, sides.latest);
        Map<Key, JsonNode> d = changes(sides.base, sides.device);
        Set<Key> conflicts = new HashSet<>();
        for (Map.Entry<Key, JsonNode> e : l.entrySet()) {
            Key k = e.getKey();
            if (k.field != null && d.containsKey(k) && !same(e.getValue(), d.get(k))) {
                conflicts.add(k);
            }
        }
        Set<Key> touchedByLatest = recordsTouched(l);
        Set<Key> touchedByDevice = recordsTouched(d);
        for (Key k : l.keySet()) {
            if (k.field == null && touchedByDevice.contains(k) && !d.containsKey(k)) {
                conflicts.add(k);
            }
        }
        for (Key k : d.keySet()) {
            if (k.field == null && touchedByLatest.contains(k) && !l.containsKey(k)) {
                conflicts.add(k);
            }
        }
        return conflicts;
    }

    private static Set<Key> recordsTouched(Map<Key, JsonNode> changes) {
        Set<Key> touched = new HashSet<>();
        changes.keySet().forEach(k -> touched.add(new Key(k.collection, k.id, null)));
        return touched;
    }

    private static Map<String, JsonNode> records(JsonNode doc, String collection) {
        Map<String, JsonNode> records = new HashMap<>();
        JsonNode c = doc.get("data").get(collection);
        if (c != null) {
            c.forEach(r -> records.put(idKey(r.get("id")), r));
        }
        return records;
    }

    /** The value a key points at in a document; MissingNode when absent. */
    private static JsonNode valueIn(JsonNode doc, Key k) {
        JsonNode holder = switch (k.collection) {
            case "garage" -> doc.get("garage");
            case "settings" -> doc.get("data").get("settings");
            default -> records(doc, k.collection).get(k.id);
        };
        if (holder == null) {
            return MissingNode.getInstance();
        }
        return k.field == null ? holder : orMissing(holder.get(k.field));
    }

    private static String idKey(JsonNode id) {
        return id.isTextual() ? "s:" + id.asText() : "n:" + id.decimalValue().stripTrailingZeros().toString();
    }

    private static JsonNode orMissing(JsonNode n) {
        return n == null ? MissingNode.getInstance() : n;
    }

    private static boolean same(JsonNode a, JsonNode b) {
        return a.equals(SAME, b);
    }

    // ---- bytes

    private static JsonNode mergedTree(Sides sides) throws Exception {
        return tree(check(ThreeWayMerge.merge(compact(sides.base), compact(sides.latest), compact(sides.device), 2)));
    }

    /** The merged document passes the store's validation. */
    private static byte[] check(MergeResult r) {
        READER.read(r.document());
        return r.document();
    }

    private static JsonNode tree(byte[] json) throws Exception {
        return MAPPER.readTree(json);
    }

    private static byte[] compact(JsonNode doc) throws Exception {
        return MAPPER.writeValueAsBytes(doc);
    }

    /** The same document written differently: indented, members of records reversed, non-ASCII escaped. */
    private static byte[] pretty(ObjectNode doc) throws Exception {
        ObjectNode copy = doc.deepCopy();
        for (String c : COLLECTIONS) {
            JsonNode records = copy.get("data").get(c);
            if (records != null) {
                for (int i = 0; i < records.size(); i++) {
                    ObjectNode r = (ObjectNode) records.get(i);
                    List<String> names = new ArrayList<>();
                    r.fieldNames().forEachRemaining(names::add);
                    ObjectNode reversed = NODES.objectNode();
                    for (int j = names.size() - 1; j >= 0; j--) {
                        reversed.set(names.get(j), r.get(names.get(j)));
                    }
                    ((ArrayNode) records).set(i, reversed);
                }
            }
        }
        return MAPPER.writer().withDefaultPrettyPrinter()
                .with(com.fasterxml.jackson.core.json.JsonWriteFeature.ESCAPE_NON_ASCII).writeValueAsBytes(copy);
    }
}
