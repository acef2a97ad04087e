package app.garagesync.merge;

import app.garagesync.store.delta.Layout;
import java.util.Arrays;
import java.util.List;

/**
 * The merged document (a valid backup): the first {@code length} bytes of {@code buffer}, handed over
 * without the copy that trimming a 50 MB output would cost; and the fields both sides changed differently,
 * in document order; {@code shape}, when the merge wrote the document itself, what it knows of it (else null),
 * and {@code layout}, where it wrote its records, as a scan of it would find them (without ids), or null.
 * When one side changed nothing, {@code buffer} is the other side's array itself; a merge
 * of layouts that keeps the latest as it is says so ({@link #latestKept()}, {@code buffer} null) instead.
 */
public record MergeResult(byte[] buffer, int length, List<MergeConflict> conflicts, MergedShape shape, Layout layout) {

    public MergeResult {
        conflicts = List.copyOf(conflicts);
    }

    /** A result whose shape is not known here (the device's or the latest's document as it is). */
    public MergeResult(byte[] buffer, int length, List<MergeConflict> conflicts) {
        this(buffer, length, conflicts, null, null);
    }

    MergeResult(byte[] document, List<MergeConflict> conflicts) {
        this(document, document.length, conflicts);
    }

    /** The latest, kept as it is: the device changed nothing since its base. */
    static MergeResult latestAsItIs() {
        return new MergeResult(null, -1, List.of());
    }

    /** Whether the result is the latest as it is, not held here (a merge of layouts). */
    public boolean latestKept() {
        return buffer == null;
    }

    /** The merged document in an array of its own length (the buffer itself when it is one). */
    public byte[] document() {
        if (buffer == null) {
            throw new IllegalStateException("the latest was kept as it is: read it from the store");
        }
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }
}
