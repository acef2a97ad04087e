package app.garagesync.store;

import app.garagesync.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a merged version came to be: a device's change since version {@code base}, applied onto version
 * {@code onto} (the latest then). Kept in the version file's header, so the versions listing shows it
 * without reading any document.
 *
 * @param conflicts     the first conflicts, each {@code {collection, id, field, kept, overwritten,
 *                      overwrittenIn}} as plain JSON values; bounded (see {@link #of})
 * @param conflictCount how many conflicts the merge made in all
 */
public record MergeNote(long base, long onto, List<Map<String, Object>> conflicts, int conflictCount) {

    /** Conflicts kept in the header; the rest are only counted (the overwritten values stay in {@code onto}). */
    public static final int MAX_LISTED = 50;
    /** A header is read with a 64 KB window (VersionFile.MAX_HEADER): the note stays well inside it. */
    static final int MAX_NOTE_BYTES = 16 * 1024;
    /** A conflict whose values weigh more than this is listed without them (they stay readable in {@code onto}). */
    static final int MAX_CONFLICT_BYTES = 1024;

    public MergeNote {
        conflicts = List.copyOf(conflicts);
    }

    /** The note of a merge with these conflicts, listing as many as the header's bounds allow. */
    public static MergeNote of(long base, long onto, List<Map<String, Object>> all) {
        List<Map<String, Object>> listed = new ArrayList<>();
        int bytes = 0;
        for (Map<String, Object> c : all) {
            if (listed.size() == MAX_LISTED) {
                break;
            }
            Map<String, Object> entry = new LinkedHashMap<>(c);
            int size = Json.bytes(entry).length;
            if (size > MAX_CONFLICT_BYTES) {
                entry.remove("kept");
                entry.remove("overwritten");
                entry.put("valuesOmitted", true);
                size = Json.bytes(entry).length;
            }
            if (bytes + size > MAX_NOTE_BYTES) {
                break;
            }
            bytes += size;
            listed.add(entry);
        }
        return new MergeNote(base, onto, listed, all.size());
    }

    /** The note as the header and the versions listing write it. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("base", base);
        m.put("onto", onto);
        m.put("conflicts", conflicts);
        m.put("conflictCount", conflictCount);
        return m;
    }

    /** Back from a header's {@code merged} member; null when there is none. */
    @SuppressWarnings("unchecked")
    static MergeNote fromMap(Object value) {
        if (!(value instanceof Map<?, ?> m)) {
            return null;
        }
        List<Map<String, Object>> conflicts = m.get("conflicts") instanceof List<?> list
                ? (List<Map<String, Object>>) list : List.of();
        return new MergeNote(((Number) m.get("base")).longValue(), ((Number) m.get("onto")).longValue(),
                conflicts, ((Number) m.get("conflictCount")).intValue());
    }
}
