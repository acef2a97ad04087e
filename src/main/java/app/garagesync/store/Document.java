package app.garagesync.store;

import app.garagesync.store.delta.Layout;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A version's exact bytes as an ordered list of slices of the buffers it was rebuilt from (the
 * checkpoint's, its deltas'), which nothing writes to again. A 50 MB backup can then be sent or hashed
 * without first being copied into one new array: in a JVM that just started, every fresh megabyte of
 * heap costs page faults, and that copy was a large part of a first read's time (measured).
 */
public final class Document {

    private final byte[][] buffers;
    private final int[] from;
    private final int[] to;
    private final int count;
    private final long size;

    private Document(byte[][] buffers, int[] from, int[] to, int count, long size) {
        this.buffers = buffers;
        this.from = from;
        this.to = to;
        this.count = count;
        this.size = size;
    }

    /** The bytes of {@code bytes}, not copied: the caller never changes them afterwards. */
    public static Document of(byte[] bytes) {
        return new Document(new byte[][] {bytes}, new int[] {0}, new int[] {bytes.length}, 1, bytes.length);
    }

    static Document of(Layout layout) {
        Builder b = new Builder();
        layout.forEachSlice(b::add);
        return new Document(b.buffers, b.from, b.to, b.count, b.size);
    }

    public long size() {
        return size;
    }

    public int sliceCount() {
        return count;
    }

    public byte[] buffer(int slice) {
        return buffers[slice];
    }

    public int from(int slice) {
        return from[slice];
    }

    public int to(int slice) {
        return to[slice];
    }

    public void forEachSlice(Layout.SliceConsumer out) {
        for (int i = 0; i < count; i++) {
            out.slice(buffers[i], from[i], to[i]);
        }
    }

    /** Lower-case hex SHA-256 of the bytes, hashed slice by slice. */
    public String sha256() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            forEachSlice((buffer, f, t) -> digest.update(buffer, f, t - f));
            return HexFormat.of().formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The bytes in one array: the stored one itself when the document is a single whole buffer. */
    public byte[] bytes() {
        if (count == 1 && from[0] == 0 && to[0] == buffers[0].length) {
            return buffers[0];
        }
        if (size > Integer.MAX_VALUE - 16) {
            throw new IllegalStateException("document too large: " + size);
        }
        byte[] out = new byte[(int) size];
        int at = 0;
        for (int i = 0; i < count; i++) {
            System.arraycopy(buffers[i], from[i], out, at, to[i] - from[i]);
            at += to[i] - from[i];
        }
        return out;
    }

    private static final class Builder {
        byte[][] buffers = new byte[64][];
        int[] from = new int[64];
        int[] to = new int[64];
        int count;
        long size;

        void add(byte[] buffer, int f, int t) {
            if (count == from.length) {
                buffers = Arrays.copyOf(buffers, count * 2);
                from = Arrays.copyOf(from, count * 2);
                to = Arrays.copyOf(to, count * 2);
            }
            buffers[count] = buffer;
            from[count] = f;
            to[count] = t;
            count++;
            size += t - f;
        }
    }
}
