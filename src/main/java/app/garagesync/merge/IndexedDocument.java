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
    /** The document is the first {@code length} bytes of {@code bytes}. */
    final int length;
    final Map<String, Member> top;
    /** The members of {@code data}; set while the top level is read. */
    Map<String, Member> data;
    final Map<String, Map<String, Entity>> collections = new LinkedHashMap<>();

    private IndexedDocument(String name, byte[] bytes, int length) {
        this.name = name;
        this.bytes = bytes;
        this.length = length;
        JsonCursor cursor = new JsonCursor(name, bytes, 0, length);
        List<Member> topMembers = cursor.members(member -> {
            if (member.equals("data") && cursor.at() == '{') {
                data(cursor);
            } else {
                cursor.skipValue();
            }
        });
        this.top = byName(topMembers, "the top level");
        Member d = top.get("data");
        if (d == null || data == null) {
            throw new MergeException(name + ": a backup has a 'data' object");
        }
    }

    /** Reads {@code data} in the same pass: its members, and the records of each collection. */
    private void data(JsonCursor cursor) {
        List<Member> members = cursor.members(member -> {
            if (!member.equals("settings") && cursor.at() == '[') {
                collections.put(member, records(member, cursor.entities(member)));
            } else {
                cursor.skipValue();
            }
        });
        data = byName(members, "data");
    }

    static IndexedDocument of(String name, byte[] bytes) {
        return of(name, bytes, bytes == null ? 0 : bytes.length);
    }

    /** The document in the first {@code length} bytes of {@code bytes}. */
    static IndexedDocument of(String name, byte[] bytes, int length) {
        if (bytes == null) {
            throw new MergeException(name + ": no document");
        }
        return new IndexedDocument(name, bytes, length);
    }

    private Map<String, Entity> records(String collection, List<Entity> list) {
        Map<String, Entity> byKey = new LinkedHashMap<>(list.size() * 4 / 3 + 1);
        for (Entity e : list) {
            if (byKey.put(e.key(), e) != null) {
                throw new MergeException(name + ": data." + collection + " has the id " + e.key().substring(2) + " twice");
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

    /**
     * Whether this document means the same as {@code other}: the same members with the same values,
     * records in the same order. Stops at the first difference, so a side that changed something
     * costs little to tell from one that was only re-serialized.
     */
    boolean sameValueAs(IndexedDocument other) {
        return sameMembers(top, other, other.top, true);
    }

    private boolean sameMembers(Map<String, Member> mine, IndexedDocument other, Map<String, Member> theirs, boolean top) {
        if (!mine.keySet().equals(theirs.keySet())) {
            return false;
        }
        for (Member m : mine.values()) {
            Member t = theirs.get(m.name());
            boolean same;
            if (top && m.name().equals("data")) {
                same = sameMembers(data, other, other.data, false);
            } else if (!top && collections.containsKey(m.name()) && other.collections.containsKey(m.name())) {
                same = sameRecords(records(m.name()), other, other.records(m.name()));
            } else {
                same = Span.same(Span.of(this, m), Span.of(other, t));
            }
            if (!same) {
                return false;
            }
        }
        return true;
    }

    private boolean sameRecords(Map<String, Entity> mine, IndexedDocument other, Map<String, Entity> theirs) {
        if (mine.size() != theirs.size()) {
            return false;
        }
        java.util.Iterator<Entity> t = theirs.values().iterator();
        for (Entity e : mine.values()) {
            Entity o = t.next();
            if (!e.key().equals(o.key()) || !Span.same(Span.of(this, e), Span.of(other, o))) {
                return false;
            }
        }
        return true;
    }
}
