package app.garagesync.store;

import app.garagesync.store.delta.Layout;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Layouts kept in memory, at most {@code maxBytes} of them, least recently used out first: per user the
 * newest version's (the next backup's delta is computed against it, and GET of the latest is served from
 * it without a read) and the checkpoint a read last rebuilt from.
 *
 * <p>Strong references under a byte bound, not soft references: with five 50 MB shops, soft references
 * filled the heap until G1 had to run two full collections back to back (the second clearing them all,
 * on the edge of running out) and then shrank the heap, so the next big request page-faulted fresh
 * memory again (measured with {@code -Xlog:gc} on the bench's store run).
 */
final class LayoutCache {

    enum Kind { LATEST, CHECKPOINT }

    record Entry(long id, Layout layout, long weight) {
    }

    private record Key(String user, Kind kind) {
    }

    private final long maxBytes;
    private final LinkedHashMap<Key, Entry> entries = new LinkedHashMap<>(16, 0.75f, true);
    private long bytes;

    LayoutCache(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    /** The layout of version {@code id} if it is kept; null otherwise. */
    synchronized Layout get(String user, Kind kind, long id) {
        Entry e = entries.get(new Key(user, kind));
        return e != null && e.id() == id ? e.layout() : null;
    }

    /** The kept entry, whatever its version; null when there is none. */
    synchronized Entry get(String user, Kind kind) {
        return entries.get(new Key(user, kind));
    }

    synchronized void put(String user, Kind kind, long id, Layout layout) {
        remove(user, kind);
        // what it holds on to: the document's bytes and three parallel arrays per item
        long weight = layout.size() + 12L * layout.itemCount();
        if (weight > maxBytes) {
            return;
        }
        entries.put(new Key(user, kind), new Entry(id, layout, weight));
        bytes += weight;
        Iterator<Map.Entry<Key, Entry>> oldest = entries.entrySet().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            bytes -= oldest.next().getValue().weight();
            oldest.remove();
        }
    }

    synchronized void remove(String user, Kind kind) {
        Entry e = entries.remove(new Key(user, kind));
        if (e != null) {
            bytes -= e.weight();
        }
    }

    synchronized long bytes() {
        return bytes;
    }
}
