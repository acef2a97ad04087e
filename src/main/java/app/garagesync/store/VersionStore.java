package app.garagesync.store;

import app.garagesync.ConfigSizes;
import app.garagesync.backup.BackupSummary;
import app.garagesync.store.delta.ContentHash;
import app.garagesync.store.delta.DeltaCodec;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versions as blobs: {@code users/<user>/versions/<0000000042>.gsv}, one immutable blob per version,
 * in a {@link BlobStore} (a local directory, or an S3 bucket several daemons share). A version exists
 * once its create-only write returned; two writers racing for the same number get one success and
 * one {@link BlobStore.BlobExistsException}, and the loser re-reads the list and tries the next
 * number. A lock per user orders the writes of this process; create-only orders everybody's.
 *
 * <p>Numbers never go backwards and are never given twice, even once their version is pruned, deleted
 * or damaged: {@code users/<user>/issued} holds the highest number ever given (raised after each write,
 * before the client hears of it), and a new number is above it, above every name listed and above every
 * id in the prune record. Where several daemons share the store, the mark and the prune record are read
 * before the listing, and a write that landed on a number other daemons had already given and pruned
 * meanwhile is withdrawn and retried under a higher number.
 *
 * <p>A version is stored whole (a checkpoint) or as an entity-level delta against the version before
 * it. A new checkpoint is written when the deltas since the last one would weigh more than
 * {@code checkpointRatio} times that checkpoint, or the chain would exceed {@code maxChain}: reading
 * any version then costs at most one checkpoint plus a bounded amount of deltas.
 */
public final class VersionStore implements BackupStore {

    private static final Logger LOG = LoggerFactory.getLogger(VersionStore.class);
    private static final Pattern VERSION_FILE = Pattern.compile("\\d{10}\\.gsv");

    private static final int MAX_RACES = 20;
    /** Lost races after which a writer stops re-reading every version before its next try. */
    private static final int FULL_RACES = 2;

    private final BlobStore blobs;
    private final Clock clock;
    private final LayoutIndexCache indexes;
    private final int zstdLevel;
    private final StoragePolicy policy;
    private final LayoutCache layouts;
    private final Map<String, UserVersions> users = new ConcurrentHashMap<>();
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

    /** Memory kept for layouts when no bound is given (garagesync.store.layout-cache-size's default). */
    private static final String DEFAULT_CACHE_SIZE = "25%";

    /** When versions are stored as deltas. {@code maxChain == 0} stores every version whole. */
    public record StoragePolicy(double checkpointRatio, int maxChain) {
        public static final StoragePolicy WHOLE = new StoragePolicy(0, 0);
    }

    public VersionStore(BlobStore blobs, Clock clock, int zstdLevel, StoragePolicy policy) {
        this(blobs, clock, zstdLevel, policy, LayoutIndexCache.NONE);
    }

    public VersionStore(BlobStore blobs, Clock clock, int zstdLevel, StoragePolicy policy, LayoutIndexCache indexes) {
        this(blobs, clock, zstdLevel, policy, indexes, ConfigSizes.bytesOrHeapShare(DEFAULT_CACHE_SIZE));
    }

    /** {@code cacheBytes}: how many bytes of layouts to keep in memory (see {@link LayoutCache}). */
    public VersionStore(BlobStore blobs, Clock clock, int zstdLevel, StoragePolicy policy, LayoutIndexCache indexes,
                        long cacheBytes) {
        this.layouts = new LayoutCache(cacheBytes);
        this.blobs = blobs;
        this.clock = clock;
        this.zstdLevel = zstdLevel;
        this.policy = policy;
        this.indexes = indexes;
    }

    /** Versions of one user, loaded from their headers on first use. */
    private static final class UserVersions {
        final ReentrantLock lock = new ReentrantLock();
        volatile NavigableMap<Long, VersionInfo> byId;
        volatile Map<Long, StoredForm> forms;
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
    }

    @Override
    public Incoming incoming(String user, byte[] json, int length) {
        boolean scan = policy.maxChain() > 0;
        boolean whole = !scan;
        if (scan) {
            // a hint, read without the lock: a wrong guess costs a compression, never a wrong version
            // (a shared store is not listed again for it: that is done once, under the lock, by put)
            UserVersions uv = blobs.shared() ? users.get(user) : loaded(user);
            NavigableMap<Long, VersionInfo> byId = uv == null ? null : uv.byId;
            Map.Entry<Long, VersionInfo> last = byId == null ? null : byId.lastEntry();
            StoredForm lastForm = last == null ? null : uv.forms.get(last.getKey());
            whole = lastForm == null || lastForm.chainLength() + 1 > policy.maxChain();
        }
        return Incoming.ahead(json, length, scan, whole, zstdLevel, ahead);
    }

    /** Incoming backups whose scan or compression the helper thread took on. */
    long preparedAhead() {
        return ahead.getCompletedTaskCount();
    }

    @Override
    public StoreResult put(String user, Incoming json, BackupSummary summary) {
        return put(user, json, summary, -1);
    }

    @Override
    public StoreResult putOnBase(String user, long baseVersion, Incoming json, BackupSummary summary) {
        return put(user, json, summary, baseVersion);
    }

    private StoreResult put(String user, Incoming json, BackupSummary summary, long expectedLatest) {
        UserVersions uv = loaded(user);
        uv.lock.lock();
        try {
            for (int race = 0; ; race++) {
                try {
                    return putOnce(user, uv, json, summary, expectedLatest);
                } catch (BlobStore.BlobExistsException e) {
                    if (!blobs.shared() || race >= MAX_RACES) {
                        throw e;
                    }
                    if (race < FULL_RACES || expectedLatest >= 0) {
                        // another daemon took this number first: learn its version and build on it
                        LOG.info("Version number of user {} taken by another daemon, building on its version", user);
                        refresh(user, uv);
                    } else {
                        // a daemon far behind a busy one (a slow link) loses every race it runs by re-reading
                        // the versions: it reserves the next number in the mark instead, which every other
                        // daemon reads before it numbers, and writes this version whole under that number
                        long reserved = reserve(user, uv.tried);
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

    private StoreResult putOnce(String user, UserVersions uv, Incoming json, BackupSummary summary, long expectedLatest)
            throws IOException {
        {
            Map.Entry<Long, VersionInfo> last = uv.byId.lastEntry();
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
                    summary.contentHash());
            Layout layout = policy.maxChain() > 0 ? json.layout() : null;
            VersionInfo stored = null;
            // a delta only on the number right before, never on a damaged one: otherwise a checkpoint
            if (layout != null && last != null && !newestDamaged && last.getKey() == id - 1) {
                stored = tryDelta(user, uv, last.getValue(), draft, layout);
            }
            if (stored == null) {
                stored = write(user, uv, draft, StoredForm.whole(summary.size()),
                        out -> json.writeWhole(out, zstdLevel));
                if (layout != null) {
                    indexes.save(user, stored, layout);
                }
            }
            if (layout == null) {
                layouts.remove(user, LayoutCache.Kind.LATEST);
            } else {
                // with its entity ids: the next backup's delta is computed against it without a read
                layouts.put(user, LayoutCache.Kind.LATEST, id, layout);
            }
            return new StoreResult.Stored(stored);
        }
    }

    /** Writes {@code draft} as a delta of {@code parent} when the policy allows it; null when it does not. */
    private VersionInfo tryDelta(String user, UserVersions uv, VersionInfo parent, VersionInfo draft, Layout layout)
            throws IOException {
        StoredForm parentForm = uv.forms.get(parent.id());
        int chainLength = parentForm.chainLength() + 1;
        if (chainLength > policy.maxChain() || chainDamaged(uv, parent.id())) {
            return null;
        }
        long checkpointSize;
        Layout parentLayout;
        try {
            checkpointSize = uv.byId.get(checkpointOf(uv, parent.id())).storedSize();
            parentLayout = parentLayout(user, uv, parent);
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
        return write(user, uv, draft, form, out -> out.write(compressed));
    }

    private VersionInfo write(String user, UserVersions uv, VersionInfo draft, StoredForm form,
                              DurableFiles.Content payload) throws IOException {
        return write(user, uv, draft, form, payload, false);
    }

    /** {@code restored}: the number is the one an off-site copy holds, not a new one. */
    private VersionInfo write(String user, UserVersions uv, VersionInfo draft, StoredForm form,
                              DurableFiles.Content payload, boolean restored) throws IOException {
        byte[] header = VersionFile.header(draft, form);
        long storedSize = blobs.create(versionKey(user, draft.id()), out -> {
            out.write(header);
            payload.writeTo(out);
        });
        claim(user, uv, draft.id(), restored);
        VersionInfo stored = withStoredSize(draft, storedSize);
        publish(uv, stored, form);
        return stored;
    }

    /**
     * Makes the number of a version just written count as given, before anybody hears of it. On a shared
     * store a create can only succeed on a number already given if its version was pruned (recorded,
     * then deleted) between this daemon's listing and its write: such a number is in the prune record,
     * so the write is withdrawn and the caller tries again above it.
     */
    private void claim(String user, UserVersions uv, long id, boolean restored) throws IOException {
        if (!restored && blobs.shared() && pruned(user).contains(id)) {
            blobs.delete(versionKey(user, id));
            LOG.info("Version number {} of user {} was given and pruned by another daemon meanwhile, taking a higher one",
                    id, user);
            throw new BlobStore.BlobExistsException(versionKey(user, id));
        }
        if (blobs.shared() || id > uv.issued) {
            raiseMark(user, id);
        }
        uv.issued = Math.max(uv.issued, id);
    }

    /** Raises {@code users/<user>/issued} to {@code id} unless it is there already; never lowers it. */
    private void raiseMark(String user, long id) throws IOException {
        byte[] value = (id + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (!blobs.shared()) {
            // one process owns a local store and raises a user's mark under that user's lock only. Without
            // fsync: a kill -9 keeps it, and after a power loss the version files (fsynced before any 201)
            // still bound the numbers given, and loading the user brings the mark up to them. Two more fsyncs
            // per backup cost about as much as the version's own write
            blobs.replaceAtomically(issuedKey(user), out -> out.write(value));
            return;
        }
        for (int race = 0; ; race++) {
            BlobStore.Tagged now = blobs.readTagged(issuedKey(user));
            if (now != null && parseMark(user, now.bytes()) >= id) {
                return;
            }
            try {
                blobs.replaceIf(issuedKey(user), now == null ? null : now.tag(), out -> out.write(value));
                return;
            } catch (BlobStore.BlobChangedException e) {
                if (race >= MAX_RACES) {
                    throw e;
                }
            }
        }
    }

    /**
     * Raises the mark to one above itself and {@code taken} (a number that was given), by a conditional
     * write, and answers that number: no daemon that reads the mark afterwards numbers a version with it.
     * Only a write that a crash or an error stops between this and the version's create leaves it unused.
     */
    private long reserve(String user, long taken) throws IOException {
        for (int race = 0; ; race++) {
            BlobStore.Tagged now = blobs.readTagged(issuedKey(user));
            long next = Math.max(taken, now == null ? 0 : parseMark(user, now.bytes())) + 1;
            try {
                blobs.replaceIf(issuedKey(user), now == null ? null : now.tag(),
                        out -> out.write((next + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
                return next;
            } catch (BlobStore.BlobChangedException e) {
                if (race >= MAX_RACES) {
                    throw e;
                }
            }
        }
    }

    /** The mark, 0 when there is none yet (a store written before it existed) or it does not read. */
    private long readMark(String user) throws IOException {
        try {
            return parseMark(user, blobs.read(issuedKey(user)));
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private static long parseMark(String user, byte[] bytes) {
        try {
            return Long.parseLong(new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            // the listing and the prune record still bound the numbers given; the next write repairs it
            LOG.error("The version number mark of user {} does not read ({}); numbering goes on from the files",
                    user, e.getMessage());
            return 0;
        }
    }

    private static void publish(UserVersions uv, VersionInfo stored, StoredForm form) {
        NavigableMap<Long, VersionInfo> next = new TreeMap<>(uv.byId);
        next.put(stored.id(), stored);
        Map<Long, StoredForm> nextForms = new java.util.HashMap<>(uv.forms);
        nextForms.put(stored.id(), form);
        uv.forms = Collections.unmodifiableMap(nextForms);
        uv.byId = Collections.unmodifiableNavigableMap(next);
    }

    private Layout parentLayout(String user, UserVersions uv, VersionInfo parent) {
        Layout cached = layouts.get(user, LayoutCache.Kind.LATEST, parent.id());
        if (cached != null) {
            return cached;
        }
        byte[] doc = read(user, parent.id());
        return LayoutScanner.scan(doc, doc.length);
    }

    /** Whether {@code id} or a version its document is rebuilt from is known to be damaged. */
    private static boolean chainDamaged(UserVersions uv, long id) {
        Map<Long, String> damaged = uv.damaged();
        if (damaged.isEmpty()) {
            return false;
        }
        for (long at = id; ; ) {
            StoredForm form = uv.forms.get(at);
            if (damaged.containsKey(at) || form == null) {
                return true;
            }
            if (!form.isDelta()) {
                return false;
            }
            at = form.parent();
        }
    }

    private static long checkpointOf(UserVersions uv, long id) {
        long at = id;
        StoredForm form = uv.forms.get(at);
        while (form.isDelta()) {
            at = form.parent();
            form = uv.forms.get(at);
        }
        return at;
    }

    @Override
    public VersionInfo putRestored(String user, VersionInfo original, byte[] json) {
        UserVersions uv = loaded(user);
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

    @Override
    public Set<Long> prune(String user, java.util.function.Function<List<VersionInfo>, Set<Long>> policy, int atLeast) {
        UserVersions uv = loaded(user);
        uv.lock.lock();
        try {
            if (blobs.shared()) {
                refresh(user, uv);
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
                    byte[] doc = read(user, v.id());
                    long size = blobs.replace(versionKey(user, v.id()), out -> {
                        out.write(VersionFile.header(v, StoredForm.whole(doc.length)));
                        VersionFile.compressTo(out, doc, doc.length, zstdLevel);
                    });
                    publish(uv, withStoredSize(v, size), StoredForm.whole(doc.length));
                }
            }
            // 2. record the removal before it happens, so verify tells pruned from lost
            recordPruned(user, drop);
            // 3. remove the blobs, then forget the versions
            for (long id : drop) {
                blobs.delete(versionKey(user, id));
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
        for (int race = 0; ; race++) {
            BlobStore.Tagged now = blobs.readTagged(prunedKey(user));
            PrunedIds before;
            try {
                before = now == null ? PrunedIds.none() : PrunedIds.parse(now.bytes());
            } catch (NumberFormatException e) {
                throw new IllegalStateException("unreadable prune log of user " + user + ": " + e.getMessage(), e);
            }
            byte[] log = before.with(drop).format();
            try {
                blobs.replaceIf(prunedKey(user), now == null ? null : now.tag(), out -> out.write(log));
                return;
            } catch (BlobStore.BlobChangedException e) {
                if (race >= MAX_RACES) {
                    throw e;
                }
            }
        }
    }

    @Override
    public PrunedIds pruned(String user) {
        try {
            return PrunedIds.parse(blobs.read(prunedKey(user)));
        } catch (NoSuchFileException e) {
            return PrunedIds.none();
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("unreadable prune log of user " + user + ": " + e.getMessage(), e);
        }
    }

    @Override
    public List<VersionInfo> versions(String user) {
        return new ArrayList<>(loaded(user).byId.descendingMap().values());
    }

    @Override
    public NavigableMap<Long, String> damaged(String user) {
        return Collections.unmodifiableNavigableMap(loaded(user).damaged());
    }

    /** Whether every user of a local store was loaded once, so that damage anywhere is known. */
    private volatile boolean allLoaded;

    @Override
    public Map<String, NavigableMap<Long, String>> damagedEverywhere() {
        if (!allLoaded && !blobs.shared()) {
            // once: reading the headers of every user's versions; later loads keep this up to date
            for (String user : users()) {
                try {
                    loaded(user);
                } catch (RuntimeException e) {
                    LOG.error("Versions of user {} cannot be listed: {}", user, e.getMessage());
                }
            }
            allLoaded = true;
        }
        Map<String, NavigableMap<Long, String>> out = new TreeMap<>();
        users.forEach((user, uv) -> {
            if (uv.byId != null) {
                NavigableMap<Long, String> damaged = uv.damaged();
                if (!damaged.isEmpty()) {
                    out.put(user, damaged);
                }
            }
        });
        return out;
    }

    /** The newest version of the user not known to be damaged, other than {@code except}; null when none. */
    private static Long intactBesides(UserVersions uv, long except) {
        Map<Long, String> damaged = uv.damaged();
        for (Long id : uv.byId.descendingKeySet()) {
            if (id != except && !damaged.containsKey(id)) {
                return id;
            }
        }
        return null;
    }

    @Override
    public Optional<VersionInfo> latest(String user) {
        Map.Entry<Long, VersionInfo> last = loaded(user).byId.lastEntry();
        return Optional.ofNullable(last == null ? null : last.getValue());
    }

    @Override
    public Optional<VersionInfo> version(String user, long id) {
        return Optional.ofNullable(loaded(user).byId.get(id));
    }

    @Override
    public byte[] read(String user, long id) {
        return document(user, id).bytes();
    }

    @Override
    public byte[] readStored(String user, long id) {
        return document(user, id, false).bytes();
    }

    @Override
    public Document document(String user, long id) {
        return document(user, id, true);
    }

    /** {@code cached}: whether layouts kept in memory may stand in for what is stored. */
    private Document document(String user, long id, boolean cached) {
        UserVersions uv = loaded(user);
        VersionInfo info = uv.byId.get(id);
        if (info == null) {
            throw new IllegalArgumentException("no version " + id);
        }
        Layout newest = cached ? layouts.get(user, LayoutCache.Kind.LATEST, id) : null;
        if (newest != null && uv.byId.get(id) == info) {
            // the common read, GET of the latest version, copies nothing
            return Document.of(newest);
        }
        for (int attempt = 1; ; attempt++) {
            Map<Long, StoredForm> forms = uv.forms;
            try {
                return readOnce(user, uv, id, info, forms, cached);
            } catch (StoreUnavailableException e) {
                // the storage did not answer: the version may be whole, it is not to be called damaged
                throw new UncheckedIOException("cannot read version " + id + " of user " + user, e);
            } catch (IOException | RuntimeException e) {
                // reads take no lock: a prune may have rewritten a version of this chain whole, or removed
                // one it no longer needs, since this read looked at the forms; try again with the new ones
                if (uv.forms == forms || attempt >= 3) {
                    if (uv.byId.containsKey(id)) {
                        uv.failedReads.put(id, String.valueOf(e.getMessage()));
                    }
                    LOG.error("Version {} of user {} does not read back: {}", id, user, e.getMessage());
                    throw new DamagedVersionException(user, id, e.getMessage(), intactBesides(uv, id), e);
                }
            }
        }
    }

    @Override
    public StoredVersion stored(String user, long id) {
        if (!loaded(user).byId.containsKey(id)) {
            throw new IllegalArgumentException("no version " + id);
        }
        try {
            // one read of one blob: header and payload agree even if a prune rewrites the file meanwhile
            return StoredVersion.parse(blobs.read(versionKey(user, id)));
        } catch (StoreUnavailableException e) {
            throw new UncheckedIOException("cannot read version " + id + " of user " + user, e);
        } catch (IOException e) {
            throw new DamagedVersionException(user, id, e.getMessage(), e);
        }
    }

    private Document readOnce(String user, UserVersions uv, long id, VersionInfo info, Map<Long, StoredForm> forms,
                              boolean cached) throws IOException {
        Deque<Long> deltas = new ArrayDeque<>();
        long at = id;
        {
            // checked before anything is rebuilt: each parent an earlier version, so the walk ends
            while (forms.get(at).isDelta()) {
                deltas.push(at);
                long parent = forms.get(at).parent();
                if (parent >= at || deltas.size() > forms.size()) {
                    throw new IOException("version " + at + " names " + parent + " as its parent, not an earlier version");
                }
                at = parent;
                if (!forms.containsKey(at)) {
                    throw new IOException("its parent version " + at + " is missing");
                }
            }
            Layout layout = cached ? layouts.get(user, LayoutCache.Kind.CHECKPOINT, at) : null;
            if (layout == null) {
                VersionInfo checkpoint = uv.byId.get(at);
                if (checkpoint == null) {
                    throw new IOException("version " + at + " is no longer there");
                }
                byte[] doc = payload(user, at, checkpoint.size());
                if (deltas.isEmpty()) {
                    return Document.of(doc);
                }
                layout = indexes.load(user, checkpoint, doc);
                if (layout == null) {
                    layout = LayoutScanner.scan(doc, doc.length);
                    indexes.save(user, checkpoint, layout);
                }
                if (cached) {
                    layouts.put(user, LayoutCache.Kind.CHECKPOINT, at, layout);
                }
            }
            while (!deltas.isEmpty()) {
                long d = deltas.pop();
                layout = DeltaCodec.apply(layout, payload(user, d, forms.get(d).payloadSize()));
            }
            Document out = Document.of(layout);
            if (out.size() != info.size()) {
                throw new IOException("rebuilt " + out.size() + " bytes, expected " + info.size());
            }
            // a delta is checked by its own zstd checksum, not against the parent it is applied to: a
            // header naming the wrong parent rebuilds another document, which only the hash tells
            if (info.contentHash() != null && !(cached && uv.hashChecked.contains(id))) {
                if (!ContentHash.of(layout).equals(info.contentHash())) {
                    throw new IOException("the rebuilt document differs from the one stored (content hash)");
                }
                uv.hashChecked.add(id);
            }
            return out;
        }
    }

    private byte[] payload(String user, long id, long size) throws IOException {
        byte[] bytes = blobs.read(versionKey(user, id));
        return VersionFile.decompress(bytes, VersionFile.payloadStart(bytes), size);
    }

    @Override
    public List<String> users() {
        try {
            List<String> out = new ArrayList<>();
            for (String name : blobs.folders("users/")) {
                if (!UserIds.isValid(name)) {
                    continue;
                }
                try {
                    if (!blobs.list(versionsPrefix(name)).isEmpty()) {
                        out.add(name);
                    }
                } catch (IOException e) {
                    // one unreadable folder must not hide everyone else's: the user is named, and each
                    // caller (verify first) reports that user's problem on its own
                    LOG.error("Versions of user {} cannot be listed: {}", name, e.getMessage());
                    out.add(name);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private UserVersions loaded(String user) {
        UserVersions uv = users.computeIfAbsent(UserIds.require(user), u -> new UserVersions());
        if (uv.byId == null || blobs.shared()) {
            uv.lock.lock();
            try {
                if (uv.byId == null || blobs.shared()) {
                    refresh(user, uv);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the versions of user " + user, e);
            } finally {
                uv.lock.unlock();
            }
        }
        return uv;
    }

    /** Re-reads the list of versions, reading the header of each one not known yet. */
    private void refresh(String user, UserVersions uv) throws IOException {
        // on a shared store, in this order: the numbers given and the ids pruned, then what is there. Listed
        // first, a version pruned between the two reads would look gone without a trace, and its number free
        long mark = readMark(user);
        // a prune records what it removes before removing it: finish one a crash interrupted
        PrunedIds pruned = pruned(user);
        Map<String, Long> listed = blobs.list(versionsPrefix(user));
        long issued = Math.max(mark, pruned.last());
        NavigableMap<Long, VersionInfo> found = new TreeMap<>();
        Map<Long, StoredForm> forms = new java.util.HashMap<>();
        Map<Long, String> unreadable = new TreeMap<>();
        for (Map.Entry<String, Long> blob : listed.entrySet()) {
            if (!VERSION_FILE.matcher(blob.getKey()).matches()) {
                continue;
            }
            long id = Long.parseLong(blob.getKey().substring(0, 10));
            issued = Math.max(issued, id); // damaged or not, its number was given
            if (pruned.contains(id)) {
                LOG.info("Removing version {} of user {}, pruned before an interruption", id, user);
                blobs.delete(versionKey(user, id));
                continue;
            }
            VersionInfo known = uv.byId == null ? null : uv.byId.get(id);
            if (known != null && known.storedSize() == blob.getValue()) {
                found.put(id, known);
                forms.put(id, uv.forms.get(id));
                continue;
            }
            try {
                byte[] head = blobs.readHead(versionKey(user, id), VersionFile.MAX_HEADER);
                byte[] header = java.util.Arrays.copyOf(head, VersionFile.payloadStart(head));
                VersionInfo v = VersionFile.parseHeader(header, blob.getValue());
                if (v.id() != id) {
                    throw new IOException("its header says version " + v.id());
                }
                StoredForm form = VersionFile.parseForm(header, v.size());
                found.put(v.id(), v);
                forms.put(v.id(), form);
            } catch (java.nio.file.NoSuchFileException gone) {
                // pruned between the listing and the read
            } catch (StoreUnavailableException e) {
                // not an unreadable header: leaving the version out would hand its number to the next backup
                throw e;
            } catch (IOException | RuntimeException e) {
                // listed as damaged, never left out: the previous version would pass for the latest
                LOG.error("Version {} of user {} is damaged, its header is unreadable: {}", id, user, e.getMessage());
                unreadable.put(id, "unreadable header: " + e.getMessage());
            }
        }
        uv.failedReads.keySet().retainAll(found.keySet());
        uv.hashChecked.clear();
        uv.unreadable = Collections.unmodifiableMap(unreadable);
        if (issued > mark && !blobs.shared() && uv.byId == null) {
            // a crash between a version's write and its mark, or a store from before the mark: bring it up
            raiseMark(user, issued);
        }
        uv.issued = Math.max(uv.issued, issued);
        uv.forms = Collections.unmodifiableMap(forms);
        uv.byId = Collections.unmodifiableNavigableMap(found);
    }

    private static String versionsPrefix(String user) {
        return "users/" + UserIds.require(user) + "/versions/";
    }

    private static String versionKey(String user, long id) {
        return versionsPrefix(user) + fileName(id);
    }

    private static String issuedKey(String user) {
        return "users/" + UserIds.require(user) + "/issued";
    }

    private static String prunedKey(String user) {
        return "users/" + UserIds.require(user) + "/pruned";
    }

    private static String fileName(long id) {
        // on every write and read: String.format costs more than the rest of the key
        String digits = Long.toString(id);
        return "0".repeat(Math.max(0, 10 - digits.length())) + digits + ".gsv";
    }

    private static VersionInfo withStoredSize(VersionInfo v, long storedSize) {
        return new VersionInfo(v.id(), v.createdAt(), v.backupTimestamp(), v.totalRecords(),
                v.recordsByCollection(), v.size(), storedSize, v.contentHash());
    }
}
