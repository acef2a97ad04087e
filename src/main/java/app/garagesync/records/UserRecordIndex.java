package app.garagesync.records;

import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One user's record index in memory: which indexed versions changed which record, and each record's
 * hash in the newest indexed version. Guarded by {@link #lock}; {@link RecordIndex} keeps it in step with
 * the store and on disk.
 */
final class UserRecordIndex {

    /** A record: its collection and typed id key. */
    record Ref(String collection, String key) {
    }

    /**
     * One line of a version's block: a record, its hash there ({@link RecordChanges#ABSENT}: deleted) and
     * where a copy of its bytes is in the record file ({@link RecordChanges#UNKNOWN}: none).
     */
    record Change(Ref ref, long hash, long offset, int length) {
        Change(Ref ref, long hash) {
            this(ref, hash, RecordChanges.UNKNOWN, 0);
        }
    }

    /** A record of a version being indexed: its hash and its bytes, {@code [start, end)} of {@code buffer}. */
    record Seen(long hash, byte[] buffer, int start, int end) {
    }

    /** Keeps a copy of a record's bytes; answers where ({@link RecordChanges#UNKNOWN} when it could not). */
    interface Copies {
        long keep(Seen record);
    }

    final ReentrantLock lock = new ReentrantLock();
    /** the versions indexed, every one still stored */
    final NavigableSet<Long> covered = new TreeSet<>();
    /** whether versions older than the first indexed one existed (pruned): its records' past is unknown */
    boolean prunedBefore;
    final Map<Ref, RecordChanges> changes = new HashMap<>();
    /** versions that do not read back (damaged): left out instead of stopping the index there */
    final NavigableSet<Long> unreadable = new TreeSet<>();
    /** whether the index was loaded or built at least once since start */
    boolean ready;
    /** bytes in the record file, where the next copies go */
    long copiesLength;

    /**
     * Indexes version {@code v}, newer than every indexed one, from its records' hashes; the bytes of each
     * record that changed there go to {@code copies}. Returns what changed.
     */
    List<Change> add(long v, Map<Ref, Seen> state, Copies copies) {
        return add(v, state, state.keySet(), null, copies);
    }

    /**
     * Like {@link #add(long, Map, Copies)}, from the hashes of only the records that may have changed since
     * the version indexed before ({@code fresh}), and either every record {@code present} in version
     * {@code v}, or ({@code present} null) those that may be {@code gone} since: any other record is known to
     * have the same bytes as there.
     */
    List<Change> add(long v, Map<Ref, Seen> fresh, java.util.Set<Ref> present, java.util.Set<Ref> gone, Copies copies) {
        List<Change> out = new java.util.ArrayList<>();
        for (Map.Entry<Ref, Seen> e : fresh.entrySet()) {
            RecordChanges c = changes.get(e.getKey());
            Seen seen = e.getValue();
            if (c == null || c.last() != seen.hash()) {
                long offset = copies.keep(seen);
                changes.computeIfAbsent(e.getKey(), r -> new RecordChanges()).add(v, seen.hash(), offset,
                        seen.end() - seen.start());
                out.add(new Change(e.getKey(), seen.hash(), offset, seen.end() - seen.start()));
            }
        }
        if (present != null) {
            for (Map.Entry<Ref, RecordChanges> e : changes.entrySet()) {
                if (e.getValue().last() != RecordChanges.ABSENT && !present.contains(e.getKey())) {
                    out.add(new Change(e.getKey(), RecordChanges.ABSENT));
                }
            }
        } else {
            for (Ref ref : gone) {
                RecordChanges c = changes.get(ref);
                if (c != null && c.last() != RecordChanges.ABSENT) {
                    out.add(new Change(ref, RecordChanges.ABSENT));
                }
            }
        }
        // deletions were collected apart so the map is not changed while it is walked
        for (Change c : out) {
            if (c.hash() == RecordChanges.ABSENT) {
                changes.get(c.ref()).add(v, RecordChanges.ABSENT);
            }
        }
        covered.add(v);
        return out;
    }

    /** Replays one block read back from the file. */
    void replay(long v, List<Change> block) {
        for (Change c : block) {
            changes.computeIfAbsent(c.ref(), r -> new RecordChanges()).add(v, c.hash(), c.offset(), c.length());
        }
        covered.add(v);
    }

    /**
     * Forgets indexed versions no longer stored: each record's changes in a removed version count in
     * the next version kept (what a reader of the kept versions sees changing there), and a change that
     * the kept versions no longer show (undone before the next kept one) disappears.
     *
     * <p>Only kept versions already indexed can take those changes: when the next kept version is not
     * indexed yet (removed versions were the newest indexed, e.g. another daemon on the same bucket
     * stored and pruned meanwhile, or retention ran before the index followed a backup), the changes go,
     * and indexing that version records its state against the last kept one. Moving them onto it would
     * give it two entries.
     */
    void keepOnly(NavigableSet<Long> stored) {
        NavigableSet<Long> kept = new TreeSet<>(covered);
        kept.retainAll(stored);
        if (!covered.isEmpty() && (kept.isEmpty() || covered.first() < kept.first())) {
            prunedBefore = true;
        }
        Iterator<Map.Entry<Ref, RecordChanges>> it = changes.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Ref, RecordChanges> e = it.next();
            RecordChanges old = e.getValue();
            TreeMap<Long, Integer> byKept = new TreeMap<>();
            for (int i = 0; i < old.size(); i++) {
                Long k = kept.ceiling(old.version(i));
                if (k != null) {
                    byKept.put(k, i); // the last change before a kept version is its state there
                }
            }
            RecordChanges next = new RecordChanges();
            long previous = RecordChanges.ABSENT;
            for (Map.Entry<Long, Integer> k : byKept.entrySet()) {
                int i = k.getValue();
                if (old.hash(i) != previous) {
                    // the same bytes (same hash) as in the removed version: their copy serves the kept one
                    next.add(k.getKey(), old.hash(i), old.offset(i), old.length(i));
                    previous = old.hash(i);
                }
            }
            if (next.size() == 0) {
                it.remove();
            } else {
                e.setValue(next);
            }
        }
        covered.retainAll(kept);
        unreadable.retainAll(stored);
    }

    /** The blocks of every indexed version, for rewriting the file whole. */
    TreeMap<Long, List<Change>> blocks() {
        TreeMap<Long, List<Change>> out = new TreeMap<>();
        covered.forEach(v -> out.put(v, new java.util.ArrayList<>()));
        changes.forEach((ref, c) -> {
            for (int i = 0; i < c.size(); i++) {
                out.computeIfAbsent(c.version(i), v -> new java.util.ArrayList<>())
                        .add(new Change(ref, c.hash(i), c.offset(i), c.length(i)));
            }
        });
        return out;
    }

    void clear() {
        covered.clear();
        changes.clear();
        prunedBefore = false;
        ready = false;
    }
}
