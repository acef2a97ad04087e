package app.garagesync.merge;

import java.util.Map;

/**
 * What the merge knows of the document it wrote, which validation would otherwise read it whole again to
 * learn: the records of each collection, in document order, and where the top-level {@code timestamp}
 * value sits ({@code [timestampStart, timestampEnd)}, -1 when there is none).
 */
public record MergedShape(Map<String, Integer> recordsByCollection, int timestampStart, int timestampEnd) {

    public MergedShape {
        recordsByCollection = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(recordsByCollection));
    }
}
