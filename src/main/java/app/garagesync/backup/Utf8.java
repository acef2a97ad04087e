package app.garagesync.backup;

import java.nio.ByteOrder;

/** A UTF-8 well-formedness check (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
final class Utf8 {

    /** Reads eight bytes at once: JSON is mostly ASCII, and a run of it is checked a word at a time. */
    private static final java.lang.invoke.VarHandle LONGS = java.lang.invoke.MethodHandles.byteArrayViewVarHandle(
            long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final long HIGH_BITS = 0x8080808080808080L;

    private Utf8() {
    }

    /** Offset of the first byte that is not part of a well-formed sequence, or -1. */
    static long firstInvalidByte(byte[] b, int length) {
        return firstInvalidByte(b, 0, length);
    }

    /**
     * As {@link #firstInvalidByte(byte[], int)} over {@code [from, length)}, {@code from} being the start of a
     * sequence (a sequence cut by {@code length} counts as invalid: see {@link #completeUpTo}).
     */
    static long firstInvalidByte(byte[] b, int from, int length) {
        int i = from;
        while (i < length) {
            while (i + 8 <= length && ((long) LONGS.get(b, i) & HIGH_BITS) == 0) {
                i += 8;
            }
            if (i >= length) {
                break;
            }
            int c = b[i] & 0xFF;
            if (c < 0x80) {
                i++;
                continue;
            }
            int need;
            int min;
            if (c >= 0xC2 && c <= 0xDF) {
                need = 1;
                min = 0x80;
            } else if (c >= 0xE0 && c <= 0xEF) {
                need = 2;
                min = 0x800;
            } else if (c >= 0xF0 && c <= 0xF4) {
                need = 3;
                min = 0x10000;
            } else {
                return i;
            }
            if (i + need >= length) {
                return i;
            }
            int cp = c & (0x3F >> need);
            for (int k = 1; k <= need; k++) {
                int cc = b[i + k] & 0xFF;
                if ((cc & 0xC0) != 0x80) {
                    return i;
                }
                cp = (cp << 6) | (cc & 0x3F);
            }
            if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
                return i;
            }
            i += need + 1;
        }
        return -1;
    }

    /**
     * A position at most {@code length} where no sequence is cut: bytes below it can be checked now, those
     * above once more have arrived. It backs off over at most three continuation bytes (a sequence is at most
     * four bytes long); a longer run of them is malformed whatever follows, and the check reports it.
     */
    static int completeUpTo(byte[] b, int from, int length) {
        int at = length;
        for (int k = 0; k < 3 && at > from && (b[at - 1] & 0xC0) == 0x80; k++) {
            at--;
        }
        // at - 1 may now be the lead byte of a sequence the bytes after it do not complete yet
        if (at > from && (b[at - 1] & 0xFF) >= 0xC0) {
            at--;
        }
        return at;
    }
}
