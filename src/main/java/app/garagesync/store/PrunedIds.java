package app.garagesync.store;

import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The ids retention removed from a user, kept as ranges ({@code 12-40} or {@code 7}, one per line): what
 * a prune drops lies between versions it keeps, so the record stays about as long as the kept list
 * instead of growing with every version a busy shop ever stored.
 */
public final class PrunedIds {

    private static final PrunedIds NONE = new PrunedIds(new TreeMap<>());

    /** first id of a range to its last */
    private final NavigableMap<Long, Long> ranges;

    private PrunedIds(NavigableMap<Long, Long> ranges) {
        this.ranges = ranges;
    }

    public static PrunedIds none() {
        return NONE;
    }

    /**
     * Reads the record; also reads the one-id-per-line form earlier versions wrote, and ranges in any order
     * and overlapping (a local store appends each forget's ranges). A tail a power loss cut short (a last line
     * without its newline, or zeros where the file grew but its bytes never reached the disk) is not part
     * of it: those ids are forgotten again by the next backup's retention, their blobs still there.
     */
    public static PrunedIds parse(byte[] record) {
        int end = 0;
        while (end < record.length && record[end] != 0) {
            end++;
        }
        while (end > 0 && record[end - 1] != '\n') {
            end--;
        }
        java.util.List<long[]> read = new java.util.ArrayList<>();
        for (String line : new String(record, 0, end, StandardCharsets.US_ASCII).split("\n")) {
            String l = line.trim();
            if (l.isEmpty()) {
                continue;
            }
            int dash = l.indexOf('-');
            long first = Long.parseLong(dash < 0 ? l : l.substring(0, dash));
            long last = dash < 0 ? first : Long.parseLong(l.substring(dash + 1));
            if (first < 1 || last < first) {
                throw new NumberFormatException("bad range " + l);
            }
            read.add(new long[] {first, last});
        }
        // sorted, then merged in one pass: an appended record holds a line per forget
        read.sort(java.util.Comparator.comparingLong(r -> r[0]));
        NavigableMap<Long, Long> ranges = new TreeMap<>();
        long[] open = null;
        for (long[] r : read) {
            if (open != null && r[0] <= open[1] + 1) {
                open[1] = Math.max(open[1], r[1]);
                continue;
            }
            if (open != null) {
                ranges.put(open[0], open[1]);
            }
            open = r;
        }
        if (open != null) {
            ranges.put(open[0], open[1]);
        }
        return ranges.isEmpty() ? NONE : new PrunedIds(ranges);
    }

    public boolean contains(long id) {
        Map.Entry<Long, Long> r = ranges.floorEntry(id);
        return r != null && id <= r.getValue();
    }

    /** The highest id recorded, 0 when none. */
    public long last() {
        return ranges.isEmpty() ? 0 : ranges.lastEntry().getValue();
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** These ids and {@code more}, adjacent ranges merged. */
    public PrunedIds with(Collection<Long> more) {
        PrunedIds ids = this;
        for (long id : more) {
            ids = ids.withRange(id, id);
        }
        return ids;
    }

    private PrunedIds withRange(long first, long last) {
        if (contains(first) && contains(last) && ranges.floorKey(first).equals(ranges.floorKey(last))) {
            return this;
        }
        NavigableMap<Long, Long> next = new TreeMap<>(ranges);
        Map.Entry<Long, Long> before = next.floorEntry(first);
        if (before != null && before.getValue() >= first - 1) {
            first = before.getKey();
            last = Math.max(last, before.getValue());
        }
        // swallow every range starting inside or right after the new one
        for (Map.Entry<Long, Long> after = next.ceilingEntry(first); after != null && after.getKey() <= last + 1;
             after = next.ceilingEntry(first)) {
            last = Math.max(last, after.getValue());
            next.remove(after.getKey());
        }
        next.put(first, last);
        return new PrunedIds(next);
    }

    public byte[] format() {
        StringBuilder lines = new StringBuilder();
        ranges.forEach((first, last) -> {
            lines.append(first);
            if (!last.equals(first)) {
                lines.append('-').append(last);
            }
            lines.append('\n');
        });
        return lines.toString().getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public String toString() {
        return new String(format(), StandardCharsets.US_ASCII).trim().replace('\n', ',');
    }
}
