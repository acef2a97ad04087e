package app.garagesync.merge;

import app.garagesync.store.delta.Layout;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * One side of a merge: its members ({@link IndexedDocument}) and, per collection, its records as items, each
 * the bytes [start, end) of its buffer: what separates it from the record before (none for the first, or the
 * spaces after the array's '['), then the record. From a store's layout the members are read from its skeleton
 * (the records cut out, a few hundred bytes) and the items are the layout's own arrays, sharing its buffers: a
 * 50 MB side costs no copy and no object per record. Record ids are read only for the records the merge cannot
 * pair by their bytes.
 */
final class MergeSide {

    final IndexedDocument doc;
    /** Whether the records are cut out of {@link #doc} (a layout's skeleton) instead of being in it. */
    final boolean cut;
    private final Map<String, Records> collections;

    private MergeSide(IndexedDocument doc, boolean cut, Map<String, Records> collections) {
        this.doc = doc;
        this.cut = cut;
        this.collections = collections;
    }

    /**
     * The side a layout gives; null when its collections are not the ones the merge sees (a name written with
     * escapes, which the layout keeps as written): the caller then merges the whole documents.
     */
    static MergeSide of(String name, Layout layout) {
        IndexedDocument skeleton = IndexedDocument.of(name, layout.skeleton());
        List<Layout.Items> items = layout.items();
        Map<String, Records> byName = new HashMap<>(items.size() * 2);
        for (Layout.Items it : items) {
            if (byName.put(it.name(), new Records(name, it.name(), it.buffers(), it.start(), it.end())) != null) {
                return null;
            }
        }
        if (byName.size() != skeleton.collections.size()) {
            return null;
        }
        for (Map.Entry<String, Map<String, Entity>> c : skeleton.collections.entrySet()) {
            if (!c.getValue().isEmpty() || !byName.containsKey(c.getKey())) {
                return null;
            }
        }
        return new MergeSide(skeleton, true, byName);
    }

    /** The side a whole document gives (its records read with their ids): for documents no layout describes. */
    static MergeSide whole(String name, byte[] bytes, int length) {
        IndexedDocument doc = IndexedDocument.of(name, bytes, length);
        Map<String, Records> byName = new HashMap<>();
        for (Map.Entry<String, Map<String, Entity>> c : doc.collections.entrySet()) {
            int n = c.getValue().size();
            byte[][] buffers = new byte[n][];
            Arrays.fill(buffers, bytes);
            int[] start = new int[n];
            int[] end = new int[n];
            int i = 0;
            for (Entity e : c.getValue().values()) {
                start[i] = i == 0 ? e.start() : e.previousEnd();
                end[i] = e.end();
                i++;
            }
            byName.put(c.getKey(), new Records(name, c.getKey(), buffers, start, end));
        }
        return new MergeSide(doc, false, byName);
    }

    boolean hasCollection(String name) {
        return collections.containsKey(name);
    }

    /** The records of a collection; none when this side has no such collection. */
    Records records(String name) {
        Records r = collections.get(name);
        return r != null ? r : Records.none(doc.name, name);
    }

    /** The document's length in bytes. */
    long size() {
        long size = doc.length;
        for (Records r : collections.values()) {
            for (int i = 0; i < r.size(); i++) {
                size += r.end[i] - r.start[i];
            }
        }
        return size;
    }

    /** Whether the two sides are the same bytes. */
    boolean sameBytesAs(MergeSide other) {
        if (!Arrays.equals(doc.bytes, 0, doc.length, other.doc.bytes, 0, other.doc.length)) {
            return false;
        }
        return !cut || sameRecords(other, Records::sameItem);
    }

    /** Whether the two sides mean the same: see {@link IndexedDocument#sameValueAs}; records in the same order. */
    boolean sameValueAs(MergeSide other) {
        if (!doc.sameValueAs(other.doc)) {
            return false;
        }
        return !cut || sameRecords(other, Records::sameRecord);
    }

    /** How two records at the same place of a collection are compared. */
    private interface RecordComparison {
        boolean same(Records mine, int i, Records theirs, int j);
    }

    /** Whether every collection has as many records on both sides, each the same as {@code comparison} says. */
    private boolean sameRecords(MergeSide other, RecordComparison comparison) {
        for (Map.Entry<String, Records> e : collections.entrySet()) {
            Records mine = e.getValue();
            Records theirs = other.collections.get(e.getKey());
            if (theirs == null || mine.size() != theirs.size()) {
                return false;
            }
            for (int i = 0; i < mine.size(); i++) {
                if (!comparison.same(mine, i, theirs, i)) {
                    return false;
                }
            }
        }
        return true;
    }

    /** A collection's records as items of shared buffers; the ids of the few that need one, read once. */
    static final class Records {
        private static final byte[][] NO_BUFFERS = new byte[0][];
        private static final int[] NONE = new int[0];

        final String side;
        final String collection;
        final byte[][] buffers;
        final int[] start;
        final int[] end;
        private Entity[] read;

        Records(String side, String collection, byte[][] buffers, int[] start, int[] end) {
            this.side = side;
            this.collection = collection;
            this.buffers = buffers;
            this.start = start;
            this.end = end;
        }

        static Records none(String side, String collection) {
            return new Records(side, collection, NO_BUFFERS, NONE, NONE);
        }

        int size() {
            return start.length;
        }

        /** Where record i itself starts: after the separator its item begins with. */
        int recordStart(int i) {
            return Layout.entityStart(buffers[i], start[i], end[i]);
        }

        Span span(int i) {
            return new Span(side, buffers[i], recordStart(i), end[i]);
        }

        /** Record i read for its id (typed key and id bytes); done once per record, for the few that need it. */
        private Entity entity(int i) {
            if (read == null) {
                read = new Entity[size()];
            }
            Entity e = read[i];
            if (e == null) {
                JsonCursor cursor = new JsonCursor(side, buffers[i], recordStart(i), end[i]);
                e = cursor.entity(collection, i, -1);
                read[i] = e;
            }
            return e;
        }

        String key(int i) {
            return entity(i).key();
        }

        /** The id as written, for a conflict. */
        Object id(int i) {
            Entity e = entity(i);
            return RecordIds.value(side, buffers[i], e.idStart(), e.idEnd());
        }

        /** Whether item i here and item j there are the same bytes, separators included. */
        boolean sameItem(int i, Records other, int j) {
            return buffers[i] == other.buffers[j] && start[i] == other.start[j] && end[i] == other.end[j]
                    || Arrays.equals(buffers[i], start[i], end[i], other.buffers[j], other.start[j], other.end[j]);
        }

        /**
         * Whether record i here and record j there are the same bytes: one item both share (a layout's copy of
         * its parent's), equal items, or equal records after different separators.
         */
        boolean sameBytes(int i, Records other, int j) {
            if (sameItem(i, other, j)) {
                return true;
            }
            int a = recordStart(i);
            int b = other.recordStart(j);
            return Arrays.equals(buffers[i], a, end[i], other.buffers[j], b, other.end[j]);
        }

        /** Whether record i here and record j there are one record meaning the same (see {@link Span#same}). */
        boolean sameRecord(int i, Records other, int j) {
            return sameBytes(i, other, j) || key(i).equals(other.key(j)) && Span.same(span(i), other.span(j));
        }
    }
}
