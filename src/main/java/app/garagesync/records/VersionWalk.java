package app.garagesync.records;

import app.garagesync.records.UserRecordIndex.Ref;
import app.garagesync.records.UserRecordIndex.Seen;
import app.garagesync.store.BackupStore;
import app.garagesync.store.DamagedVersionException;
import app.garagesync.store.StoredVersion;
import app.garagesync.store.VersionInfo;
import app.garagesync.store.delta.ContentHash;
import app.garagesync.store.delta.Layout;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * A user's versions read one after the other, oldest first, for the record index: each version's records
 * present, and the bytes and hash of only those that may have changed since the version read before it.
 *
 * <p>A version stored as a delta of the version just read is rebuilt from that version's layout, so the
 * records the delta did not touch are the very same slices of the very same buffers: they are known
 * unchanged without being parsed or hashed, and a version costs what its delta touched (plus one hash of
 * the document, checked against the one recorded when it was stored, as the store checks its own reads).
 * Otherwise (a checkpoint, a first version, a delta of a version not read here) the store's layout is
 * read and every record is looked at; a store that keeps no layouts is read as bytes.
 */
final class VersionWalk {

    /**
     * What one version holds for the index: the bytes and hash of each record that may have changed since
     * the version before ({@code fresh}), and either every record {@code present} (the version was read
     * whole: records not there are deleted) or the records that may be {@code gone} since the version before
     * (every other record is as it was).
     */
    record Step(Map<Ref, Seen> fresh, Set<Ref> present, Set<Ref> gone) {
    }

    /** A collection of the layout read before, and the record of each of its items (null: no id). */
    private record Known(Layout.Items items, Ref[] refs) {
    }

    /** How far ahead of the expected item a copied one is looked for (records deleted in between). */
    private static final int LOOK_AHEAD = 16;

    private final BackupStore store;
    private final String user;
    private final MessageDigest sha = sha256();
    private long version;
    private Layout layout;
    /** per collection of {@link #layout}: the record of each of its items (null: an item without an id) */
    private Map<String, Known> known = Map.of();

    VersionWalk(BackupStore store, String user) {
        this.store = store;
        this.user = user;
    }

    /** Version {@code v}, newer than the one read before. */
    Step next(long v) {
        Layout next = fromPrevious(v);
        if (next == null) {
            next = store.layout(user, v);
        }
        if (next == null || escapedNames(next)) {
            forget();
            return whole(RecordSpans.of(store.read(user, v)));
        }
        Step step = step(next);
        layout = next;
        version = v;
        return step;
    }

    /** Version {@code v} rebuilt from the layout read before when it is a delta of it and checks; else null. */
    private Layout fromPrevious(long v) {
        if (layout == null) {
            return null;
        }
        try {
            StoredVersion stored = store.stored(user, v);
            if (!stored.isDelta() || stored.parent() != version) {
                return null;
            }
            Layout rebuilt = stored.rebuild(layout);
            VersionInfo info = stored.info();
            if (rebuilt.size() != info.size()
                    || info.contentHash() != null && !ContentHash.of(rebuilt).equals(info.contentHash())) {
                return null; // the store's own read says what is wrong with it
            }
            return rebuilt;
        } catch (IOException | DamagedVersionException | IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The records of {@code next}, its items matched in order against those of the layout read before: an
     * item that is the same slice of the same buffer is the same record with the same bytes (a copy the
     * delta did not touch), anything else is parsed and hashed. A copy not matched (moved far) is only
     * parsed again, which costs time, never a wrong answer.
     */
    private Step step(Layout next) {
        boolean first = known.isEmpty();
        Map<Ref, Seen> fresh = new HashMap<>();
        Set<Ref> present = first ? new HashSet<>() : null;
        Set<Ref> gone = first ? null : new HashSet<>();
        Map<String, Known> nextKnown = new HashMap<>();
        for (Layout.Items items : next.items()) {
            if (nextKnown.containsKey(items.name())) {
                continue; // as RecordSpans: the first of two collections of one name
            }
            int n = items.start().length;
            Ref[] refs = new Ref[n];
            nextKnown.put(items.name(), new Known(items, refs));
            Known before = known.get(items.name());
            boolean[] matched = before == null ? null : new boolean[before.refs().length];
            int j = 0;
            for (int i = 0; i < n; i++) {
                int match = before == null ? -1 : find(before.items(), j, items, i);
                if (match >= 0) {
                    refs[i] = before.refs()[match];
                    matched[match] = true;
                    j = match + 1;
                    if (present != null && refs[i] != null) {
                        present.add(refs[i]);
                    }
                    continue;
                }
                byte[] buffer = items.buffers()[i];
                int start = items.entityStart(i);
                int end = items.end()[i];
                String key = RecordSpans.idKey(buffer, start, end);
                Ref ref = key == null ? null : new Ref(items.name(), key);
                refs[i] = ref;
                if (ref == null || fresh.containsKey(ref)) {
                    continue; // no id, or a second record of that id (validation refuses it): the first counts
                }
                sha.update(buffer, start, end - start);
                fresh.put(ref, new Seen(RecordIndex.fold(sha.digest()), buffer, start, end));
                if (present != null) {
                    present.add(ref);
                }
            }
            if (gone != null && before != null) {
                for (int k = 0; k < matched.length; k++) {
                    if (!matched[k] && before.refs()[k] != null && !fresh.containsKey(before.refs()[k])) {
                        gone.add(before.refs()[k]);
                    }
                }
            }
        }
        if (gone != null) {
            // a whole collection removed: its records are gone too
            known.forEach((name, k) -> {
                if (!nextKnown.containsKey(name)) {
                    for (Ref r : k.refs()) {
                        if (r != null) {
                            gone.add(r);
                        }
                    }
                }
            });
        }
        known = nextKnown;
        return new Step(fresh, present, gone);
    }

    /** The index of the item of {@code before}, from {@code from} on, that is item {@code i} of {@code now}; -1. */
    private static int find(Layout.Items before, int from, Layout.Items now, int i) {
        byte[] buffer = now.buffers()[i];
        int start = now.start()[i];
        int end = now.end()[i];
        for (int k = from; k < Math.min(from + LOOK_AHEAD, before.end().length); k++) {
            if (before.buffers()[k] == buffer && before.end()[k] == end && before.start()[k] == start) {
                return k; // the same slice of the same buffer: the same bytes
            }
        }
        return -1;
    }

    private Step whole(RecordSpans spans) {
        Map<Ref, Seen> all = RecordIndex.seen(spans);
        return new Step(all, all.keySet(), null);
    }

    /** A collection name written with escapes: the layout keeps it as written, the index as read. */
    private static boolean escapedNames(Layout layout) {
        for (Layout.Items items : layout.items()) {
            if (items.name().indexOf('\\') >= 0) {
                return true;
            }
        }
        return false;
    }

    private void forget() {
        layout = null;
        known = Map.of();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
