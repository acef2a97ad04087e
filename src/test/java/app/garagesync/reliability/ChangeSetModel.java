package app.garagesync.reliability;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A client's view of one backup for change-set tests: a customers collection it edits and sends as
 * PATCH bodies. It knows what the daemon must store (replaced entities keep their place, new ones go at
 * the end, deleted ones vanish with their comma), so an acknowledged PATCH has an exact expected document.
 */
final class ChangeSetModel {

    private final List<String> ids = new ArrayList<>();
    private final List<String> entities = new ArrayList<>();
    private int next;

    static ChangeSetModel initial(Random r, int size) {
        ChangeSetModel m = new ChangeSetModel();
        for (int i = 0; i < size; i++) {
            m.ids.add("c" + m.next);
            m.entities.add(entity("c" + m.next++, r));
        }
        return m;
    }

    private static String entity(String id, Random r) {
        return "{\"id\":\"" + id + "\",\"name\":\"Jérôme " + r.nextInt(1000) + " 🔧\",\"balance\":" + r.nextInt(100000) + ".10}";
    }

    byte[] document() {
        return ("{\"timestamp\":\"2026-11-25T08:00:00.000Z\",\"data\":{\"customers\":[" + String.join(",", entities)
                + "],\"settings\":{\"currency\":\"EUR\"}}}").getBytes(StandardCharsets.UTF_8);
    }

    /** A change-set on {@code base} that replaces, inserts or deletes a few customers; applied to this model. */
    String nextChangeSet(long base, Random r) {
        List<String> upserts = new ArrayList<>();
        List<String> deletes = new ArrayList<>();
        for (int k = 0; k <= r.nextInt(3); k++) {
            int op = entities.size() < 3 ? 1 : r.nextInt(3);
            if (op == 0) {
                int i = r.nextInt(entities.size());
                if (deletes.contains("\"" + ids.get(i) + "\"") || upserts.stream().anyMatch(u -> u.startsWith("{\"id\":\"" + ids.get(i) + "\""))) {
                    continue;
                }
                entities.set(i, entity(ids.get(i), r));
                upserts.add(entities.get(i));
            } else if (op == 1) {
                String id = "c" + next++;
                ids.add(id);
                entities.add(entity(id, r));
                upserts.add(entities.get(entities.size() - 1));
            } else {
                int i = r.nextInt(entities.size());
                if (upserts.stream().anyMatch(u -> u.startsWith("{\"id\":\"" + ids.get(i) + "\""))) {
                    continue;
                }
                deletes.add("\"" + ids.remove(i) + "\"");
                entities.remove(i);
            }
        }
        return "{\"baseVersion\":" + base + ",\"upserts\":{\"customers\":[" + String.join(",", upserts)
                + "]},\"deletes\":{\"customers\":[" + String.join(",", deletes) + "]}}";
    }
}
