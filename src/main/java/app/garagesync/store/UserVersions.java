package app.garagesync.store;

import java.util.Collections;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/** Versions of one user, loaded from their headers on first use: the in-memory index the store parts share. */
final class UserVersions {
    final ReentrantLock lock = new ReentrantLock();
    volatile NavigableMap<Long, VersionInfo> byId;
    /** Forms of the versions in {@link #byId} and in {@link #forgotten}: a kept delta's chain may run through both. */
    volatile Map<Long, StoredForm> forms;
    /**
     * Versions retention forgot whose blobs are still stored: out of every list and read at once, kept
     * only as links of the chains of kept deltas until a prune rewrites those and deletes the blobs.
     */
    volatile NavigableMap<Long, VersionInfo> forgotten = Collections.emptyNavigableMap();
    /** Version files whose header does not read (or names another version), by id: why. */
    volatile Map<Long, String> unreadable = Map.of();
    /** Versions whose header reads but whose document did not rebuild exactly, by id: why. */
    final Map<Long, String> failedReads = new ConcurrentHashMap<>();
    /**
     * Versions rebuilt from deltas whose content hash matched once: the forms that chain them are in
     * memory and every payload read again is checked by its zstd checksum, so a later read of the same
     * version needs no second SHA-256 pass (a third of a 35 MB delta read, measured). Verify always hashes.
     */
    final Set<Long> hashChecked = ConcurrentHashMap.newKeySet();

    /** Every version known to be damaged, by id: why. */
    NavigableMap<Long, String> damaged() {
        NavigableMap<Long, String> all = new TreeMap<>(failedReads);
        all.putAll(unreadable);
        return all;
    }
    /** The highest version number known to have been given, whether or not its version is still there. */
    volatile long issued;
    /** The number this process last tried to write, under the lock. */
    long tried;

    /**
     * Versions written and named under the lock whose folder fsync has not returned yet: the next writer
     * numbers and builds on them, readers do not see them (they are not in {@link #byId}) until an fsync of
     * the folder begun after their link succeeded ({@code VersionWriter}). Changed under the lock only.
     */
    final NavigableMap<Long, VersionInfo> pending = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Records a version written but not yet durable: its form for the chains built on it, out of every list. */
    void written(VersionInfo stored, StoredForm form) {
        Map<Long, StoredForm> nextForms = new java.util.HashMap<>(forms);
        nextForms.put(stored.id(), form);
        forms = Collections.unmodifiableMap(nextForms);
        pending.put(stored.id(), stored);
    }

    /** The newest version written by this process or listed, durable or not yet: what the next one builds on. */
    Map.Entry<Long, VersionInfo> latestWritten() {
        Map.Entry<Long, VersionInfo> listed = byId.lastEntry();
        Map.Entry<Long, VersionInfo> written = pending.lastEntry();
        return written == null || (listed != null && listed.getKey() > written.getKey()) ? listed : written;
    }

    void publish(VersionInfo stored, StoredForm form) {
        NavigableMap<Long, VersionInfo> next = new TreeMap<>(byId);
        next.put(stored.id(), stored);
        Map<Long, StoredForm> nextForms = new java.util.HashMap<>(forms);
        nextForms.put(stored.id(), form);
        forms = Collections.unmodifiableMap(nextForms);
        byId = Collections.unmodifiableNavigableMap(next);
    }

    /** Whether {@code id} or a version its document is rebuilt from is known to be damaged. */
    boolean chainDamaged(long id) {
        Map<Long, String> damaged = damaged();
        if (damaged.isEmpty()) {
            return false;
        }
        for (long at = id; ; ) {
            StoredForm form = forms.get(at);
            if (damaged.containsKey(at) || form == null) {
                return true;
            }
            if (!form.isDelta()) {
                return false;
            }
            at = form.parent();
        }
    }

    /** A version kept or forgotten but still stored, by id; null when neither. */
    VersionInfo info(long id) {
        VersionInfo v = byId.get(id);
        if (v == null) {
            v = forgotten.get(id);
        }
        return v != null ? v : pending.get(id);
    }

    long checkpointOf(long id) {
        long at = id;
        StoredForm form = forms.get(at);
        while (form.isDelta()) {
            at = form.parent();
            form = forms.get(at);
        }
        return at;
    }

    /** The newest version of the user not known to be damaged, other than {@code except}; null when none. */
    Long intactBesides(long except) {
        Map<Long, String> damaged = damaged();
        for (Long id : byId.descendingKeySet()) {
            if (id != except && !damaged.containsKey(id)) {
                return id;
            }
        }
        return null;
    }
}
