package app.garagesync.store.delta;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the entities of a whole document are, written down once so that reading a version later
 * needs no scan of its checkpoint: per collection, its name, where its items start and where each one
 * ends. A cold JVM spent most of the first read after a restart scanning the 50 MB checkpoint.
 *
 * <p>Only a layout straight from {@link LayoutScanner} can be written (its items are contiguous runs
 * of one buffer); a layout read back has no entity ids, which only makes a delta computed against it
 * larger, never wrong.
 */
public final class LayoutIndex {

    private static final int FORMAT = 1;

    private LayoutIndex() {
    }

    /** The index of a scanned layout of a document of {@code length} bytes, or null if it is not one. */
    public static byte[] encode(Layout layout, int length) {
        DeltaCodec.Varints out = new DeltaCodec.Varints(64 + layout.itemCount() * 3);
        out.uvarint(FORMAT);
        out.uvarint(length);
        out.uvarint(layout.collections.size());
        int removed = 0;
        byte[] doc = null;
        for (Layout.Collection c : layout.collections) {
            int regionStart = c.skeletonOffset + removed;
            out.string(c.name);
            out.uvarint(regionStart);
            out.uvarint(c.size());
            int previous = regionStart;
            for (int i = 0; i < c.size(); i++) {
                if (doc == null) {
                    doc = c.buffers[i];
                }
                if (c.buffers[i] != doc || c.start[i] != previous || c.end[i] < previous) {
                    return null; // not a scanned layout: items from several buffers or not contiguous
                }
                out.uvarint(c.end[i] - previous);
                previous = c.end[i];
            }
            removed += previous - regionStart;
        }
        return out.toByteArray();
    }

    /**
     * The layout of {@code doc} the index describes, built as {@link LayoutScanner} builds it. Throws
     * IllegalArgumentException when the index does not fit the document (damaged, or of another one).
     */
    public static Layout decode(byte[] index, byte[] doc) {
        DeltaCodec.Varints in = new DeltaCodec.Varints(index);
        if (in.uvarint() != FORMAT) {
            throw new IllegalArgumentException("unknown layout index format");
        }
        if (in.uvarint() != doc.length) {
            throw new IllegalArgumentException("layout index of a document of another size");
        }
        int count = in.uvarintInt();
        if (count > doc.length) {
            throw new IllegalArgumentException("layout index lists more collections than bytes");
        }
        List<Layout.Region> regions = new ArrayList<>(count);
        int copied = 0;
        for (int k = 0; k < count; k++) {
            String name = in.string();
            int regionStart = in.uvarintInt();
            int n = in.uvarintInt();
            if (regionStart < copied || regionStart > doc.length || n > doc.length - regionStart) {
                throw new IllegalArgumentException("layout index region out of order or out of the document");
            }
            int[] start = new int[n];
            int[] end = new int[n];
            int previous = regionStart;
            for (int i = 0; i < n; i++) {
                int len = in.uvarintInt();
                if (len == 0 || len > doc.length - previous || doc[previous + len - 1] != '}' && doc[previous + len - 1] != ']'
                        && !endsAValue(doc[previous + len - 1])) {
                    throw new IllegalArgumentException("layout index item out of the document");
                }
                start[i] = previous;
                end[i] = previous + len;
                previous = end[i];
            }
            copied = previous;
            regions.add(new Layout.Region(name, regionStart, previous, start, end, null));
        }
        if (in.position() != index.length) {
            throw new IllegalArgumentException("trailing bytes in layout index");
        }
        return Layout.over(doc, doc.length, regions);
    }

    /** The last byte of a JSON value other than an object or array: a quote, digit or literal letter. */
    private static boolean endsAValue(byte b) {
        return b == '"' || (b >= '0' && b <= '9') || b == 'e' || b == 'l';
    }
}
