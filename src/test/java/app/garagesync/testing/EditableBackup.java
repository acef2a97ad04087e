package app.garagesync.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Garage backups that tests edit the way a working day does: change, add, remove, move entities. */
public final class EditableBackup {

    private EditableBackup() {
    }

    /** A tiny model of a garage backup that can be edited and written out in several styles. */
    public static final class Doc {
        public final Map<String, List<String>> collections = new LinkedHashMap<>();
        public String settings = "{\"currency\":\"EUR\"}";
        String timestamp = "2026-11-24T08:00:00.000Z";
        public boolean pretty;

        public Doc copy() {
            Doc d = new Doc();
            collections.forEach((k, v) -> d.collections.put(k, new ArrayList<>(v)));
            d.settings = settings;
            d.timestamp = timestamp;
            d.pretty = pretty;
            return d;
        }

        /** Adds an entity, creating the collection when an edit removed it (edits may drop whole collections). */
        public void add(String collection, String entity) {
            collections.computeIfAbsent(collection, k -> new ArrayList<>()).add(entity);
        }

        public byte[] bytes() {
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

    public static String entity(Object id, Random r) {
        String idJson = id instanceof String s ? "\"" + s + "\"" : id.toString();
        return "{\"id\":" + idJson + ",\"name\":\"Élodie " + r.nextInt(1000) + " 🚗\",\"total\":" + r.nextInt(10000) + ".90,"
                + "\"nested\":{\"a\":[1,2,{\"b\":\"c\"}]}}";
    }

    public static Doc initial(Random r, int perCollection) {
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

    public static void edit(Doc d, Random r) {
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

}
