package app.garagesync.records;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The ground truth of a records test: a garage's collections as ordered maps of id (as written in JSON)
 * to record (its exact JSON), one snapshot per version posted, and what must follow from them.
 */
final class Garage {

    /** One entry a record's history must have. */
    record Change(long version, String change) {
    }

    private final Map<String, LinkedHashMap<String, String>> data = new LinkedHashMap<>();
    /** snapshot of every version, index 0 = version 1 */
    final List<Map<String, LinkedHashMap<String, String>>> versions = new ArrayList<>();

    Garage() {
        for (String c : List.of("customers", "vehicles", "invoices", "stock")) {
            data.put(c, new LinkedHashMap<>());
        }
    }

    Garage put(String collection, String id, String fields) {
        data.get(collection).put(id, "{\"id\":" + id + "," + fields + "}");
        return this;
    }

    Garage delete(String collection, String id) {
        data.get(collection).remove(id);
        return this;
    }

    /** Records the current state as the next version and returns its document. */
    String snapshot() {
        Map<String, LinkedHashMap<String, String>> copy = new LinkedHashMap<>();
        data.forEach((k, v) -> copy.put(k, new LinkedHashMap<>(v)));
        versions.add(copy);
        return render(copy);
    }

    static String render(Map<String, LinkedHashMap<String, String>> state) {
        StringBuilder b = new StringBuilder("{\"timestamp\":\"2026-11-24T08:00:00.000Z\",\"version\":\"1.0\","
                + "\"garage\":{\"name\":\"Garage Dupré\"},\"data\":{");
        boolean first = true;
        for (Map.Entry<String, LinkedHashMap<String, String>> c : state.entrySet()) {
            b.append(first ? "" : ",").append('"').append(c.getKey()).append("\":[")
                    .append(String.join(",", c.getValue().values())).append(']');
            first = false;
        }
        return b.append(",\"settings\":{\"currency\":\"EUR\"}}}").toString();
    }

    String document(long version) {
        return render(versions.get((int) version - 1));
    }

    String record(long version, String collection, String id) {
        return versions.get((int) version - 1).get(collection).get(id);
    }

    /** The history of a record over versions {@code from..to}, newest first (the oldest as "present" when from > 1). */
    List<Change> history(String collection, String id, long from, long to) {
        List<Change> out = new ArrayList<>();
        for (long v = from; v <= to; v++) {
            String before = v == from ? null : record(v - 1, collection, id);
            String after = record(v, collection, id);
            if (!Objects.equals(before, after)) {
                String kind = v == from && from > 1 ? "present" : before == null ? "inserted"
                        : after == null ? "deleted" : "updated";
                out.add(0, new Change(v, kind));
            }
        }
        return out;
    }

    /** Per collection and kind, the ids (as JSON text) that differ from one version to another. */
    Map<String, Map<String, List<String>>> diff(long from, long to) {
        Map<String, Map<String, List<String>>> out = new java.util.TreeMap<>();
        var a = versions.get((int) from - 1);
        var b = versions.get((int) to - 1);
        for (String c : a.keySet()) {
            java.util.Set<String> ids = new java.util.TreeSet<>(a.get(c).keySet());
            ids.addAll(b.get(c).keySet());
            for (String id : ids) {
                String x = a.get(c).get(id);
                String y = b.get(c).get(id);
                if (!Objects.equals(x, y)) {
                    String kind = x == null ? "inserted" : y == null ? "deleted" : "updated";
                    out.computeIfAbsent(c, k -> new LinkedHashMap<>()).computeIfAbsent(kind, k -> new ArrayList<>()).add(id);
                }
            }
        }
        return out;
    }
}
