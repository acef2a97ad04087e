package app.garagesync.store.delta;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeltaCodecTest {

    /** A tiny model of a garage backup that can be edited and written out in several styles. */
    static final class Doc {
        final Map<String, List<String>> collections = new LinkedHashMap<>();
        String settings = "{\"currency\":\"EUR\"}";
        String timestamp = "2026-11-24T08:00:00.000Z";
        boolean pretty;

        Doc copy() {
            Doc d = new Doc();
            collections.forEach((k, v) -> d.collections.put(k, new ArrayList<>(v)));
            d.settings = settings;
            d.timestamp = timestamp;
            d.pretty = pretty;
            return d;
        }

        byte[] bytes() {
            String sep = pretty ? ",\n    " : ",";
            StringBuilder b = new StringBuilder("{\"timestamp\":\"" + timestamp + "\",\"garage\":{\"name\":\"Garage Dupré\"},\"data\":{");
            boolean first = true;
            for (Map.Entry<String, List<String>> e : collections.entrySet()) {
                b.append(first ? "" : ",").append('"').append(e.getKey()).append("\":[").append(pretty ? "\n    " : "");
                b.append(String.join(sep, e.getValue())).append(pretty ? "\n  " : "").append(']');
                first = false;
            }
            b.append(first ? "" : ",").append("\"settings\":").append(settings).append("}}");
            return b.toString().getBytes(StandardCharsets.UTF_8);
        }
    }

    static String entity(Object id, Random r) {
        String idJson = id instanceof String s ? "\"" + s + "\"" : id.toString();
        return "{\"id\":" + idJson + ",\"name\":\"Élodie " + r.nextInt(1000) + " 🚗\",\"total\":" + r.nextInt(10000) + ".90,"
                + "\"nested\":{\"a\":[1,2,{\"b\":\"c\"}]}}";
    }

    static Doc initial(Random r, int perCollection) {
        Doc d = new Doc();
        int next = 0;
        for (String c : new String[] {"customers", "vehicles", "repairs", "invoices", "stock"}) {
            List<String> list = new ArrayList<>();
            for (int i = 0; i < perCollection; i++) {
                list.add(entity(c.equals("repairs") ? (Object) next++ : c.charAt(0) + "" + next++, r));
            }
            d.collections.put(c, list);
        }
        d.collections.put("users", new ArrayList<>());
        return d;
    }

    static int counter = 100_000;

    static void edit(Doc d, Random r) {
        List<String> names = new ArrayList<>(d.collections.keySet());
        List<String> c = d.collections.get(names.get(r.nextInt(names.size())));
        switch (r.nextInt(9)) {
            case 0, 1, 2 -> { // change an entity, keeping its id
                if (!c.isEmpty()) {
                    int i = r.nextInt(c.size());
                    c.set(i, c.get(i).replaceFirst("\"total\":\\d+", "\"total\":" + r.nextInt(99999)));
                }
            }
            case 3 -> c.add(entity("new" + counter++, r));
            case 4 -> c.add(r.nextInt(c.size() + 1), entity(counter++, r));
            case 5 -> {
                if (!c.isEmpty()) {
                    c.remove(r.nextInt(c.size()));
                }
            }
            case 6 -> { // move an entity
                if (c.size() > 1) {
                    String e = c.remove(r.nextInt(c.size()));
                    c.add(r.nextInt(c.size() + 1), e);
                }
            }
            case 7 -> d.settings = "{\"currency\":\"EUR\",\"n\":" + r.nextInt(100) + "}";
            default -> {
                if (r.nextInt(10) == 0) {
                    d.collections.put("extra" + counter++, new ArrayList<>(List.of(entity(counter++, r))));
                } else if (r.nextInt(10) == 0) {
                    d.collections.remove(names.get(r.nextInt(names.size())));
                } else if (r.nextInt(20) == 0) {
                    d.pretty = !d.pretty;
                }
                d.timestamp = "2026-11-25T0" + r.nextInt(10) + ":00:00.000Z";
            }
        }
    }

    @Test
    void applying_the_delta_gives_the_new_document_byte_for_byte() {
        Random r = new Random(7);
        for (int trial = 0; trial < 300; trial++) {
            Doc parent = initial(r, r.nextInt(30));
            parent.pretty = r.nextBoolean();
            Doc child = parent.copy();
            for (int k = 0; k <= r.nextInt(6); k++) {
                edit(child, r);
            }
            byte[] p = parent.bytes();
            byte[] c = child.bytes();
            Layout pl = LayoutScanner.scan(p, p.length);
            assertThat(pl.materialize()).isEqualTo(p);
            byte[] delta = DeltaCodec.compute(pl, LayoutScanner.scan(c, c.length));
            assertThat(DeltaCodec.apply(pl, delta).materialize()).as("trial %d", trial).isEqualTo(c);
        }
    }

    @Test
    void a_long_chain_of_deltas_reads_back_every_version_exactly() {
        Random r = new Random(11);
        Doc doc = initial(r, 200);
        byte[] first = doc.bytes();
        List<byte[]> versions = new ArrayList<>(List.of(first));
        List<byte[]> deltas = new ArrayList<>();
        Layout scanned = LayoutScanner.scan(first, first.length);
        for (int v = 1; v <= 60; v++) {
            for (int k = 0; k < 5; k++) {
                edit(doc, r);
            }
            byte[] next = doc.bytes();
            Layout nextLayout = LayoutScanner.scan(next, next.length);
            deltas.add(DeltaCodec.compute(scanned, nextLayout));
            versions.add(next);
            scanned = nextLayout;
        }
        Layout replayed = LayoutScanner.scan(first, first.length);
        for (int v = 1; v <= 60; v++) {
            replayed = DeltaCodec.apply(replayed, deltas.get(v - 1));
            assertThat(replayed.materialize()).as("version %d", v).isEqualTo(versions.get(v));
        }
    }

    @Test
    void a_small_edit_makes_a_small_delta() {
        Random r = new Random(3);
        Doc doc = initial(r, 2000);
        byte[] before = doc.bytes();
        List<String> customers = doc.collections.get("customers");
        customers.set(500, customers.get(500).replace("Élodie", "Jérôme"));
        doc.collections.get("repairs").add(entity(999_999, r));
        doc.collections.get("stock").remove(10);
        byte[] after = doc.bytes();
        byte[] delta = DeltaCodec.compute(LayoutScanner.scan(before, before.length), LayoutScanner.scan(after, after.length));
        assertThat(before.length).isGreaterThan(500_000);
        assertThat(delta.length).isLessThan(1000);
    }

    @Test
    void a_damaged_delta_is_refused_not_misapplied() {
        Random r = new Random(5);
        Doc doc = initial(r, 5);
        byte[] before = doc.bytes();
        edit(doc, r);
        byte[] after = doc.bytes();
        Layout pl = LayoutScanner.scan(before, before.length);
        byte[] delta = DeltaCodec.compute(pl, LayoutScanner.scan(after, after.length));
        assertThatThrownBy(() -> DeltaCodec.apply(pl, java.util.Arrays.copyOf(delta, delta.length - 3)))
                .isInstanceOf(IllegalArgumentException.class);
        byte[] bad = delta.clone();
        bad[0] = 'X';
        assertThatThrownBy(() -> DeltaCodec.apply(pl, bad)).isInstanceOf(IllegalArgumentException.class);
    }
}
