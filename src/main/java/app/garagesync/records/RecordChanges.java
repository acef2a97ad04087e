package app.garagesync.records;

import java.util.Arrays;

/**
 * The versions in which one record changed, oldest first, each with the hash of the record's bytes in
 * that version ({@link #ABSENT} when it was deleted there). The record's state in any indexed version
 * is the entry at or before it.
 */
final class RecordChanges {

    /** The hash that stands for "not in this version". */
    static final long ABSENT = 0;

    private long[] versions = new long[2];
    private long[] hashes = new long[2];
    private int size;

    void add(long version, long hash) {
        if (size == versions.length) {
            versions = Arrays.copyOf(versions, size * 2);
            hashes = Arrays.copyOf(hashes, size * 2);
        }
        versions[size] = version;
        hashes[size] = hash;
        size++;
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
        int i = Arrays.binarySearch(versions, 0, size, version);
        if (i < 0) {
            i = -i - 2;
        }
        return i < 0 ? ABSENT : hashes[i];
    }
}
