package app.garagesync.changes;

import static org.assertj.core.api.Assertions.assertThat;

import app.garagesync.store.delta.DeltaCodec;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutIndex;
import app.garagesync.store.delta.LayoutScanner;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The changes between two versions computed from the store's layouts ({@link ChangesDiff#between(long,
 * Layout, long, Layout)}, what {@code /api/changes} serves) are byte for byte the full comparison of the
 * two documents, on random edits, whichever way the store holds the layouts: scanned with their ids, read
 * back from an index without ids, or rebuilt from a delta sharing the older version's buffers. Each seed
 * names itself on failure; {@code -Dchanges.seed=N} runs one.
 */
class ChangesFastPathTest {

    private static final int TRIES = 300;
    private static final String[] COLLECTIONS = {"customers", "vehicles", "repairs"};

    @Test
    void the_fast_path_gives_the_full_comparisons_bytes_on_random_edits() {
        String one = System.getProperty("changes.seed");
        long from = one == null ? 0 : Long.parseLong(one);
        long to = one == null ? TRIES : from + 1;
        int exact = 0;
        int notExact = 0;
        for (long seed = from; seed < to; seed++) {
            Random random = new Random(seed);
            Doc base = Doc.random(random);
            Doc edited = base.copy();
            edited.edit(random, 1 + random.nextInt(12));
            byte[] a = base.json(random.nextBoolean()).getBytes(StandardCharsets.UTF_8);
            byte[] b = edited.json(random.nextBoolean()).getBytes(StandardCharsets.UTF_8);
            ChangesDiff.Changes full = ChangesDiff.between(3, a, 9, b);
            for (Layouts ways : Layouts.values()) {
                Layout[] pair = ways.of(a, b);
                ChangesDiff.Changes fast = ChangesDiff.between(3, pair[0], 9, pair[1]);
                assertThat(fast).as("seed %d, %s: the fast path answered", seed, ways).isNotNull();
                assertThat(new String(fast.json(), StandardCharsets.UTF_8))
                        .as("seed %d (-Dchanges.seed=%d), layouts %s", seed, seed, ways)
                        .isEqualTo(new String(full.json(), StandardCharsets.UTF_8));
                assertThat(fast.upserts()).isEqualTo(full.upserts());
                assertThat(fast.deletes()).isEqualTo(full.deletes());
                assertThat(fast.exact()).isEqualTo(full.exact());
            }
            if (full.exact()) {
                exact++;
            } else {
                notExact++;
            }
        }
        if (one == null) {
            // the edits reach both kinds of answer: PATCH-able, and re-ordered (exact false)
            assertThat(exact).isGreaterThan(TRIES / 4);
            assertThat(notExact).isGreaterThan(TRIES / 10);
        }
    }

    @Test
    void a_record_whose_id_cannot_be_read_is_left_to_the_full_comparison() {
        // a stored version always has ids (validation), so this is the fast path refusing to guess, not a
        // case the daemon meets: between(layouts) says it cannot tell, and ChangesApi then compares the bytes
        byte[] a = "{\"data\":{\"customers\":[{\"id\":\"c1\",\"n\":1},{\"n\":2}]}}".getBytes(StandardCharsets.UTF_8);
        byte[] b = "{\"data\":{\"customers\":[{\"id\":\"c1\",\"n\":1},{\"n\":3}]}}".getBytes(StandardCharsets.UTF_8);
        Layout old = LayoutScanner.scan(a, a.length);
        Layout now = LayoutScanner.scan(b, b.length);
        assertThat(ChangesDiff.between(1, old, 2, now)).isNull();
        Layout shared = DeltaCodec.apply(old, DeltaCodec.compute(old, now));
        assertThat(ChangesDiff.between(1, old, 2, shared)).isNull();
    }

    @Test
    void records_the_two_layouts_share_are_not_compared_byte_by_byte_yet_come_out_the_same() {
        StringBuilder doc = new StringBuilder("{\"timestamp\":\"t1\",\"data\":{\"customers\":[");
        for (int i = 0; i < 2000; i++) {
            doc.append(i == 0 ? "" : ",").append("{\"id\":\"c").append(i).append("\",\"name\":\"n").append(i).append("\"}");
        }
        doc.append("]}}");
        byte[] a = doc.toString().getBytes(StandardCharsets.UTF_8);
        byte[] b = doc.toString().replace("\"t1\"", "\"t2\"").replace("{\"id\":\"c1500\",\"name\":\"n1500\"}",
                "{\"id\":\"c1500\",\"name\":\"changed\"}").replace(",{\"id\":\"c7\",\"name\":\"n7\"}", "")
                .replace("]}}", ",{\"id\":\"new\"}]}}").getBytes(StandardCharsets.UTF_8);
        Layout old = LayoutIndex.decode(LayoutIndex.encode(LayoutScanner.scan(a, a.length), a.length), a);
        Layout now = DeltaCodec.apply(old, DeltaCodec.compute(LayoutScanner.scan(a, a.length), LayoutScanner.scan(b, b.length)));
        ChangesDiff.Changes fast = ChangesDiff.between(1, old, 2, now);
        assertThat(new String(fast.json(), StandardCharsets.UTF_8)).isEqualTo("{\"from\":1,\"to\":2,\"exact\":true,"
                + "\"upserts\":{\"customers\":[{\"id\":\"c1500\",\"name\":\"changed\"},{\"id\":\"new\"}]},"
                + "\"deletes\":{\"customers\":[\"c7\"]},\"timestamp\":\"t2\"}");
        assertThat(fast.json()).isEqualTo(ChangesDiff.between(1, a, 2, b).json());
    }

    /** The forms in which the store hands layouts over. */
    enum Layouts {
        SCANNED {
            Layout[] of(byte[] a, byte[] b) {
                return new Layout[] {LayoutScanner.scan(a, a.length), LayoutScanner.scan(b, b.length)};
            }
        },
        FROM_INDEX_AND_DELTA {
            Layout[] of(byte[] a, byte[] b) {
                Layout scanned = LayoutScanner.scan(a, a.length);
                byte[] index = LayoutIndex.encode(scanned, a.length);
                Layout old = index == null ? scanned : LayoutIndex.decode(index, a);
                return new Layout[] {old, DeltaCodec.apply(old, DeltaCodec.compute(scanned, LayoutScanner.scan(b, b.length)))};
            }
        },
        OLD_FROM_DELTA_LATEST_SCANNED {
            Layout[] of(byte[] a, byte[] b) {
                Layout scannedB = LayoutScanner.scan(b, b.length);
                // the older version rebuilt from the newer one's layout: shares no buffer with the latest's scan
                Layout old = DeltaCodec.apply(scannedB, DeltaCodec.compute(scannedB, LayoutScanner.scan(a, a.length)));
                return new Layout[] {old, LayoutScanner.scan(b, b.length)};
            }
        };

        abstract Layout[] of(byte[] a, byte[] b);
    }

    /** A random backup: a few collections of records with string and number ids, garage, settings, timestamp. */
    static final class Doc {
        String timestamp;
        String garage;
        String settings;
        final List<String> names = new ArrayList<>();
        final List<List<String[]>> records = new ArrayList<>(); // per collection: {id as written, body}
        String extra;
        int next = 1000;

        static Doc random(Random r) {
            Doc d = new Doc();
            d.timestamp = "2026-11-2" + r.nextInt(10) + "T08:00:00.000Z";
            d.garage = "{\"name\":\"Garage " + r.nextInt(5) + "\"}";
            d.settings = "{\"currency\":\"EUR\"}";
            d.extra = r.nextBoolean() ? null : "\"1.0\"";
            int collections = 1 + r.nextInt(COLLECTIONS.length);
            for (int c = 0; c < collections; c++) {
                d.names.add(COLLECTIONS[c]);
                List<String[]> list = new ArrayList<>();
                int n = r.nextInt(14);
                for (int i = 0; i < n; i++) {
                    list.add(new String[] {d.newId(r), body(r)});
                }
                d.records.add(list);
            }
            return d;
        }

        String newId(Random r) {
            int n = next++;
            return switch (r.nextInt(4)) {
                case 0 -> String.valueOf(n);
                case 1 -> "\"" + n + "\"";
                case 2 -> "\"c\\u00e9" + n + "\"";
                default -> "\"c" + n + "\"";
            };
        }

        static String body(Random r) {
            return "\"name\":\"n" + r.nextInt(6) + "\",\"total\":" + r.nextInt(4) + (r.nextBoolean() ? ".50" : "");
        }

        Doc copy() {
            Doc d = new Doc();
            d.timestamp = timestamp;
            d.garage = garage;
            d.settings = settings;
            d.extra = extra;
            d.next = next;
            d.names.addAll(names);
            for (List<String[]> list : records) {
                List<String[]> c = new ArrayList<>();
                for (String[] e : list) {
                    c.add(e.clone());
                }
                d.records.add(c);
            }
            return d;
        }

        /** Every collection there and filled up to {@code perCollection} records: a garage compared in parallel. */
        void grow(Random r, int perCollection) {
            for (int c = names.size(); c < COLLECTIONS.length; c++) {
                names.add(COLLECTIONS[c]);
                records.add(new ArrayList<>());
            }
            for (List<String[]> list : records) {
                while (list.size() < perCollection) {
                    list.add(new String[] {newId(r), body(r)});
                }
            }
        }

        void edit(Random r, int count) {
            for (int k = 0; k < count; k++) {
                int c = r.nextInt(names.size());
                List<String[]> list = records.get(c);
                int kind = r.nextInt(14);
                if (kind <= 4 && !list.isEmpty()) {
                    list.get(r.nextInt(list.size()))[1] = body(r); // a record edited (maybe to the same bytes)
                } else if (kind <= 6) {
                    list.add(new String[] {newId(r), body(r)}); // added at the end
                } else if (kind == 7) {
                    list.add(r.nextInt(list.size() + 1), new String[] {newId(r), body(r)}); // added anywhere
                } else if (kind <= 9 && !list.isEmpty()) {
                    list.remove(r.nextInt(list.size()));
                } else if (kind == 10 && list.size() > 1) {
                    int i = r.nextInt(list.size() - 1);
                    list.add(i + 1, list.remove(i)); // two neighbours swapped
                } else if (kind == 11) {
                    switch (r.nextInt(4)) {
                        case 0 -> timestamp = "2026-12-0" + r.nextInt(10) + "T09:00:00.000Z";
                        case 1 -> garage = "{\"name\":\"Garage " + r.nextInt(5) + "\"}";
                        case 2 -> settings = r.nextBoolean() ? "{\"currency\":\"CHF\"}" : "null";
                        default -> extra = r.nextBoolean() ? null : "\"2.0\"";
                    }
                } else if (kind == 12 && r.nextInt(4) == 0 && names.size() > 1) {
                    names.remove(c); // a whole collection removed
                    records.remove(c);
                } else if (kind == 13 && names.size() < COLLECTIONS.length && r.nextInt(3) == 0) {
                    for (String name : COLLECTIONS) {
                        if (!names.contains(name)) {
                            names.add(name);
                            List<String[]> fresh = new ArrayList<>();
                            fresh.add(new String[] {newId(r), body(r)});
                            records.add(fresh);
                            break;
                        }
                    }
                }
            }
        }

        String json(boolean spaced) {
            String sep = spaced ? ",\n    " : ",";
            StringBuilder s = new StringBuilder("{\"timestamp\":\"").append(timestamp).append("\",");
            if (extra != null) {
                s.append("\"version\":").append(extra).append(',');
            }
            s.append("\"garage\":").append(garage).append(",\"data\":{");
            for (int c = 0; c < names.size(); c++) {
                s.append('"').append(names.get(c)).append("\":[");
                List<String[]> list = records.get(c);
                for (int i = 0; i < list.size(); i++) {
                    s.append(i == 0 ? (spaced ? "\n    " : "") : sep)
                            .append("{\"id\":").append(list.get(i)[0]).append(',').append(list.get(i)[1]).append('}');
                }
                s.append("],");
            }
            s.append("\"settings\":").append(settings).append("}}");
            return s.toString();
        }
    }
}
