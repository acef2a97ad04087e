package app.garagesync.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Removes versions a retention policy no longer keeps: a kept delta built on a removed version is
 * rewritten whole first, and the removal is recorded before it happens, so that verify tells pruned
 * from lost and loading finishes a prune a crash interrupted.
 */
final class VersionPruner {

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

    Set<Long> prune(String user, java.util.function.Function<List<VersionInfo>, Set<Long>> policy, int atLeast) {
        UserVersions uv = loader.loaded(user);
        uv.lock.lock();
        try {
            if (blobs.shared()) {
                loader.refresh(user, uv);
            }
            Set<Long> keep = new java.util.HashSet<>(policy.apply(new ArrayList<>(uv.byId.descendingMap().values())));
            if (!uv.byId.isEmpty()) {
                keep.add(uv.byId.lastKey()); // never the latest, whatever the policy says
            }
            Set<Long> drop = new java.util.TreeSet<>(uv.byId.keySet());
            drop.removeAll(keep);
            if (drop.isEmpty() || drop.size() < atLeast) {
                return Set.of();
            }
            // 1. kept versions built on a dropped one become whole: same content, new form, atomic replace
            for (VersionInfo v : uv.byId.values()) {
                StoredForm form = uv.forms.get(v.id());
                if (keep.contains(v.id()) && form.isDelta() && drop.contains(form.parent())) {
                    byte[] doc = reader.document(user, v.id(), true).bytes();
                    long size = blobs.replace(VersionKeys.versionKey(user, v.id()), out -> {
                        out.write(VersionFile.header(v, StoredForm.whole(doc.length)));
                        VersionFile.compressTo(out, doc, doc.length, zstdLevel);
                    });
                    uv.publish( VersionKeys.withStoredSize(v, size), StoredForm.whole(doc.length));
                }
            }
            // 2. record the removal before it happens, so verify tells pruned from lost
            recordPruned(user, drop);
            // 3. remove the blobs, then forget the versions
            for (long id : drop) {
                blobs.delete(VersionKeys.versionKey(user, id));
            }
            indexes.forget(user, drop.stream().map(uv.byId::get).toList());
            uv.hashChecked.removeAll(drop);
            NavigableMap<Long, VersionInfo> next = new TreeMap<>(uv.byId);
            Map<Long, StoredForm> nextForms = new java.util.HashMap<>(uv.forms);
            drop.forEach(id -> {
                next.remove(id);
                nextForms.remove(id);
            });
            uv.forms = Collections.unmodifiableMap(nextForms);
            uv.byId = Collections.unmodifiableNavigableMap(next);
            layouts.remove(user, LayoutCache.Kind.CHECKPOINT);
            LayoutCache.Entry latest = layouts.get(user, LayoutCache.Kind.LATEST);
            if (latest != null && drop.contains(latest.id())) {
                layouts.remove(user, LayoutCache.Kind.LATEST);
            }
            return drop;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prune versions of user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }

    /**
     * Adds {@code drop} to the prune record by a conditional replace: two daemons pruning one user at the
     * same moment each add their ids, neither overwrites the other's.
     */
    private void recordPruned(String user, Set<Long> drop) throws IOException {
        ConditionalReplace.update(blobs, VersionKeys.prunedKey(user), now -> {
            PrunedIds before;
            try {
                before = now == null ? PrunedIds.none() : PrunedIds.parse(now.bytes());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("unreadable prune log of user " + user + ": " + e.getMessage(), e);
            }
            return new ConditionalReplace.Change<>(before.with(drop).format(), drop);
        });
    }
}
