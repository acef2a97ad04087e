package app.garagesync.merge;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One side of a merge: a backup's bytes with its top-level members, the members of {@code data}, and
 * per collection (every array under {@code data} but {@code settings}) its records by typed id, in order.
 */
final class IndexedDocument {

    final String name;
    final byte[] bytes;
    final Map<String, Member> top;
    final Map<String, Member> data;
    final Map<String, Map<String, Entity>> collections = new LinkedHashMap<>();

    private IndexedDocument(String name, byte[] bytes) {
        this.name = name;
        this.bytes = bytes;
        this.top = byName(new JsonCursor(name, bytes, 0).members(), "the top level");
        Member d = top.get("data");
        if (d == null || bytes[d.valueStart()] != '{') {
            throw new MergeException(name + ": a backup has a 'data' object");
        }
        JsonCursor cursor = new JsonCursor(name, bytes, d.valueStart());
        this.data = byName(cursor.members(), "data");
        for (Member m : data.values()) {
            if (!m.name().equals("settings") && bytes[m.valueStart()] == '[') {
                collections.put(m.name(), records(m));
            }
        }
    }

    static IndexedDocument of(String name, byte[] bytes) {
        if (bytes == null) {
            throw new MergeException(name + ": no document");
        }
        return new IndexedDocument(name, bytes);
    }

    private Map<String, Entity> records(Member collection) {
        List<Entity> list = new JsonCursor(name, bytes, collection.valueStart()).entities(collection.name());
        Map<String, Entity> byKey = new LinkedHashMap<>(list.size() * 4 / 3 + 1);
        for (Entity e : list) {
            if (byKey.put(e.key(), e) != null) {
                throw new MergeException(name + ": data." + collection.name() + " has the id "
                        + e.key().substring(2) + " twice");
            }
        }
        return byKey;
    }

    private Map<String, Member> byName(List<Member> members, String where) {
        Map<String, Member> byName = new LinkedHashMap<>();
        for (Member m : members) {
            if (byName.put(m.name(), m) != null) {
                throw new MergeException(name + ": " + where + " has the member '" + m.name() + "' twice");
            }
        }
        return byName;
    }

    /** The records of a collection; none when the document has no such collection. */
    Map<String, Entity> records(String collection) {
        return collections.getOrDefault(collection, Map.of());
    }

    /** The id of a record as written, for a conflict. */
    Object id(Entity e) {
        return RecordIds.value(name, bytes, e.idStart(), e.idEnd());
    }
}
