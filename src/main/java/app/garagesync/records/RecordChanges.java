package app.garagesync.records;

import java.util.Arrays;

/**
 * The versions in which one record changed, oldest first, each with the hash of the record's bytes in
 * that version ({@link #ABSENT} when it was deleted there), and where a copy of those bytes is in the
 * index's record file ({@link #UNKNOWN} when there is none). The record's state in any indexed version
 * is the entry at or before it.
 */
final class RecordChanges {

    /** The hash that stands for "not in this version". */
    static final long ABSENT = 0;
    /** The offset that stands for "no copy of the bytes": they are read from the version. */
    static final long UNKNOWN = -1;

    private long[] versions = new long[2];
    private long[] hashes = new long[2];
    private long[] offsets = new long[2];
    private int[] lengths = new int[2];
    private int size;

    void add(long version, long hash) {
        add(version, hash, UNKNOWN, 0);
    }

    void add(long version, long hash, long offset, int length) {
        if (size == versions.length) {
            versions = Arrays.copyOf(versions, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
            offsets = Arrays.copyOf(offsets, size * 2);
            lengths = Arrays.copyOf(lengths, size * 2);
        }
        versions[size] = version;
        hashes[size] = hash;
        offsets[size] = offset;
        lengths[size] = length;
        size++;
    }

    long offset(int i) {
        return offsets[i];
    }

    int length(int i) {
        return lengths[i];
    }

    int size() {
        return size;
    }

    long version(int i) {
        return versions[i];
    }

    long hash(int i) {
        return hashes[i];
    }

    long last() {
        return size == 0 ? ABSENT : hashes[size - 1];
    }

    /** The record's hash as of {@code version}, {@link #ABSENT} when it was not there. */
    long at(long version) {
        int i = indexAt(version);
        return i < 0 ? ABSENT : hashes[i];
    }

    /** The entry that gives the record's state as of {@code version}, -1 when none does. */
    int indexAt(long version) {
        int i = Arrays.binarySearch(versions, 0, size, version);
        return i < 0 ? -i - 2 : i;
    }
}
