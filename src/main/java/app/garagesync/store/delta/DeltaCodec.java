package app.garagesync.store.delta;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Entity-level deltas between two versions of a backup. A delta holds the new skeleton (small: the
 * document without its entities) and, per collection, runs of "copy these items of the parent" and
 * "insert these bytes". Items are compared as bytes, never by hash, so a delta can only be wrong if
 * the parent it is applied to is not the one it was computed from, which the store guarantees.
 *
 * <p>Format, before compression: "GSD1", skeleton (varint length, bytes), collection count, then per
 * collection its name, skeleton offset, op count, and ops: 0 = COPY(parent collection, from, count),
 * 1 = INSERT(count, then count items as varint length + bytes).
 */
public final class DeltaCodec {

    private static final byte[] MAGIC = {'G', 'S', 'D', '1'};
    private static final int COPY = 0;
    private static final int INSERT = 1;
    /** How many of the parent's items past the expected one are compared with a child's item before its id is read. */
    private static final int LOOKAHEAD = 8;

    private DeltaCodec() {
    }

    /** The delta that turns {@code parent} into {@code child}; both must come from {@link LayoutScanner}. */
    public static byte[] compute(Layout parent, Layout child) {
        Varints out = new Varints(child.skeleton.length + 1024);
        out.bytes(MAGIC);
        out.uvarint(child.skeleton.length);
        out.bytes(child.skeleton);
        out.uvarint(child.collections.size());
        for (Layout.Collection c : child.collections) {
            out.string(c.name);
            out.uvarint(c.skeletonOffset);
            writeOps(out, parent, c);
        }
        return out.toByteArray();
    }

    private static void writeOps(Varints out, Layout parent, Layout.Collection c) {
        Layout.Collection p = parent.collection(c.name);
        int pIndex = p == null ? -1 : parent.indexOf(p);
        Map<String, Integer> byId = null;
        List<int[]> ops = new ArrayList<>(); // {COPY, from, count} or {INSERT, firstItem, count}
        int next = 0;
        for (int i = 0; i < c.size(); i++) {
            int match = p == null ? -1 : nearby(c, i, p, next);
            // the id as written, kept or read from the record once (a layout kept in memory keeps none)
            String id = match < 0 && p != null && next < p.size() ? c.id(i) : null;
            if (id != null) {
                if (id.equals(p.id(next))) {
                    next++; // edited where it was: inserted, and the parent's record passed
                } else {
                    // out of order: found by its id, in a map made once per collection and only then (300,000
                    // ids put in a map for every delta were a third of storing a merged version)
                    if (byId == null) {
                        byId = byId(p);
                    }
                    Integer j = byId.get(id);
                    if (j != null) {
                        if (c.sameBytes(i, p, j)) {
                            match = j;
                        } else {
                            next = j + 1;
                        }
                    }
                }
            }
            int[] last = ops.isEmpty() ? null : ops.get(ops.size() - 1);
            if (match >= 0) {
                if (last != null && last[0] == COPY && last[1] + last[2] == match) {
                    last[2]++;
                } else {
                    ops.add(new int[] {COPY, match, 1});
                }
                next = match + 1;
            } else if (last != null && last[0] == INSERT) {
                last[2]++;
            } else {
                ops.add(new int[] {INSERT, i, 1});
            }
        }
        out.uvarint(ops.size());
        for (int[] op : ops) {
            out.uvarint(op[0]);
            if (op[0] == COPY) {
                out.uvarint(pIndex);
                out.uvarint(op[1]);
                out.uvarint(op[2]);
            } else {
                out.uvarint(op[2]);
                for (int i = op[1]; i < op[1] + op[2]; i++) {
                    out.uvarint(c.end[i] - c.start[i]);
                    out.bytes(c.buffers[i], c.start[i], c.end[i] - c.start[i]);
                }
            }
        }
    }

    /**
     * The parent's item among the next few from {@code next} with the bytes of the child's item {@code i}, or -1:
     * the records a merge or an edit left in place, past a few deleted ones, are found without any id.
     */
    private static int nearby(Layout.Collection c, int i, Layout.Collection p, int next) {
        for (int k = next; k < p.size() && k < next + LOOKAHEAD; k++) {
            if (c.sameBytes(i, p, k)) {
                return k;
            }
        }
        return -1;
    }

    private static Map<String, Integer> byId(Layout.Collection p) {
        Map<String, Integer> byId = new HashMap<>(Math.max(16, p.size() * 4 / 3 + 1));
        for (int j = 0; j < p.size(); j++) {
            String id = p.id(j); // kept, or read from the record: a layout kept in memory keeps none
            if (id != null) {
                byId.putIfAbsent(id, j);
            }
        }
        return byId;
    }

    /** The layout of the child version: {@code delta} applied to {@code parent}, sharing their buffers. */
    public static Layout apply(Layout parent, byte[] delta) {
        Varints in = new Varints(delta);
        for (byte b : MAGIC) {
            if (in.byte_() != b) {
                throw new IllegalArgumentException("not a garage-sync delta");
            }
        }
        int skeletonLength = in.uvarintInt();
        byte[] skeleton = in.slice(skeletonLength);
        int count = in.uvarintInt();
        List<Layout.Collection> collections = new ArrayList<>(count);
        for (int k = 0; k < count; k++) {
            String name = in.string();
            int offset = in.uvarintInt();
            int opCount = in.uvarintInt();
            // sized exactly by a first pass over the ops: a growing array would allocate about three
            // times the final size per collection and delta, and in a JVM that just started every
            // fresh megabyte of heap costs page faults (most of a cold read's time, measured)
            Items items = new Items(countItems(in.position(), delta, opCount));
            for (int o = 0; o < opCount; o++) {
                int kind = in.uvarintInt();
                if (kind == COPY) {
                    Layout.Collection from = parent.collections.get(in.uvarintInt());
                    int start = in.uvarintInt();
                    int n = in.uvarintInt();
                    items.copy(from, start, n);
                } else {
                    int n = in.uvarintInt();
                    for (int i = 0; i < n; i++) {
                        int len = in.uvarintInt();
                        items.add(delta, in.position(), in.position() + len);
                        in.skip(len);
                    }
                }
            }
            collections.add(items.toCollection(name, offset));
        }
        if (in.remaining() != 0) {
            throw new IllegalArgumentException("trailing bytes in delta");
        }
        return new Layout(skeleton, collections);
    }

    /** How many items {@code opCount} ops starting at {@code at} make; validates the op kinds on the way. */
    private static int countItems(int at, byte[] delta, int opCount) {
        Varints in = new Varints(delta);
        in.skip(at);
        long total = 0;
        for (int o = 0; o < opCount; o++) {
            int kind = in.uvarintInt();
            if (kind == COPY) {
                in.uvarint();
                in.uvarint();
                total += in.uvarintInt();
            } else if (kind == INSERT) {
                int n = in.uvarintInt();
                for (int i = 0; i < n; i++) {
                    in.skip(in.uvarintInt());
                }
                total += n;
            } else {
                throw new IllegalArgumentException("unknown delta op " + kind);
            }
            if (total > Integer.MAX_VALUE - 16) {
                throw new IllegalArgumentException("delta makes too many items");
            }
        }
        return (int) total;
    }

    /** Parallel arrays of item references, of the exact size the ops announced. */
    private static final class Items {
        final byte[][] buffers;
        final int[] start;
        final int[] end;
        int size;

        Items(int capacity) {
            buffers = new byte[capacity][];
            start = new int[capacity];
            end = new int[capacity];
        }

        void copy(Layout.Collection from, int at, int n) {
            if (at < 0 || n < 0 || at + n > from.size()) {
                throw new IllegalArgumentException("delta copies items its parent does not have");
            }
            System.arraycopy(from.buffers, at, buffers, size, n);
            System.arraycopy(from.start, at, start, size, n);
            System.arraycopy(from.end, at, end, size, n);
            size += n;
        }

        void add(byte[] buffer, int s, int e) {
            buffers[size] = buffer;
            start[size] = s;
            end[size] = e;
            size++;
        }

        Layout.Collection toCollection(String name, int offset) {
            return new Layout.Collection(name, offset, buffers, start, end, null);
        }
    }

    /** Unsigned LEB128 varints over a byte array, for writing and for reading. */
    static final class Varints {
        private byte[] buf;
        private int pos;
        private final int limit;

        Varints(int capacity) {
            buf = new byte[capacity];
            limit = Integer.MAX_VALUE;
        }

        Varints(byte[] data) {
            buf = data;
            limit = data.length;
        }

        void uvarint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                buf[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[pos++] = (byte) v;
        }

        void bytes(byte[] b) {
            bytes(b, 0, b.length);
        }

        void bytes(byte[] b, int off, int len) {
            ensure(len);
            System.arraycopy(b, off, buf, pos, len);
            pos += len;
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            uvarint(b.length);
            bytes(b);
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, pos);
        }

        private void ensure(int n) {
            if (pos + n > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, pos + n));
            }
        }

        byte byte_() {
            if (pos >= limit) {
                throw new IllegalArgumentException("truncated delta");
            }
            return buf[pos++];
        }

        long uvarint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                byte b = byte_();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalArgumentException("malformed varint in delta");
        }

        int uvarintInt() {
            long v = uvarint();
            if (v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("delta value out of range");
            }
            return (int) v;
        }

        byte[] slice(int len) {
            if (len > limit - pos) {
                throw new IllegalArgumentException("truncated delta");
            }
            byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + len);
            pos += len;
            return b;
        }

        String string() {
            return new String(slice(uvarintInt()), StandardCharsets.UTF_8);
        }

        int position() {
            return pos;
        }

        void skip(int n) {
            if (n > limit - pos) {
                throw new IllegalArgumentException("truncated delta");
            }
            pos += n;
        }

        int remaining() {
            return limit - pos;
        }
    }
}
