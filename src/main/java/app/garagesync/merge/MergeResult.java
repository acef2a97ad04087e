package app.garagesync.merge;

import java.util.Arrays;
import java.util.List;

/**
 * The merged document (a valid backup): the first {@code length} bytes of {@code buffer}, handed over
 * without the copy that trimming a 50 MB output would cost; and the fields both sides changed differently,
 * in document order. When one side changed nothing, {@code buffer} is the other side's array itself.
 */
public record MergeResult(byte[] buffer, int length, List<MergeConflict> conflicts) {

    public MergeResult {
        conflicts = List.copyOf(conflicts);
    }

    MergeResult(byte[] document, List<MergeConflict> conflicts) {
        this(document, document.length, conflicts);
    }

    /** The merged document in an array of its own length (the buffer itself when it is one). */
    public byte[] document() {
        return length == buffer.length ? buffer : Arrays.copyOf(buffer, length);
    }
}
