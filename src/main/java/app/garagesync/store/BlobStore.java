package app.garagesync.store;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Where version bytes live, in restic's manner: a few operations on named blobs, one implementation
 * per kind of storage (a local directory, an S3 bucket), and the versioning logic above, knowing
 * nothing of either. Keys are slash-separated paths built from validated ids only.
 */
public interface BlobStore {

    /**
     * Creates {@code key}, durably, or fails with {@link BlobExistsException} if it exists: the one
     * primitive that lets several writers number versions without a lock between them.
     *
     * @return the stored size in bytes
     */
    long create(String key, DurableFiles.Content content) throws IOException;

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
