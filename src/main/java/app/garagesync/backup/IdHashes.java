package app.garagesync.backup;

import java.util.Arrays;

/**
 * The ids of one collection as 64-bit hashes, to find a duplicate without a String and a hash-set entry
 * per record: on a 50 MB backup (319,000 records) those were a quarter of the validation's time and 70 MB
 * of its allocation. A hash seen twice is only a suspected duplicate (two ids may share a hash): the
 * caller then validates the document again with the ids themselves, so no valid backup is ever refused.
 */
final class IdHashes {

    private long[] slots = new long[1 << 10];
    private int size;

    /** Empties the set, keeping its capacity for the next collection. */
    void clear() {
        if (size > 0) {
            Arrays.fill(slots, 0L);
            size = 0;
        }
    }

    /** False when {@code hash} is already in the set. */
    boolean add(long hash) {
        long h = hash == 0 ? 1 : hash; // 0 marks an empty slot
        if (size * 2 >= slots.length) {
            grow();
        }
        int mask = slots.length - 1;
        for (int i = (int) (h ^ (h >>> 32)) & mask; ; i = (i + 1) & mask) {
            long seen = slots[i];
            if (seen == 0) {
                slots[i] = h;
                size++;
                return true;
            }
            if (seen == h) {
                return false;
            }
        }
    }

    private void grow() {
        long[] old = slots;
        slots = new long[old.length * 2];
        size = 0;
        for (long h : old) {
            if (h != 0) {
                add(h);
            }
        }
    }

    /** The hash of a string id's characters (FNV-1a, then mixed). */
    static long ofString(char[] chars, int offset, int length) {
        long h = 0xcbf29ce484222325L;
        for (int i = offset, end = offset + length; i < end; i++) {
            h = (h ^ chars[i]) * 0x100000001b3L;
        }
        return mix(h);
    }

    /** The hash of a number id's key ({@link NumericIds}): never equal to a string's but by chance. */
    static long ofNumberKey(String key) {
        long h = 0x84222325cbf29ce4L;
        for (int i = 0; i < key.length(); i++) {
            h = (h ^ key.charAt(i)) * 0x100000001b3L;
        }
        return mix(h);
    }

    /**
     * {@link #ofNumberKey} of the key {@link app.garagesync.store.NumberIdKeys#integerKey} gives a plain integer
     * written as {@code chars[offset, offset + length)}, made from the digits without the key; 0 when the text is
     * not such an integer (the caller then builds the key). A hash that comes out 0 is given as 1, which
     * {@link #add} takes for the same value.
     */
    static long ofIntegerText(char[] chars, int offset, int length) {
        int from = length > 0 && chars[offset] == '-' ? 1 : 0;
        int digits = length - from;
        if (digits < 1 || digits > 18) {
            return 0;
        }
        for (int i = offset + from; i < offset + length; i++) {
            if (chars[i] < '0' || chars[i] > '9') {
                return 0;
            }
        }
        long h = 0x84222325cbf29ce4L;
        h = (h ^ 'n') * 0x100000001b3L;
        h = (h ^ ':') * 0x100000001b3L;
        int end = length;
        if (chars[offset + from] == '0') {
            if (digits != 1) {
                return 0; // JSON allows a leading zero only in 0 itself (and -0)
            }
            // 0 and -0: "n:0e0"
            h = (h ^ '0') * 0x100000001b3L;
        } else {
            while (chars[offset + end - 1] == '0') {
                end--;
            }
            for (int i = offset; i < offset + end; i++) {
                h = (h ^ chars[i]) * 0x100000001b3L;
            }
        }
        h = (h ^ 'e') * 0x100000001b3L;
        int zeros = length - end;
        if (zeros >= 10) {
            h = (h ^ ('0' + zeros / 10)) * 0x100000001b3L;
        }
        h = (h ^ ('0' + zeros % 10)) * 0x100000001b3L;
        long mixed = mix(h);
        return mixed == 0 ? 1 : mixed;
    }

    /** MurmurHash3's finalizer: spreads the bits of FNV over the whole word. */
    private static long mix(long h) {
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
