package app.garagesync.store.delta;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A backup document seen as its skeleton (everything but the entities of its collections) and, per
 * collection, the list of its items. An item is the bytes from the end of the previous entity (or
 * the array's opening bracket) to the end of its own entity, so skeleton and items put back together
 * give the exact bytes of the document. Items point into shared buffers: applying a delta builds a
 * new layout without copying the unchanged entities.
 */
public final class Layout {

    final byte[] skeleton;
    final List<Collection> collections;

    Layout(byte[] skeleton, List<Collection> collections) {
        this.skeleton = skeleton;
        this.collections = Collections.unmodifiableList(collections);
    }

    /** One collection: where its items go in the skeleton, and the items as (buffer, start, end). */
    static final class Collection {
        final String name;
        final int skeletonOffset;
        final byte[][] buffers;
        final int[] start;
        final int[] end;
        /** entity ids as typed keys ("s:..." or "n:..."), null when the layout came from a delta */
        final String[] ids;

        Collection(String name, int skeletonOffset, byte[][] buffers, int[] start, int[] end, String[] ids) {
            this.name = name;
            this.skeletonOffset = skeletonOffset;
            this.buffers = buffers;
            this.start = start;
            this.end = end;
            this.ids = ids;
        }

        int size() {
            return start.length;
        }

        /** The id of entity i as written: kept, or read from its bytes; null when it has none. */
        String id(int i) {
            return idOf(ids, buffers, start, end, i);
        }

        boolean sameBytes(int i, Collection other, int j) {
            return java.util.Arrays.equals(buffers[i], start[i], end[i], other.buffers[j], other.start[j], other.end[j]);
        }
    }

    /**
     * One collection's run of items in a whole document: {@code [from, to)} of the document, cut out
     * of the skeleton (from right after the array's {@code [} to the end of its last entity); its items are
     * {@code [start[i], end[i])}, each from the end of the entity before (or {@code from}); ids as written,
     * or null. {@code name} is the member's name as written, between its quotes.
     */
    public record Region(String name, int from, int to, int[] start, int[] end, String[] ids) {

        /**
         * The region from {@code from} whose entities end at the first {@code n} of {@code ends}, each item
         * starting where the entity before it ended (the first at {@code from}); {@code ids} of length n, or null.
         */
        public static Region ofEnds(String name, int from, int[] ends, int n, String[] ids) {
            int[] end = java.util.Arrays.copyOf(ends, n);
            int[] start = new int[n];
            for (int i = 0; i < n; i++) {
                start[i] = i == 0 ? from : end[i - 1];
            }
            return new Region(name, from, n == 0 ? from : end[n - 1], start, end, ids);
        }
    }

    /**
     * The layout of {@code doc}: the skeleton is the document without the regions, in document order. For
     * a writer that knows where it put the records of the document it wrote, as {@link LayoutScanner} finds them.
     */
    public static Layout over(byte[] doc, int length, List<Region> regions) {
        java.io.ByteArrayOutputStream skeleton = new java.io.ByteArrayOutputStream(Math.max(64, length / 64));
        int copied = 0;
        int removed = 0;
        List<Collection> collections = new ArrayList<>(regions.size());
        for (Region r : regions) {
            skeleton.write(doc, copied, r.from() - copied);
            copied = r.to();
            byte[][] buffers = new byte[r.start().length][];
            java.util.Arrays.fill(buffers, doc);
            collections.add(new Collection(r.name(), r.from() - removed, buffers, r.start(), r.end(), r.ids()));
            removed += r.to() - r.from();
        }
        skeleton.write(doc, copied, length - copied);
        return new Layout(skeleton.toByteArray(), collections);
    }

    /**
     * One collection's entities as a reader outside the store sees them: the collection's name and each
     * entity's id as written (null when the layout came from a delta), and the span {@code [start, end)} of
     * its item in its buffer, which begins with what separates it from the entity before; where the items go
     * in {@link #skeleton()}: right after the array's {@code [} at {@code skeletonOffset - 1}. The arrays are
     * the layout's own: read them, never change them.
     */
    public record Items(String name, byte[][] buffers, int[] start, int[] end, String[] ids, int skeletonOffset) {

        /** Where entity {@code i} itself starts in its buffer: past the separator its item begins with. */
        public int entityStart(int i) {
            return Layout.entityStart(buffers[i], start[i], end[i]);
        }

        /** The id of entity {@code i} as written: the layout's, or read from its bytes; null when it has none. */
        public String id(int i) {
            return idOf(ids, buffers, start, end, i);
        }
    }

    private static String idOf(String[] ids, byte[][] buffers, int[] start, int[] end, int i) {
        String kept = ids == null ? null : ids[i];
        return kept != null ? kept : LayoutScanner.entityId(buffers[i], start[i], end[i]);
    }

    /**
     * Where the entity of an item {@code [from, to)} of {@code buffer} starts: an item begins with what
     * separated it from the entity before (a comma, spaces), which this skips.
     */
    public static int entityStart(byte[] buffer, int from, int to) {
        int p = from;
        while (p < to && (buffer[p] == ',' || buffer[p] == ' ' || buffer[p] == '\n' || buffer[p] == '\r'
                || buffer[p] == '\t')) {
            p++;
        }
        return p;
    }

    /** The collections' entities, in document order. */
    public List<Items> items() {
        List<Items> items = new ArrayList<>(collections.size());
        for (Collection c : collections) {
            items.add(new Items(c.name, c.buffers, c.start, c.end, c.ids, c.skeletonOffset));
        }
        return items;
    }

    /**
     * The document without its collections' entities (each collection left as an empty array): the members
     * that are not records, small enough to parse whole. A copy.
     */
    public byte[] skeleton() {
        return skeleton.clone();
    }

    /**
     * This layout with the entity ids of {@code scanned}, a layout of the same document (its collections in the
     * same order, with as many items each); this one unchanged when they do not line up. A layout rebuilt from
     * a delta shares its parent's buffers but has no ids, which the next delta is computed with.
     */
    public Layout withIdsOf(Layout scanned) {
        if (scanned.collections.size() != collections.size()) {
            return this;
        }
        List<Collection> out = new ArrayList<>(collections.size());
        for (int k = 0; k < collections.size(); k++) {
            Collection c = collections.get(k);
            Collection s = scanned.collections.get(k);
            if (!c.name.equals(s.name) || c.size() != s.size() || s.ids == null) {
                return this;
            }
            out.add(new Collection(c.name, c.skeletonOffset, c.buffers, c.start, c.end, s.ids));
        }
        return new Layout(skeleton, out);
    }

    /** This layout without its entity ids (the same buffers and spans): what a comparison by bytes needs. */
    public Layout withoutIds() {
        List<Collection> out = new ArrayList<>(collections.size());
        for (Collection c : collections) {
            out.add(c.ids == null ? c : new Collection(c.name, c.skeletonOffset, c.buffers, c.start, c.end, null));
        }
        return new Layout(skeleton, out);
    }

    public int collectionCount() {
        return collections.size();
    }

    public int itemCount() {
        int n = 0;
        for (Collection c : collections) {
            n += c.size();
        }
        return n;
    }

    Collection collection(String name) {
        for (Collection c : collections) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        return null;
    }

    int indexOf(Collection c) {
        return collections.indexOf(c);
    }

    /** Receives a document's bytes as slices of the buffers a layout shares, in document order. */
    @FunctionalInterface
    public interface SliceConsumer {
        void slice(byte[] buffer, int from, int to);
    }

    /** The document's length in bytes. */
    public long size() {
        long size = skeleton.length;
        for (Collection c : collections) {
            for (int i = 0; i < c.size(); i++) {
                size += c.end[i] - c.start[i];
            }
        }
        return size;
    }

    /**
     * Walks the document's bytes as slices, without copying them. Items that follow each other in one
     * buffer (most of them: the unchanged runs of a checkpoint) come as one slice.
     */
    public void forEachSlice(SliceConsumer out) {
        forEachSlice(out, 0, 0);
    }

    /** Like {@link #forEachSlice(SliceConsumer)}, leaving out the skeleton's bytes {@code [cutFrom, cutTo)}. */
    void forEachSlice(SliceConsumer out, int cutFrom, int cutTo) {
        SliceConsumer skeletonOut = cutTo <= cutFrom ? out : (buffer, from, to) -> {
            if (from < cutFrom) {
                out.slice(buffer, from, Math.min(to, cutFrom));
            }
            if (to > cutTo) {
                out.slice(buffer, Math.max(from, cutTo), to);
            }
        };
        int skel = 0;
        List<Collection> ordered = new ArrayList<>(collections);
        ordered.sort((a, b) -> Integer.compare(a.skeletonOffset, b.skeletonOffset));
        for (Collection c : ordered) {
            if (c.skeletonOffset > skel) {
                skeletonOut.slice(skeleton, skel, c.skeletonOffset);
            }
            skel = c.skeletonOffset;
            int i = 0;
            while (i < c.size()) {
                byte[] buffer = c.buffers[i];
                int from = c.start[i];
                int to = c.end[i];
                for (i++; i < c.size() && c.buffers[i] == buffer && c.start[i] == to; i++) {
                    to = c.end[i];
                }
                out.slice(buffer, from, to);
            }
        }
        if (skeleton.length > skel) {
            skeletonOut.slice(skeleton, skel, skeleton.length);
        }
    }

    /** The document's bytes, in one new array. */
    public byte[] materialize() {
        long size = size();
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("document too large: " + size);
        }
        byte[] out = new byte[(int) size];
        int[] at = {0};
        forEachSlice((buffer, from, to) -> {
            System.arraycopy(buffer, from, out, at[0], to - from);
            at[0] += to - from;
        });
        return out;
    }
}
