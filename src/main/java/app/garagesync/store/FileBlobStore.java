package app.garagesync.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Blobs as files under a directory, written through {@link DurableFiles}: fsync of file and directory.
 * A write, delete or listing the file system refuses (read-only, full, a file where a folder should be),
 * or a read it refuses to open, is a {@link StoreUnavailableException}; a blob that is not there stays a
 * NoSuchFileException, and an error while reading bytes (EIO) a plain IOException: damage, for the caller.
 */
public final class FileBlobStore implements BlobStore {

    private final Path root;
    private final Object[] keyLocks = new Object[64];

    public FileBlobStore(Path root) {
        this.root = root;
        java.util.Arrays.setAll(keyLocks, i -> new Object());
    }

    @Override
    public long create(String key, DurableFiles.Content content) throws IOException {
        return createAt(key, file -> DurableFiles.createNew(file, content));
    }

    /** Temporary file, its fsync, the hard link; the folder's fsync is {@link #commitCreated}'s. */
    @Override
    public long createUncommitted(String key, DurableFiles.Content content) throws IOException {
        return createAt(key, file -> DurableFiles.createNewUncommitted(file, content));
    }

    /** How a new file is made at its path. */
    private interface Creation {
        long at(Path file) throws IOException;
    }

    private long createAt(String key, Creation creation) throws IOException {
        Path file = path(key);
        DurableFiles.createDirectories(file.getParent());
        try {
            return creation.at(file);
        } catch (FileAlreadyExistsException e) {
            throw new BlobExistsException(key);
        }
    }

    @Override
    public void commitCreated(String key) throws IOException {
        Path folder = path(key).getParent();
        try {
            DurableFiles.syncDirectory(folder);
        } catch (IOException e) {
            throw StoreUnavailableException.of("write in " + folder, e);
        }
    }

    @Override
    public long replace(String key, DurableFiles.Content content) throws IOException {
        Path file = path(key);
        DurableFiles.createDirectories(file.getParent());
        return DurableFiles.replace(file, content);
    }

    /** Temporary file and rename without fsync: the page cache keeps it through a kill -9. */
    @Override
    public long replaceAtomically(String key, DurableFiles.Content content) throws IOException {
        return DurableFiles.replaceUnsynced(path(key), content);
    }

    @Override
    public long append(String key, byte[] bytes) throws IOException {
        Path file = path(key);
        try {
            return DurableFiles.appendUnsynced(file, bytes);
        } catch (NoSuchFileException noFolder) {
            DurableFiles.createDirectories(file.getParent());
            return DurableFiles.appendUnsynced(file, bytes);
        }
    }

    @Override
    public long overwrite(String key, byte[] bytes) throws IOException {
        if (bytes.length > 512) {
            throw new IllegalArgumentException("an overwrite in place is for records of a sector at most: " + key);
        }
        Path file = path(key);
        try {
            return DurableFiles.overwriteUnsynced(file, bytes);
        } catch (NoSuchFileException first) {
            return DurableFiles.replaceUnsynced(file, out -> out.write(bytes));
        }
    }

    @Override
    public byte[] read(String key) throws IOException {
        try {
            return Files.readAllBytes(path(key));
        } catch (NoSuchFileException gone) {
            throw gone;
        } catch (FileSystemException refused) {
            // the file system refused to open it (permission, a file where a folder should be): not damage
            throw StoreUnavailableException.of("read " + path(key), refused);
        }
    }

    @Override
    public Tagged readTagged(String key) throws IOException {
        try {
            byte[] bytes = read(key);
            return new Tagged(bytes, tagOf(bytes));
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    @Override
    public long replaceIf(String key, String tag, DurableFiles.Content content) throws IOException {
        // one process owns the directory (DataDirectoryLock): a lock per key makes check-and-replace atomic
        synchronized (keyLocks[Math.floorMod(key.hashCode(), keyLocks.length)]) {
            Tagged now = readTagged(key);
            if (!java.util.Objects.equals(now == null ? null : now.tag(), tag)) {
                throw new BlobChangedException(key);
            }
            return replace(key, content);
        }
    }

    /** The tag of a content: its SHA-256, so equal tags mean equal bytes. */
    static String tagOf(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public byte[] readHead(String key, int max) throws IOException {
        try (InputStream in = Files.newInputStream(path(key))) {
            return in.readNBytes(max);
        } catch (NoSuchFileException gone) {
            throw gone;
        } catch (FileSystemException refused) {
            throw StoreUnavailableException.of("read " + path(key), refused);
        }
    }

    @Override
    public Map<String, Long> list(String prefix) throws IOException {
        Map<String, Long> found = new TreeMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path(prefix))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.startsWith(DurableFiles.TEMP_PREFIX) && Files.isRegularFile(p)) {
                    found.put(name, Files.size(p));
                }
            }
        } catch (NoSuchFileException e) {
            return found;
        } catch (IOException e) {
            throw StoreUnavailableException.of("list " + path(prefix), e);
        }
        return found;
    }

    @Override
    public List<String> folders(String prefix) throws IOException {
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path(prefix))) {
            for (Path p : ds) {
                if (Files.isDirectory(p)) {
                    out.add(p.getFileName().toString());
                }
            }
        } catch (NoSuchFileException e) {
            return out;
        } catch (IOException e) {
            throw StoreUnavailableException.of("list " + path(prefix), e);
        }
        Collections.sort(out);
        return out;
    }

    @Override
    public void delete(String key) throws IOException {
        Path file = path(key);
        try {
            if (Files.deleteIfExists(file)) {
                DurableFiles.syncDirectory(file.getParent());
            }
        } catch (IOException e) {
            throw StoreUnavailableException.of("delete " + file, e);
        }
    }

    /** Deletes the files, then fsyncs each folder once: a prune's batch costs one folder fsync, not one per file. */
    @Override
    public void deleteAll(java.util.Collection<String> keys) throws IOException {
        java.util.Set<Path> folders = new java.util.LinkedHashSet<>();
        for (String key : keys) {
            Path file = path(key);
            try {
                if (Files.deleteIfExists(file)) {
                    folders.add(file.getParent());
                }
            } catch (IOException e) {
                throw StoreUnavailableException.of("delete " + file, e);
            }
        }
        for (Path folder : folders) {
            try {
                DurableFiles.syncDirectory(folder);
            } catch (IOException e) {
                throw StoreUnavailableException.of("delete in " + folder, e);
            }
        }
    }

    @Override
    public void makeDurable(String key) throws IOException {
        Path file = path(key);
        try {
            DurableFiles.makeDurable(file);
        } catch (NoSuchFileException gone) {
            // nothing written there: nothing to keep
        } catch (IOException e) {
            throw StoreUnavailableException.of("write " + file, e);
        }
    }

    @Override
    public boolean shared() {
        return false;
    }

    /** Removes temporary files a crash left under {@code prefix}; they were never acknowledged. */
    public List<Path> removeLeftovers(String prefix) throws IOException {
        List<Path> removed = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path(prefix), DurableFiles.TEMP_PREFIX + "*")) {
            for (Path temp : ds) {
                Files.deleteIfExists(temp);
                removed.add(temp);
            }
        } catch (NoSuchFileException e) {
            return removed;
        }
        return removed;
    }

    private Path path(String key) {
        return key.isEmpty() ? root : root.resolve(key);
    }
}
