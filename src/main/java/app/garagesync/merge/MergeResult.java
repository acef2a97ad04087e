package app.garagesync.merge;

import java.util.List;

/** The merged document (a valid backup) and the fields both sides changed differently, in document order. */
public record MergeResult(byte[] document, List<MergeConflict> conflicts) {

    public MergeResult {
        conflicts = List.copyOf(conflicts);
    }
}
