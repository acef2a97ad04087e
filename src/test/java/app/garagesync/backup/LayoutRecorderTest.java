package app.garagesync.backup;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.api.ArrivingBody;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import app.garagesync.testing.LayoutText;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The layout a validation notes on its way (BackupReader.validate, and the validation of a body as it arrives)
 * is the one the store's scanner finds: the store takes it instead of scanning, so any difference would be a
 * delta computed against the wrong spans.
 */
class LayoutRecorderTest {

    private final BackupReader reader = new BackupReader(64, 1 << 20);

    private static final String[] IDS = {"\"c1\"", "\"c\\\"q\"", "\"\\u00e9t\\u00e9\"", "\"é\"", "12", "-1.5e3", "1.0", "0",
        "\"back\\\\\"", "\"a b\"", "7e2"};
    private static final String[] SPACE = {"", " ", "\n  ", "\t", " \r\n "};
    private static final String[] COLLECTIONS = {"\"customers\"", "\"repairs\"", "\"cu\\u0073t\"", "\"véhicules\"",
        "\"a\\\"b\"", "\"x\""};

    @Test
    void the_layout_of_a_validation_is_the_scan_of_the_document() {
        Random r = new Random(23);
        int entities = 0;
        for (int trial = 0; trial < 3000; trial++) {
            byte[] doc = document(r).getBytes(StandardCharsets.UTF_8);
            BackupReader.Validated valid = reader.validate(doc, doc.length);
            assertSameAsScan(doc, valid.layout());
            entities += valid.layout().itemCount();
        }
        assertThat(entities).isGreaterThan(5000);
    }

    @Test
    void the_layout_of_a_body_validated_as_it_arrives_is_the_scan_of_the_document() throws Exception {
        Random r = new Random(29);
        for (int trial = 0; trial < 300; trial++) {
            byte[] doc = document(r).getBytes(StandardCharsets.UTF_8);
            ArrivingBody body = ArrivingBody.ofSize(doc.length);
            Thread sender = new Thread(() -> {
                Random pieces = new Random(doc.length);
                for (int at = 0; at < doc.length; ) {
                    int n = Math.min(doc.length - at, 1 + pieces.nextInt(40));
                    body.append(doc, at, n);
                    at += n;
                }
                body.complete();
            });
            sender.start();
            BackupReader.Validated valid = reader.read(body, null);
            sender.join();
            assertSameAsScan(doc, valid.layout());
        }
    }

    @Test
    void a_big_garage_is_laid_out_as_the_scan_finds_it() {
        StringBuilder b = new StringBuilder("{\"timestamp\":\"2026-11-30T08:00:00.000Z\",\"data\":{\"customers\":[");
        for (int i = 0; i < 20_000; i++) {
            b.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i).append("\",\"name\":\"Client ").append(i).append("\"}");
        }
        b.append("],\"repairs\":[");
        for (int i = 0; i < 5_000; i++) {
            b.append(i == 0 ? "" : ",\n").append("{\"vehicleId\":\"v").append(i).append("\",\"id\":").append(i).append('}');
        }
        byte[] doc = b.append("],\"settings\":{}}}").toString().getBytes(StandardCharsets.UTF_8);
        BackupReader.Validated valid = reader.validate(doc, doc.length);
        assertThat(valid.layout().itemCount()).isEqualTo(25_000);
        assertSameAsScan(doc, valid.layout());
    }

    @Test
    void names_written_with_escapes_are_left_as_the_scanner_leaves_them() {
        // "d\u0061ta" is the member data to a parser, but the scanner compares names as written and finds no
        // collections there; "\u0069d" is an id to the validation, none to the scanner
        for (String doc : List.of(
                "{\"d\\u0061ta\":{\"customers\":[{\"id\":\"c1\"}]}}",
                "{\"data\":{\"customers\":[{\"\\u0069d\":\"c1\"},{\"id\":2}]}}",
                "{\"data\":{\"s\\u0065ttings\":{},\"customers\":[]}}")) {
            byte[] bytes = doc.getBytes(StandardCharsets.UTF_8);
            assertSameAsScan(bytes, reader.validate(bytes, bytes.length).layout());
        }
    }

    private static void assertSameAsScan(byte[] doc, Layout recorded) {
        Layout scanned = LayoutScanner.scan(doc, doc.length);
        String what = new String(doc, StandardCharsets.UTF_8);
        assertThat(recorded).as(what).isNotNull();
        assertThat(LayoutText.describe(recorded)).as(what).isEqualTo(LayoutText.describe(scanned));
        assertThat(ids(recorded)).as(what).isEqualTo(ids(scanned));
        assertThat(recorded.materialize()).as(what).isEqualTo(doc);
    }

    /** The ids a reader of the layout gets: kept by it, or read from each record. */
    private static List<String> ids(Layout layout) {
        List<String> ids = new ArrayList<>();
        for (Layout.Items items : layout.items()) {
            String[] each = new String[items.start().length];
            for (int i = 0; i < each.length; i++) {
                each[i] = items.id(i);
            }
            ids.add(items.name() + Arrays.toString(each));
        }
        return ids;
    }

    /** A valid backup written in any of the ways JSON allows: spaces, escapes, members in any order. */
    private static String document(Random r) {
        List<String> top = new ArrayList<>();
        if (r.nextBoolean()) {
            top.add(member(r, "\"timestamp\"", "\"2026-11-30T08:00:00.000Z\""));
        }
        if (r.nextBoolean()) {
            top.add(member(r, "\"garage\"", "{\"name\":\"Garage \\u00e9\",\"tags\":[1,{\"id\":3}]}"));
        }
        List<String> data = new ArrayList<>();
        List<String> names = new ArrayList<>(List.of(COLLECTIONS));
        java.util.Collections.shuffle(names, r);
        for (int c = 0; c < r.nextInt(4); c++) {
            List<String> entities = new ArrayList<>();
            int count = r.nextInt(6);
            for (int i = 0; i < count; i++) {
                entities.add(entity(r, i));
            }
            data.add(member(r, names.get(c), "[" + space(r) + String.join(space(r) + "," + space(r), entities) + space(r) + "]"));
        }
        if (r.nextBoolean()) {
            data.add(r.nextInt(data.size() + 1), member(r, "\"settings\"", r.nextBoolean() ? "null" : "{\"tva\":[20,10]}"));
        }
        top.add(r.nextInt(top.size() + 1), member(r, "\"data\"", "{" + space(r) + String.join("," + space(r), data) + space(r) + "}"));
        if (r.nextBoolean()) {
            top.add(member(r, "\"version\"", "\"1.0\""));
        }
        return space(r) + "{" + space(r) + String.join(space(r) + ",", top) + space(r) + "}" + space(r);
    }

    private static String entity(Random r, int index) {
        // unique within the collection: the index makes the id different whatever was drawn
        String id = IDS[r.nextInt(IDS.length)];
        id = id.startsWith("\"") ? "\"" + index + id.substring(1) : switch (r.nextInt(3)) {
            case 0 -> String.valueOf(index + 100);
            case 1 -> index + 1 + ".5";
            default -> (index + 1) + "e1";
        };
        List<String> members = new ArrayList<>();
        members.add(member(r, "\"id\"", id));
        if (r.nextBoolean()) {
            members.add(member(r, "\"name\"", "\"n" + r.nextInt(9) + " \\\"é\\\"\""));
        }
        if (r.nextBoolean()) {
            members.add(member(r, "\"lines\"", "[{\"id\":\"inner\",\"qty\":2}," + space(r) + "[true,false,null]]"));
        }
        java.util.Collections.shuffle(members, r);
        return "{" + space(r) + String.join("," + space(r), members) + space(r) + "}";
    }

    private static String member(Random r, String name, String value) {
        return name + space(r) + ":" + space(r) + value;
    }

    private static String space(Random r) {
        return SPACE[r.nextInt(SPACE.length)];
    }
}
