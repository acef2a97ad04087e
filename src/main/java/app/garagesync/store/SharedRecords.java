package app.garagesync.store;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Small records that every daemon on a shared store reads and writes (a user's token hash, their sync
 * switch), kept as blobs beside the versions. Writes are conditional ({@link ConditionalReplace}: S3's
 * {@code If-Match} / {@code If-None-Match: *}), so two daemons never overwrite each other blindly; reads go
 * through a cache so that a request costs no S3 call, which is why a change made through one daemon shows
 * on another only once that daemon's copy is older than {@code staleness} ({@code garagesync.shared.cache-ttl}).
 * A daemon sees its own writes at once.
 *
 * <p>The store holds the bytes; what they mean belongs to the package that owns the record (auth, sync).
 */
public final class SharedRecords {

    private static final Logger LOG = LoggerFactory.getLogger(SharedRecords.class);

    /** Past this many cached records the cache starts again empty: a flood of unknown tokens cannot fill the heap. */
    static final int MAX_CACHED = 100_000;

    /** What the record held when read ({@code bytes} null: absent), and when, by {@link System#nanoTime}. */
    private record Cached(byte[] bytes, long readAtNanos) {
    }

    private final BlobStore blobs;
    private final long stalenessNanos;
    private final Map<String, Cached> cache = new ConcurrentHashMap<>();

    public SharedRecords(BlobStore blobs, Duration staleness) {
        this.blobs = blobs;
        this.stalenessNanos = staleness.toNanos();
    }

    /**
     * The record's bytes, at most {@code staleness} old, or null when there is none. When the store cannot be
     * read, an older copy is better than refusing every user: it is served (and said in the log); without
     * one, {@link StoreUnavailableException}.
     */
    public byte[] read(String key) throws IOException {
        Cached known = cache.get(key);
        long now = System.nanoTime();
        if (known != null && now - known.readAtNanos() < stalenessNanos) {
            return known.bytes();
        }
        try {
            BlobStore.Tagged fresh = blobs.readTagged(key);
            remember(key, fresh == null ? null : fresh.bytes(), now);
            return fresh == null ? null : fresh.bytes();
        } catch (StoreUnavailableException e) {
            if (known == null) {
                throw e;
            }
            LOG.warn("Shared record {} cannot be read now ({}); using the copy read {} s ago", key, e.reason(),
                    (now - known.readAtNanos()) / 1_000_000_000L);
            return known.bytes();
        }
    }

    /**
     * Read-modify-write with the record's tag: {@code next} gets what the record holds now (null: nothing) and
     * answers the new bytes, or null to leave it as it is. Another daemon's write in between makes it start
     * again from that write. Returns the bytes written, or null when nothing was.
     */
    public byte[] update(String key, Change next) throws IOException {
        byte[] written = ConditionalReplace.update(blobs, key, now -> {
            byte[] content = next.apply(now == null ? null : now.bytes());
            return content == null ? null : new ConditionalReplace.Change<>(content, content);
        });
        if (written != null) {
            remember(key, written, System.nanoTime());
        } else {
            cache.remove(key);
        }
        return written;
    }

    /** Creates the record, failing with {@link BlobStore.BlobExistsException} when it exists (S3's {@code If-None-Match: *}). */
    public void create(String key, byte[] content) throws IOException {
        blobs.create(key, out -> out.write(content));
        remember(key, content, System.nanoTime());
    }

    public void delete(String key) throws IOException {
        blobs.delete(key);
        cache.remove(key);
    }

    private void remember(String key, byte[] bytes, long at) {
        if (cache.size() >= MAX_CACHED) {
            cache.clear();
        }
        cache.put(key, new Cached(bytes, at));
    }

    /** The new content of a record from its current one (null: absent); null for no change. */
    public interface Change {
        byte[] apply(byte[] now) throws IOException;
    }
}
