package app.garagesync.store;

import app.garagesync.store.delta.Layout;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Versions of each user's backups. Implementations make a version durable before {@link #put}
 * returns, never change a version once written, and serve exactly the bytes that were stored.
 */
public interface BackupStore {

    /**
     * Stores the first {@code summary.size()} bytes of {@code json} (already validated into
     * {@code summary}) as the user's newest version.
     */
    default StoreResult put(String user, byte[] json, BackupSummary summary) {
        return put(user, Incoming.inline(json, (int) summary.size()), summary);
    }

    /**
     * The first {@code length} bytes of {@code json}, not validated yet, with the store's own work on them
     * started (on another core for a big document) while the caller validates them; pass it to
     * {@link #put(String, Incoming, BackupSummary)} once they are valid, or drop it. Writes nothing.
     */
    default Incoming incoming(String user, byte[] json, int length) {
        return Incoming.inline(json, length);
    }

    /**
     * Like {@link #incoming(String, byte[], int)}, for a document whose writer knows its layout (a merge): the
     * store does not scan it again. {@code layout} must be what a scan of it would find; null: not known.
     */
    default Incoming incoming(String user, byte[] json, int length, Layout layout) {
        return incoming(user, json, length);
    }

    /**
     * A document of {@code array.length} bytes still arriving in {@code array}, which {@code bytes} reads as it
     * comes in (waiting for it, failing if it is abandoned): when the user's next version will be stored whole,
     * the store starts compressing it now, so that little is left when its last byte is in. Null when the store
     * starts nothing. Once the document is valid, pass {@link Incoming#withLayout} of it to {@link #put}.
     */
    default Incoming arriving(String user, byte[] array, java.util.function.Supplier<java.io.InputStream> bytes) {
        return null;
    }

    /** Like {@link #put(String, byte[], BackupSummary)}, for a document handed over by {@link #incoming}. */
    StoreResult put(String user, Incoming json, BackupSummary summary);

    /**
     * Like {@link #put}, but only if {@code baseVersion} is still the latest version, checked under
     * the same lock as the write: a change-set never lands on top of a version it did not see.
     *
     * @throws StaleBaseException when another version came first
     */
    default StoreResult putOnBase(String user, long baseVersion, Incoming json, BackupSummary summary) {
        return putOnBase(user, baseVersion, json, summary, null);
    }

    /**
     * Like {@link #putOnBase(String, long, Incoming, BackupSummary)}, for a merged document: {@code merged}
     * (null for none) goes into the new version's metadata, {@link VersionInfo#merged()}.
     *
     * @throws StaleBaseException when another version came first
     */
    StoreResult putOnBase(String user, long baseVersion, Incoming json, BackupSummary summary, MergeNote merged);

    /**
     * Stores {@code json} as version {@code original.id()} with the original's metadata (creation time,
     * backup timestamp, counts, hashes), as a restore from an off-site copy needs: ids and times come back
     * identical. Create-only: an existing version with that id is never replaced.
     *
     * @throws VersionExistsException when the user already has a version with that id
     */
    VersionInfo putRestored(String user, VersionInfo original, byte[] json);

    /** The user's versions, newest first. */
    List<VersionInfo> versions(String user);

    Optional<VersionInfo> latest(String user);

    Optional<VersionInfo> version(String user, long id);

    /** The exact JSON document of a version; {@link DamagedVersionException} if it no longer reads back whole. */
    byte[] read(String user, long id);

    /**
     * Like {@link #read}, rebuilt from what is stored only, never from a copy kept in memory: what a
     * verification must look at, since a file damaged after it was written still reads fine from memory.
     */
    byte[] readStored(String user, long id);

    /**
     * The same bytes as {@link #read}, as slices of the buffers they were rebuilt from, for a caller that
     * only sends or hashes them. Damage is found before this returns, as for {@link #read}.
     */
    Document document(String user, long id);

    /**
     * The version's layout (its skeleton and its records as slices of the buffers it was rebuilt from), for
     * a caller that compares versions record by record without parsing them; null when this store keeps
     * none, and the caller then reads the bytes. Damage is found before this returns, as for {@link #read}.
     */
    default Layout layout(String user, long id) {
        return null;
    }

    /**
     * The version as stored (its file's exact bytes: a checkpoint, or a delta of its parent), for a target
     * to hold the same form; {@link DamagedVersionException} if it is gone or unreadable.
     */
    StoredVersion stored(String user, long id);

    /**
     * restic's {@code forget}: every version of the user that {@code keep} does not choose (never the
     * latest) leaves the lists, reads and syncs at once, for every daemon sharing the store, and its
     * number is never given again. Its blob stays until {@link #prune(String, int)}: a kept version may
     * still be stored as a change of it. {@code keep} sees the versions (newest first) under the same lock
     * as the writes, so a version stored meanwhile cannot be forgotten for having been unknown to it.
     *
     * @return the ids forgotten
     */
    Set<Long> forget(String user, java.util.function.Function<List<VersionInfo>, Set<Long>> keep);

    /**
     * restic's {@code prune}: once at least {@code atLeast} forgotten versions wait, reclaims their space
     * without breaking a kept one (a kept version stored as a change of a forgotten one is first
     * rewritten whole); nothing below that.
     *
     * @return the ids whose blobs were removed
     */
    Set<Long> prune(String user, int atLeast);

    /**
     * How many of the user's forgotten versions wait for {@link #prune(String, int)}, as far as this process
     * knows now: no listing, no lock (another daemon on a shared store may have forgotten more).
     */
    int forgottenWaiting(String user);

    /** {@link #forget} then {@link #prune(String, int)} of everything forgotten; answers the ids removed. */
    default Set<Long> prune(String user, java.util.function.Function<List<VersionInfo>, Set<Long>> keep) {
        forget(user, keep);
        return prune(user, 1);
    }

    /** Ids of versions forgotten (and maybe pruned), so that a gap they leave is not taken for a lost file. */
    PrunedIds pruned(String user);

    /**
     * The user's versions known to be damaged, by id (oldest first): a version file whose header does not
     * read, which {@link #versions} cannot list, and one whose document did not rebuild exactly when read.
     * The number of a damaged version is never given to a new one, and nothing new is built on it.
     */
    default java.util.NavigableMap<Long, String> damaged(String user) {
        return java.util.Collections.emptyNavigableMap();
    }

    /** {@link #damaged(String)} of every user that has a damaged version, as far as the store knows. */
    default java.util.Map<String, java.util.NavigableMap<Long, String>> damagedEverywhere() {
        return java.util.Map.of();
    }

    /** Users that have at least one version. */
    List<String> users();
}
