package app.garagesync.store;

import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutIndex;
import com.github.luben.zstd.Zstd;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Collection;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Layout indexes of whole versions ({@link LayoutIndex}), kept in a local folder as a cache: with one,
 * reading a version built on a checkpoint needs no scan of the checkpoint. A file is named by user,
 * version and content hash, so it can only ever describe the document it was made from; a missing,
 * partial or damaged one (they are written without fsync) is ignored and made again.
 */
public final class LayoutIndexCache {

    private static final Logger LOG = LoggerFactory.getLogger(LayoutIndexCache.class);

    /** A cache that keeps nothing: the store then scans checkpoints as it reads them. */
    public static final LayoutIndexCache NONE = new LayoutIndexCache(null, 0);

    /** Checkpoints from this size up get an index: a small one is cheap to scan, and its index would be one
     * more file written on the path of every small backup. */
    public static final long DEFAULT_MIN_SIZE = 1 << 20;

    private final Path dir;
    private final long minSize;
    private final java.util.concurrent.atomic.AtomicLong hits = new java.util.concurrent.atomic.AtomicLong();

    public LayoutIndexCache(Path dir, long minSize) {
        this.dir = dir;
        this.minSize = minSize;
    }

    /** The layout of {@code doc}, version {@code v} of {@code user}, from its index; null when there is none. */
    Layout load(String user, VersionInfo v, byte[] doc) {
        if (dir == null || v.size() < minSize) {
            return null;
        }
        Path file = file(user, v);
        try {
            byte[] frame = Files.readAllBytes(file);
            long size = Zstd.getFrameContentSize(frame);
            if (size < 0 || size > doc.length) {
                throw new IllegalArgumentException("not a layout index");
            }
            byte[] index = Zstd.decompress(frame, (int) size); // the frame's checksum catches a torn write
            Layout layout = LayoutIndex.decode(index, doc);
            hits.incrementAndGet();
            return layout;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException | RuntimeException e) {
            LOG.info("Ignoring the layout index {} ({}); the checkpoint is scanned instead", file, e.getMessage());
            return null;
        }
    }

    /** Reads served from an index instead of a scan. */
    long hits() {
        return hits.get();
    }

    /** Keeps the index of a scanned layout of version {@code v}; a failure only costs a later scan. */
    void save(String user, VersionInfo v, Layout layout) {
        if (dir == null || v.size() < minSize) {
            return;
        }
        byte[] index = LayoutIndex.encode(layout, (int) v.size());
        if (index == null) {
            return;
        }
        Path file = file(user, v);
        try {
            DurableFiles.createDirectories(file.getParent());
            Path temp = file.resolveSibling(DurableFiles.TEMP_PREFIX + UUID.randomUUID());
            try (var ctx = new com.github.luben.zstd.ZstdCompressCtx()) {
                ctx.setLevel(1);
                ctx.setChecksum(true);
                Files.write(Files.createFile(temp, DurableFiles.privateFile()), ctx.compress(index));
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            LOG.info("Could not keep the layout index of version {} of user {}: {}", v.id(), user, e.getMessage());
        }
    }

    /** Drops the indexes of versions retention removed. */
    void forget(String user, Collection<VersionInfo> removed) {
        if (dir == null) {
            return;
        }
        for (VersionInfo v : removed) {
            if (v.size() < minSize) {
                continue; // never had one
            }
            try {
                Files.deleteIfExists(file(user, v));
            } catch (IOException e) {
                LOG.info("Could not drop the layout index of version {} of user {}: {}", v.id(), user, e.getMessage());
            }
        }
    }

    private Path file(String user, VersionInfo v) {
        String hash = v.contentHash() == null ? "none" : v.contentHash().substring(0, Math.min(16, v.contentHash().length()));
        return dir.resolve(UserIds.require(user)).resolve(String.format("%010d-%s.idx", v.id(), hash));
    }
}
