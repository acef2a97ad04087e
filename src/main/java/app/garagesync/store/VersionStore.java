package app.garagesync.store;

import app.garagesync.ConfigSizes;
import app.garagesync.store.delta.Layout;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
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

    /** Conditional writes retried this many times when other daemons keep winning the race. */
    static final int MAX_RACES = 20;

    private static final Logger LOG = LoggerFactory.getLogger(VersionStore.class);

    /** Memory kept for layouts when no bound is given (garagesync.store.layout-cache-size's default). */
    private static final String DEFAULT_CACHE_SIZE = "25%";

    private final VersionLoader loader;
    private final VersionReader reader;
    private final VersionWriter writer;
    private final VersionPruner pruner;
    private final LayoutCache layouts;
    private final List<VersionListener> listeners = new CopyOnWriteArrayList<>();

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
        IssuedMark mark = new IssuedMark(blobs);
        this.loader = new VersionLoader(blobs, mark);
        this.reader = new VersionReader(blobs, loader, layouts, indexes, zstdLevel);
        this.writer = new VersionWriter(blobs, clock, zstdLevel, policy, layouts, indexes, loader, reader, mark);
        this.pruner = new VersionPruner(blobs, zstdLevel, layouts, indexes, loader, reader);
    }

    @Override
    public Incoming incoming(String user, byte[] json, int length) {
        return writer.incoming(user, json, length, null);
    }

    @Override
    public Incoming incoming(String user, byte[] json, int length, Layout layout) {
        return writer.incoming(user, json, length, layout);
    }

    @Override
    public Incoming arriving(String user, byte[] array, java.util.function.Supplier<java.io.InputStream> bytes) {
        return writer.arriving(user, array, bytes);
    }

    /** Bytes of layouts kept in memory ({@link LayoutCache}). */
    long layoutCacheBytes() {
        return layouts.bytes();
    }

    /** Incoming backups whose scan or compression the helper thread took on. */
    long preparedAhead() {
        return writer.preparedAhead();
    }

    /** Tells {@code listener} of every version stored from now on (see {@link VersionListener}). */
    public void addListener(VersionListener listener) {
        listeners.add(listener);
    }

    public void removeListener(VersionListener listener) {
        listeners.remove(listener);
    }

    @Override
    public StoreResult put(String user, Incoming json, BackupSummary summary) {
        return announced(user, writer.put(user, json, summary, -1, null));
    }

    @Override
    public StoreResult putOnBase(String user, long baseVersion, Incoming json, BackupSummary summary,
                                 MergeNote merged) {
        return announced(user, writer.put(user, json, summary, baseVersion, merged));
    }

    @Override
    public VersionInfo putRestored(String user, VersionInfo original, byte[] json) {
        VersionInfo restored = writer.putRestored(user, original, json);
        announce(user, restored.id());
        return restored;
    }

    private StoreResult announced(String user, StoreResult result) {
        if (result instanceof StoreResult.Stored stored) {
            announce(user, stored.version().id());
        }
        return result;
    }

    /** The version is durable whatever a listener does: its failure is logged, never the store's. */
    private void announce(String user, long version) {
        for (VersionListener listener : listeners) {
            try {
                listener.stored(user, version);
            } catch (RuntimeException e) {
                LOG.warn("A listener of new versions failed on version {} of user {}: {}", version, user, e.toString());
            }
        }
    }

    @Override
    public Set<Long> forget(String user, Function<List<VersionInfo>, Set<Long>> policy) {
        return pruner.forget(user, policy);
    }

    @Override
    public Set<Long> prune(String user, int atLeast) {
        return pruner.prune(user, atLeast);
    }

    @Override
    public int forgottenWaiting(String user) {
        UserVersions uv = loader.cached(user);
        return uv == null ? 0 : uv.forgotten.size();
    }

    @Override
    public PrunedIds pruned(String user) {
        return loader.pruned(user);
    }

    @Override
    public List<VersionInfo> versions(String user) {
        return new ArrayList<>(loader.loaded(user).byId.descendingMap().values());
    }

    @Override
    public NavigableMap<Long, String> damaged(String user) {
        return Collections.unmodifiableNavigableMap(loader.loaded(user).damaged());
    }

    @Override
    public Map<String, NavigableMap<Long, String>> damagedEverywhere() {
        return loader.damagedEverywhere();
    }

    @Override
    public Optional<VersionInfo> latest(String user) {
        Map.Entry<Long, VersionInfo> last = loader.loaded(user).byId.lastEntry();
        return Optional.ofNullable(last == null ? null : last.getValue());
    }

    @Override
    public Optional<VersionInfo> version(String user, long id) {
        return Optional.ofNullable(loader.loaded(user).byId.get(id));
    }

    @Override
    public byte[] read(String user, long id) {
        return reader.document(user, id, true).bytes();
    }

    @Override
    public byte[] readStored(String user, long id) {
        return reader.document(user, id, false).bytes();
    }

    @Override
    public Document document(String user, long id) {
        return reader.document(user, id, true);
    }

    @Override
    public Layout layout(String user, long id) {
        return reader.layout(user, id);
    }

    @Override
    public StoredVersion stored(String user, long id) {
        return reader.stored(user, id);
    }

    @Override
    public List<String> users() {
        return loader.users();
    }
}
