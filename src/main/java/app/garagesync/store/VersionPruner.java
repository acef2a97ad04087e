package app.garagesync.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Retention in restic's two steps. {@link #forget} takes the versions a policy no longer keeps out of
 * every list and read at once, by adding them to the prune record in the store (so every daemon sharing
 * it forgets them too, and their numbers are never given again); their blobs stay. {@link #prune}, in
 * batches, rewrites whole each kept delta built on a forgotten version, then deletes the forgotten blobs.
 * A crash between the two leaves forgotten versions forgotten and their blobs for the next prune, or for
 * loading, which deletes those no kept version needs.
 */
final class VersionPruner {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(VersionPruner.class);

    private final BlobStore blobs;
    private final int zstdLevel;
    private final LayoutCache layouts;
    private final LayoutIndexCache indexes;
    private final VersionLoader loader;
    private final VersionReader reader;

    VersionPruner(BlobStore blobs, int zstdLevel, LayoutCache layouts, LayoutIndexCache indexes, VersionLoader loader,
                  VersionReader reader) {
        this.blobs = blobs;
        this.zstdLevel = zstdLevel;
        this.layouts = layouts;
        this.indexes = indexes;
        this.loader = loader;
        this.reader = reader;
    }

    /** Forgets the versions {@code policy} does not keep (never the latest); answers their ids. */
    Set<Long> forget(String user, Function<List<VersionInfo>, Set<Long>> policy) {
        UserVersions uv = loader.loaded(user);
        uv.lock.lock();
        try {
            if (blobs.shared()) {
                loader.refresh(user, uv);
            }
            Set<Long> keep = policy.apply(new ArrayList<>(uv.byId.descendingMap().values()));
            Long latest = uv.byId.isEmpty() ? null : uv.byId.lastKey(); // never the latest, whatever the policy says
            // walked once, not copied whole and then removed from: this runs after every backup past keep-last
            Set<Long> drop = new TreeSet<>();
            for (Long id : uv.byId.keySet()) {
                if (!keep.contains(id) && !id.equals(latest)) {
                    drop.add(id);
                }
            }
            if (drop.isEmpty()) {
                return Set.of();
            }
            // recorded before the index changes: a crash after this line forgets them all the same
            recordPruned(user, drop);
            NavigableMap<Long, VersionInfo> kept = new TreeMap<>(uv.byId);
            NavigableMap<Long, VersionInfo> forgotten = new TreeMap<>(uv.forgotten);
            drop.forEach(id -> forgotten.put(id, kept.remove(id)));
            uv.forgotten = Collections.unmodifiableNavigableMap(forgotten);
            uv.byId = Collections.unmodifiableNavigableMap(kept);
            uv.hashChecked.removeAll(drop);
            uv.failedReads.keySet().removeAll(drop);
            return drop;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot forget versions of user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }

    /**
     * Deletes the blobs of forgotten versions once at least {@code atLeast} wait, first rewriting whole
     * each kept delta built on one of them; answers the ids whose blobs went.
     */
    Set<Long> prune(String user, int atLeast) {
        UserVersions uv = loader.loaded(user);
        if (uv.forgotten.size() < Math.max(1, atLeast)) {
            // most backups past keep-last end here: the count is fresh (loading re-lists a shared store)
            return Set.of();
        }
        Set<Long> dropped = pruneLocked(user, uv, atLeast);
        if (!dropped.isEmpty()) {
            // after the user's lock: a pack's compaction copies while the user's next backups go on
            try {
                blobs.tidy(VersionKeys.versionsPrefix(user));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Could not reclaim the space of the versions pruned for user {} (tried again at the next prune): {}",
                        user, e.toString());
            }
        }
        return dropped;
    }

    private Set<Long> pruneLocked(String user, UserVersions uv, int atLeast) {
        uv.lock.lock();
        try {
            if (blobs.shared()) {
                loader.refresh(user, uv);
            }
            Set<Long> drop = new TreeSet<>(uv.forgotten.keySet());
            if (drop.isEmpty() || drop.size() < atLeast) {
                return Set.of();
            }
            // 1. kept versions built on a forgotten one become whole: same content, new form, atomic replace
            for (VersionInfo v : uv.byId.values()) {
                StoredForm form = uv.forms.get(v.id());
                if (form.isDelta() && drop.contains(form.parent())) {
                    byte[] doc = reader.document(user, v.id(), true).bytes();
                    long size = blobs.replace(VersionKeys.versionKey(user, v.id()), out -> {
                        out.write(VersionFile.header(v, StoredForm.whole(doc.length)));
                        VersionFile.compressTo(out, doc, doc.length, zstdLevel);
                    });
                    uv.publish(VersionKeys.withStoredSize(v, size), StoredForm.whole(doc.length));
                }
            }
            // 2. the prune record names them already (forget wrote it): verify tells them from lost ones. It
            // must reach the disk before the deletions do, or a power loss could leave files gone unnamed;
            // a local one, appended to by each forget, is written back whole in ranges on the way
            makeRecordDurable(user);
            blobs.deleteAll(drop.stream().map(id -> VersionKeys.versionKey(user, id)).toList());
            // a number another daemon forgot may never have been known here: it has no index here either
            indexes.forget(user, drop.stream().map(uv.forgotten::get).filter(java.util.Objects::nonNull).toList());
            Map<Long, StoredForm> nextForms = new HashMap<>(uv.forms);
            nextForms.keySet().removeAll(drop);
            uv.forms = Collections.unmodifiableMap(nextForms);
            NavigableMap<Long, VersionInfo> forgotten = new TreeMap<>(uv.forgotten);
            forgotten.keySet().removeAll(drop);
            uv.forgotten = Collections.unmodifiableNavigableMap(forgotten);
            layouts.remove(user, LayoutCache.Kind.CHECKPOINT);
            return drop;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prune versions of user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }

    /**
     * Adds {@code drop} to the prune record: appended in a local store; in a shared one by a conditional
     * replace, so that two daemons forgetting for one user at the same moment each add their ids, neither
     * overwrites the other's.
     */
    private void recordPruned(String user, Set<Long> drop) throws IOException {
        if (!blobs.shared()) {
            // one process owns a local store and writes this record under the user's lock only. Appended,
            // without fsync, as the mark of numbers: a kill -9 keeps it; a power loss may bring forgotten
            // versions back (their files are still there until the prune, which makes the record durable
            // before it deletes any), and the next backup's forget takes them out again, since the policy is
            // a function of the versions. Its fsync pair was a second file and a second folder fsync on each
            // backup; a new file per backup adds to what ext4 without a journal scans on every create (the
            // files deleted in the last seconds, recently_deleted in perf). The prune writes it back whole
            blobs.append(VersionKeys.prunedKey(user), PrunedIds.none().with(drop).format());
            return;
        }
        ConditionalReplace.update(blobs, VersionKeys.prunedKey(user), now -> {
            PrunedIds before = now == null ? PrunedIds.none() : parseRecord(user, now.bytes());
            return new ConditionalReplace.Change<>(before.with(drop).format(), drop);
        });
    }

    /** Makes the prune record durable; a local one is compacted into its ranges by a durable replace. */
    private void makeRecordDurable(String user) throws IOException {
        String key = VersionKeys.prunedKey(user);
        if (blobs.shared()) {
            blobs.makeDurable(key);
            return;
        }
        byte[] compact = parseRecord(user, readOrEmpty(key)).format();
        blobs.replace(key, out -> out.write(compact));
    }

    private static PrunedIds parseRecord(String user, byte[] record) {
        try {
            return PrunedIds.parse(record);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("unreadable prune log of user " + user + ": " + e.getMessage(), e);
        }
    }

    private byte[] readOrEmpty(String key) throws IOException {
        try {
            return blobs.read(key);
        } catch (java.nio.file.NoSuchFileException e) {
            return new byte[0];
        }
    }
}
