package app.garagesync.store;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where version bytes live, in restic's manner: a few operations on named blobs, one implementation
 * per kind of storage (a local directory, an S3 bucket), and the versioning logic above, knowing
 * nothing of either. Keys are slash-separated paths built from validated ids only.
 *
 * <p>The contract every implementation keeps ({@code BlobStoreContract} runs it against each one):
 * <ul>
 * <li><b>Durability.</b> When {@link #create}, {@link #replace} or {@link #replaceIf} returns, the blob
 *     survives a crash of the process and of the machine (fsync, or the S3 service's acknowledgement);
 *     {@link #replaceAtomically} only a crash of the process. A write that throws may have left nothing
 *     or the whole blob, never a part of it under its key.</li>
 * <li><b>Read-after-write.</b> Once a write or a {@link #delete} returned, every later read, head read
 *     and listing of this store sees it; replacements are atomic, old or new bytes, never a mix.</li>
 * <li><b>Not found.</b> {@link #read} and {@link #readHead} throw {@link java.nio.file.NoSuchFileException}
 *     for a key that is not there, {@link #readTagged} answers null; {@link #list} and {@link #folders}
 *     of a prefix that does not exist are empty; {@link #delete} of a missing key does nothing.</li>
 * <li><b>Storage down.</b> A storage that cannot take the operation now (unreachable, refused, read-only,
 *     full) throws {@link StoreUnavailableException}: not damage, not the caller's fault, retry later.
 *     Any other {@link IOException} on a read is damage of what is stored.</li>
 * </ul>
 */
public interface BlobStore {

    /**
     * Creates {@code key}, durably, or fails with {@link BlobExistsException} if it exists: the one
     * primitive that lets several writers number versions without a lock between them.
     *
     * @return the stored size in bytes
     */
    long create(String key, DurableFiles.Content content) throws IOException;

    /**
     * Like {@link #create}, except that the new name may be durable only against a crash of the process
     * until {@link #commitCreated} of it returned (the content is durable before the name exists, so a crash
     * leaves no blob or the whole one): a writer can let the next one in before the slow part, and concurrent
     * writers share it. Stores whose creates are durable at once just create.
     */
    default long createUncommitted(String key, DurableFiles.Content content) throws IOException {
        return create(key, content);
    }

    /**
     * Makes durable the name of a blob made by {@link #createUncommitted}, and of every blob created under
     * the same folder before this call began.
     */
    default void commitCreated(String key) throws IOException {
    }

    /** Replaces (or creates) {@code key} atomically and durably; readers see old or new, never a mix. */
    long replace(String key, DurableFiles.Content content) throws IOException;

    /**
     * Like {@link #replace}, atomic (old or new, never a mix) but durable only against a crash of the
     * process at return, not necessarily of the machine: for a record a loss of which the blobs themselves
     * make good (the mark of version numbers). Stores whose writes are all durable just replace.
     */
    default long replaceAtomically(String key, DurableFiles.Content content) throws IOException {
        return replace(key, content);
    }

    /**
     * Adds {@code bytes} at the end of {@code key}, creating it when missing; as durable as
     * {@link #replaceAtomically} (a crash of the process keeps it), and a crash of the machine may cut the
     * blob short at its end, so the caller reads a torn tail as not written. Local files grow in place: no new
     * file per write (on ext4 without a journal, every new file costs a scan of the files deleted in the last
     * seconds). Other stores rewrite the blob, atomically.
     */
    default long append(String key, byte[] bytes) throws IOException {
        byte[] before;
        try {
            before = read(key);
        } catch (java.nio.file.NoSuchFileException e) {
            before = new byte[0];
        }
        byte[] old = before;
        return replaceAtomically(key, out -> {
            out.write(old);
            out.write(bytes);
        });
    }

    /**
     * Replaces a small record (at most a disk sector, 512 bytes) with {@code bytes} of the same length each
     * time; as durable as {@link #replaceAtomically}. Local files are written over in place, in one write
     * (no new file, see {@link #append}): a kill -9 sees the old or the new bytes, and a disk writes a sector
     * whole. Other stores replace atomically.
     */
    default long overwrite(String key, byte[] bytes) throws IOException {
        return replaceAtomically(key, out -> out.write(bytes));
    }

    /** The blob's bytes; {@link java.nio.file.NoSuchFileException} when it does not exist. */
    byte[] read(String key) throws IOException;

    /**
     * The blob's bytes and a tag naming this content (S3's ETag), for {@link #replaceIf}; null when the
     * blob does not exist.
     */
    Tagged readTagged(String key) throws IOException;

    /**
     * Replaces {@code key} like {@link #replace}, but only if it still holds the content {@code tag} named
     * ({@code null}: only if it does not exist), else fails with {@link BlobChangedException}: the
     * read-modify-write of a small record that several daemons update (S3's {@code If-Match}).
     */
    long replaceIf(String key, String tag, DurableFiles.Content content) throws IOException;

    /** At most the first {@code max} bytes of the blob. */
    byte[] readHead(String key, int max) throws IOException;

    /** Names (not full keys) and sizes of the blobs directly under {@code prefix}, a "folder/". */
    Map<String, Long> list(String prefix) throws IOException;

    /** Names of the "folders" directly under {@code prefix}. */
    List<String> folders(String prefix) throws IOException;

    void delete(String key) throws IOException;

    /**
     * Deletes every key, like {@link #delete} each: a store that must make deletions durable may do it once
     * for all of them (one fsync of a folder for a prune's batch instead of one per blob).
     */
    default void deleteAll(java.util.Collection<String> keys) throws IOException {
        for (String key : keys) {
            delete(key);
        }
    }

    /**
     * Reclaims the space of blobs deleted under {@code prefix} (a "folder/") when that is worth it: a local
     * store's pack compaction. Slow work, safe beside writes to the folder: callers call it outside their
     * locks. Stores whose deletions free their space at once have nothing to do.
     */
    default void tidy(String prefix) throws IOException {
    }

    /**
     * Makes a blob written by {@link #replaceAtomically} durable against a crash of the machine too, as if
     * it had been written by {@link #replace}; nothing for a missing key. Stores whose writes are all durable
     * have nothing to do.
     */
    default void makeDurable(String key) throws IOException {
    }

    /** True when other processes may write here too, so what this one knows must be re-read. */
    boolean shared();

    /** A blob's bytes and the tag of that content. */
    record Tagged(byte[] bytes, String tag) {
    }

    /** Thrown by {@link #replaceIf} when the blob changed since it was read. */
    class BlobChangedException extends IOException {
        public BlobChangedException(String key) {
            super(key + " changed since it was read");
        }
    }

    /** Thrown by {@link #create} when the key exists. */
    class BlobExistsException extends IOException {
        public BlobExistsException(String key) {
            super(key + " already exists");
        }
    }
}
