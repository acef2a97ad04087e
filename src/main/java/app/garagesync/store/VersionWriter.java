package app.garagesync.store;

import app.garagesync.store.delta.DeltaCodec;
import app.garagesync.store.delta.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.Map;
import java.util.NavigableMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The write path: numbers a new version, stores it whole or as a delta of the one before (see
 * {@link VersionStore.StoragePolicy}), and claims its number in the {@link IssuedMark} before anybody
 * hears of it. A lock per user orders this process's writes; create-only orders everybody's.
 */
final class VersionWriter {

    private static final Logger LOG = LoggerFactory.getLogger(VersionWriter.class);
    /** Lost races after which a writer stops re-reading every version before its next try. */
    private static final int FULL_RACES = 2;

    private final BlobStore blobs;
    private final Clock clock;
    private final int zstdLevel;
    private final VersionStore.StoragePolicy policy;
    private final LayoutCache layouts;
    private final LayoutIndexCache indexes;
    private final VersionLoader loader;
    private final VersionReader reader;
    private final IssuedMark mark;
    /**
     * One thread that prepares a big incoming backup while its request thread validates it (see
     * {@link Incoming}); a second big backup meanwhile is prepared inline. It ends when idle.
     */
    private final java.util.concurrent.ThreadPoolExecutor ahead = new java.util.concurrent.ThreadPoolExecutor(
            0, 1, 30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "garage-sync-store-ahead");
                t.setDaemon(true);
                return t;
            });

    VersionWriter(BlobStore blobs, Clock clock, int zstdLevel, VersionStore.StoragePolicy policy, LayoutCache layouts,
                  LayoutIndexCache indexes, VersionLoader loader, VersionReader reader, IssuedMark mark) {
        this.blobs = blobs;
        this.clock = clock;
        this.zstdLevel = zstdLevel;
        this.policy = policy;
        this.layouts = layouts;
        this.indexes = indexes;
        this.loader = loader;
        this.reader = reader;
        this.mark = mark;
    }

    /** {@code known}: the document's layout as its writer knows it (no scan then), or null. */
    Incoming incoming(String user, byte[] json, int length, Layout known) {
        boolean scan = policy.maxChain() > 0;
        // a shared store is not listed again for the hint: that is done once, under the lock, by put
        boolean whole = storedWhole(blobs.shared() ? loader.cached(user) : loader.loaded(user));
        if (scan && known != null) {
            return Incoming.ahead(json, length, known, whole, zstdLevel, ahead);
        }
        return Incoming.ahead(json, length, scan, whole, zstdLevel, ahead);
    }

    /** See {@link BackupStore#arriving}: the compression started as the document comes in, when it will be stored whole. */
    Incoming arriving(String user, byte[] array, java.util.function.Supplier<java.io.InputStream> bytes) {
        // on the HTTP server's thread: what is known of the user now, never a listing or a lock (a user not
        // seen yet since start-up is taken for a new one: at worst a compression for nothing)
        if (array.length < Incoming.AHEAD_MIN_SIZE || !storedWhole(loader.cached(user))) {
            return null;
        }
        return Incoming.compressingAsItArrives(array, bytes, zstdLevel, ahead);
    }

    /**
     * Whether the next version of the user whose versions are {@code uv} (null: none known) will be stored whole
     * (a first version, or the end of a chain of deltas). A hint, read without the lock: a wrong guess costs a
     * compression, never a wrong version.
     */
    private boolean storedWhole(UserVersions uv) {
        if (policy.maxChain() <= 0) {
            return true;
        }
        NavigableMap<Long, VersionInfo> byId = uv == null ? null : uv.byId;
        Map.Entry<Long, VersionInfo> last = byId == null ? null : byId.lastEntry();
        StoredForm lastForm = last == null ? null : uv.forms.get(last.getKey());
        return lastForm == null || lastForm.chainLength() + 1 > policy.maxChain();
    }

    /** Incoming backups whose scan or compression the helper thread took on. */
    long preparedAhead() {
        return ahead.getCompletedTaskCount();
    }

    /** {@code merged}: how a merged document was merged, kept in its header; null for one stored as sent. */
    StoreResult put(String user, Incoming json, BackupSummary summary, long expectedLatest, MergeNote merged) {
        UserVersions uv = loader.loaded(user);
        StoreResult result = putLocked(user, uv, json, summary, expectedLatest, merged);
        // an unchanged answer may name a version still waiting for its fsync: it waits for it too
        awaitDurable(user, uv, result.version().id());
        return result;
    }

    /**
     * Returns once version {@code id} is durable and listed. Versions of a local store are named under the
     * user's lock, in number order, each after its content was fsynced; the fsync of the folder comes after
     * the lock, so that the user's next backup is written meanwhile and writers share that fsync
     * ({@link DirectoryCommit}). An fsync begun after this version's link covers its name and those of every
     * version linked before it, its parents included: only then is it, and every version below it still
     * waiting, listed for readers, in number order. A failed fsync fails this request (nothing is
     * acknowledged) and lists nothing; the version's file stays, and the next fsync that succeeds lists it.
     */
    private void awaitDurable(String user, UserVersions uv, long id) {
        Map.Entry<Long, VersionInfo> oldest = uv.pending.firstEntry();
        if (oldest == null || oldest.getKey() > id) {
            return; // listed already: made durable by another writer's fsync
        }
        try {
            blobs.commitCreated(VersionKeys.versionKey(user, id));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a version for user " + user, e);
        }
        uv.lock.lock();
        try {
            for (Map.Entry<Long, VersionInfo> e = uv.pending.firstEntry(); e != null && e.getKey() <= id;
                 e = uv.pending.firstEntry()) {
                uv.publish(e.getValue(), uv.forms.get(e.getKey()));
                uv.pending.remove(e.getKey());
            }
        } finally {
            uv.lock.unlock();
        }
    }

    private StoreResult putLocked(String user, UserVersions uv, Incoming json, BackupSummary summary,
                                  long expectedLatest, MergeNote merged) {
        uv.lock.lock();
        try {
            long deadline = System.nanoTime() + ConditionalReplace.CONTENDED_FOR_NANOS;
            for (int race = 0; ; race++) {
                try {
                    return putOnce(user, uv, json, summary, expectedLatest, merged);
                } catch (BlobStore.BlobExistsException e) {
                    if (!blobs.shared()) {
                        throw e;
                    }
                    if (race >= VersionStore.MAX_RACES || System.nanoTime() - deadline >= 0) {
                        // other daemons keep taking the next number: too busy for now, the client retries
                        throw new StoreUnavailableException("cannot number a version of user " + user + ": "
                                + (race + 1) + " numbers taken by other daemons in a row", "contended by other daemons",
                                false, e);
                    }
                    if (race < FULL_RACES || expectedLatest >= 0) {
                        // another daemon took this number first: learn its version and build on it
                        LOG.info("Version number of user {} taken by another daemon, building on its version", user);
                        loader.refresh(user, uv);
                    } else {
                        // a daemon far behind a busy one (a slow link) loses every race it runs by re-reading
                        // the versions: it reserves the next number in the mark instead (a daemon that
                        // refreshes its view reads it) and writes this version whole under that number. Against a
                        // daemon that creates a version inside each of its reserve windows it still loses: past
                        // the bound it answers 503, and routing each user to one daemon (docs/scale.md) avoids it
                        long reserved = mark.reserve(user, uv.tried, deadline - System.nanoTime());
                        uv.issued = reserved - 1;
                        LOG.info("Version number {} of user {} taken by another daemon, reserved {}", uv.tried, user,
                                reserved);
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a version for user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }

    private StoreResult putOnce(String user, UserVersions uv, Incoming json, BackupSummary summary, long expectedLatest,
                                MergeNote merged) throws IOException {
        {
            Map.Entry<Long, VersionInfo> last = uv.latestWritten();
            if (expectedLatest >= 0 && (last == null || last.getKey() != expectedLatest)) {
                throw new StaleBaseException(expectedLatest, last == null ? null : last.getKey());
            }
            // a damaged newest version keeps its number, and nothing new is built on it: the next
            // version is stored whole, even when it equals the intact one before the damaged one
            NavigableMap<Long, String> damaged = uv.damaged();
            long newest = Math.max(last == null ? 0 : last.getKey(), damaged.isEmpty() ? 0 : damaged.lastKey());
            boolean newestDamaged = damaged.containsKey(newest);
            if (!newestDamaged && last != null && last.getValue().contentHash().equals(summary.contentHash())) {
                return new StoreResult.Unchanged(last.getValue());
            }
            long id = Math.max(uv.issued, newest) + 1;
            uv.tried = id;
            VersionInfo draft = new VersionInfo(id, clock.instant(), summary.backupTimestamp(),
                    summary.totalRecords(), summary.recordsByCollection(), summary.size(), 0,
                    summary.contentHash(), merged);
            Layout layout = policy.maxChain() > 0 ? json.layout() : null;
            VersionInfo stored = null;
            // a delta only on the number right before, never on a damaged one: otherwise a checkpoint
            if (layout != null && last != null && !newestDamaged && last.getKey() == id - 1) {
                Delta delta = tryDelta(user, uv, last.getValue(), draft, layout);
                if (delta != null) {
                    stored = delta.stored();
                    layout = delta.layout();
                }
            }
            if (stored == null) {
                stored = write(user, uv, draft, StoredForm.whole(summary.size()),
                        out -> json.writeWhole(out, zstdLevel));
                if (layout != null) {
                    indexes.save(user, stored, layout);
                }
            }
            if (layout == null || last == null) {
                // a user's very first version is not kept in memory (admitted on second use, as a TinyLFU
                // cache's doorkeeper does): a hosted daemon onboarding garages, or taking one-off imports,
                // would otherwise hold 50 MB per garage until its next backup, and grow its heap with each.
                // That next backup reads this one back instead: measured +0.1 to +0.2 s on a 50 MB garage, once
                layouts.remove(user, LayoutCache.Kind.LATEST);
            } else {
                // the next backup's delta is computed against it without a read
                layouts.put(user, LayoutCache.Kind.LATEST, id, layout);
            }
            return new StoreResult.Stored(stored);
        }
    }

    /**
     * A version stored as a delta, and its layout as a read rebuilds it: the parent's items where the delta
     * copies them (their very buffers), the delta's bytes where it inserts. Kept as the latest's layout
     * instead of the request's, it lets go of the request's 50 MB, and a comparison with the parent (the
     * changes feed, a merge) finds the items the two share without comparing their bytes.
     */
    private record Delta(VersionInfo stored, Layout layout) {
    }

    /** Writes {@code draft} as a delta of {@code parent} when the policy allows it; null when it does not. */
    private Delta tryDelta(String user, UserVersions uv, VersionInfo parent, VersionInfo draft, Layout layout)
            throws IOException {
        StoredForm parentForm = uv.forms.get(parent.id());
        int chainLength = parentForm.chainLength() + 1;
        if (chainLength > policy.maxChain() || uv.chainDamaged( parent.id())) {
            return null;
        }
        long checkpointSize;
        Layout parentLayout;
        try {
            checkpointSize = uv.info(uv.checkpointOf( parent.id())).storedSize();
            if (uv.pending.containsKey(parent.id())) {
                // not listed yet, so not readable: its layout is the one kept since it was written, or none
                parentLayout = layouts.get(user, LayoutCache.Kind.LATEST, parent.id());
                if (parentLayout == null) {
                    return null;
                }
            } else {
                parentLayout = reader.parentLayout(user, uv, parent);
            }
        } catch (DamagedVersionException e) {
            // a delta on it would not read back: this version is stored whole instead
            LOG.warn("Storing version {} of user {} whole: {}", draft.id(), user, e.getMessage());
            return null;
        } catch (RuntimeException e) {
            // on a shared store another daemon may have pruned the parent since the listing: a checkpoint
            // needs no parent, and the create-only write still tells whether this number is free
            LOG.info("Version {} of user {} is stored whole: its parent {} no longer reads ({})", draft.id(), user,
                    parent.id(), e.getMessage());
            return null;
        }
        byte[] delta = DeltaCodec.compute(parentLayout, layout);
        byte[] compressed = VersionFile.compress(delta, zstdLevel);
        long chainBytes = parentForm.chainBytes() + compressed.length;
        if (chainBytes > policy.checkpointRatio() * checkpointSize) {
            return null;
        }
        StoredForm form = new StoredForm(parent.id(), delta.length, chainLength, chainBytes);
        VersionInfo stored = write(user, uv, draft, form, out -> out.write(compressed));
        Layout shared = layout;
        try {
            shared = DeltaCodec.apply(parentLayout, delta).withIdsOf(layout);
        } catch (RuntimeException e) {
            LOG.warn("The delta of version {} of user {} does not apply to its parent's layout: {}", draft.id(), user,
                    e.getMessage());
        }
        if (!parentForm.isDelta()) {
            // the parent is its chain's checkpoint: a read of it (the changes since it, a merge on it as a base)
            // gets the very layout the new latest shares its buffers with, instead of reading it again
            layouts.put(user, LayoutCache.Kind.CHECKPOINT, parent.id(), parentLayout.withoutIds());
        }
        return new Delta(stored, shared);
    }

    private VersionInfo write(String user, UserVersions uv, VersionInfo draft, StoredForm form,
                              DurableFiles.Content payload) throws IOException {
        return write(user, uv, draft, form, payload, false);
    }

    /** {@code restored}: the number is the one an off-site copy holds, not a new one. */
    private VersionInfo write(String user, UserVersions uv, VersionInfo draft, StoredForm form,
                              DurableFiles.Content payload, boolean restored) throws IOException {
        byte[] header = VersionFile.header(draft, form);
        DurableFiles.Content content = out -> {
            out.write(header);
            payload.writeTo(out);
        };
        // a shared store's create is durable at once; a restore is rare and answers as it writes
        boolean deferred = !restored && !blobs.shared();
        String key = VersionKeys.versionKey(user, draft.id());
        long storedSize = deferred ? blobs.createUncommitted(key, content) : blobs.create(key, content);
        claim(user, uv, draft.id(), restored);
        VersionInfo stored = VersionKeys.withStoredSize(draft, storedSize);
        if (deferred) {
            uv.written(stored, form); // listed by awaitDurable, after the lock
        } else {
            uv.publish(stored, form);
        }
        return stored;
    }

    /**
     * Makes the number of a version just written count as given, before anybody hears of it. On a shared
     * store a create can only succeed on a number already given if its version was pruned (recorded,
     * then deleted) between this daemon's listing and its write: such a number is in the prune record,
     * so the write is withdrawn and the caller tries again above it.
     */
    private void claim(String user, UserVersions uv, long id, boolean restored) throws IOException {
        if (!restored && blobs.shared() && loader.pruned(user).contains(id)) {
            blobs.delete(VersionKeys.versionKey(user, id));
            LOG.info("Version number {} of user {} was given and pruned by another daemon meanwhile, taking a higher one",
                    id, user);
            throw new BlobStore.BlobExistsException(VersionKeys.versionKey(user, id));
        }
        if (blobs.shared() || id > uv.issued) {
            mark.raiseMark(user, id);
        }
        uv.issued = Math.max(uv.issued, id);
    }


    VersionInfo putRestored(String user, VersionInfo original, byte[] json) {
        UserVersions uv = loader.loaded(user);
        uv.lock.lock();
        try {
            if (uv.byId.containsKey(original.id())) {
                throw new VersionExistsException(user, original.id());
            }
            VersionInfo draft = new VersionInfo(original.id(), original.createdAt(), original.backupTimestamp(),
                    original.totalRecords(), original.recordsByCollection(), json.length, 0, original.contentHash());
            // restored versions are whole: their neighbours may not be restored, or come later
            VersionInfo stored = write(user, uv, draft, StoredForm.whole(json.length),
                    out -> VersionFile.compressTo(out, json, json.length, zstdLevel), true);
            layouts.remove(user, LayoutCache.Kind.LATEST);
            return stored;
        } catch (BlobStore.BlobExistsException e) {
            throw new VersionExistsException(user, original.id());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore version " + original.id() + " of user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }
}
