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
 * In the folders {@code packed} names (a user's versions), blobs up to {@link #PACK_MAX} bytes are created
 * as records of the folder's pack file instead ({@link PackFolder}); a bigger one, and one a file already
 * holds (written before packs, or put there by hand), keeps a file of its own, which wins over a packed
 * record of the same name.
 * A write, delete or listing the file system refuses (read-only, full, a file where a folder should be),
 * or a read it refuses to open, is a {@link StoreUnavailableException}; a blob that is not there stays a
 * NoSuchFileException, and an error while reading bytes (EIO) a plain IOException: damage, for the caller.
 */
public final class FileBlobStore implements BlobStore {

    /** Largest blob a pack takes: a small shop's backup, a big garage's day of edits as a delta. */
    static final int PACK_MAX = 1 << 20;

    private final Path root;
    private final java.util.function.Predicate<String> packed;
    private final long compactFloor;
    private final java.util.concurrent.ConcurrentHashMap<Path, PackFolder> packs =
            new java.util.concurrent.ConcurrentHashMap<>();
    private final Object[] keyLocks = new Object[64];

    /** A store whose users' version folders are packed. */
    public FileBlobStore(Path root) {
        this(root, VersionKeys::isVersionsFolder, PackFolder.COMPACT_FLOOR);
    }

    /** {@code packed}: whether the folder of this prefix ("users/anna/versions/") packs its small blobs. */
    FileBlobStore(Path root, java.util.function.Predicate<String> packed, long compactFloor) {
        this.root = root;
        this.packed = packed;
        this.compactFloor = compactFloor;
        java.util.Arrays.setAll(keyLocks, i -> new Object());
    }

    @Override
    public long create(String key, DurableFiles.Content content) throws IOException {
        PackFolder pack = packOf(key);
        if (pack != null) {
            return createPacked(key, pack, content, true);
        }
        return createAt(key, file -> DurableFiles.createNew(file, content));
    }

    /** Temporary file, its fsync, the hard link; the folder's fsync is {@link #commitCreated}'s. */
    @Override
    public long createUncommitted(String key, DurableFiles.Content content) throws IOException {
        PackFolder pack = packOf(key);
        if (pack != null) {
            return createPacked(key, pack, content, false);
        }
        return createAt(key, file -> DurableFiles.createNewUncommitted(file, content));
    }

    /** The pack of the key's folder, or null when that folder does not pack. */
    private PackFolder packOf(String key) {
        int slash = key.lastIndexOf('/');
        if (slash < 0 || !packed.test(key.substring(0, slash + 1))) {
            return null;
        }
        Path folder = path(key.substring(0, slash));
        return packs.computeIfAbsent(folder, f -> new PackFolder(f, compactFloor));
    }

    private static String nameOf(String key) {
        return key.substring(key.lastIndexOf('/') + 1);
    }

    /**
     * Creates a blob of a packed folder: a record of its pack, or a file of its own past {@link #PACK_MAX}.
     * One writer per name at a time (the user's lock above, one process per data directory).
     */
    private long createPacked(String key, PackFolder pack, DurableFiles.Content content, boolean commit)
            throws IOException {
        Path file = path(key);
        DurableFiles.createDirectories(file.getParent());
        BlobBuffer buffer = new BlobBuffer(PACK_MAX, file);
        try {
            content.writeTo(buffer);
            buffer.finish();
            if (Files.exists(file) || (buffer.spilled() && pack.contains(nameOf(key)))) {
                throw new BlobExistsException(key);
            }
            long size;
            if (buffer.spilled()) {
                size = DurableFiles.linkTemp(buffer.temp(), file);
                pack.looseCreated();
            } else if (pack.append(nameOf(key), buffer.bytes(), buffer.size(), true)) {
                size = buffer.size();
            } else {
                throw new BlobExistsException(key);
            }
            if (commit) {
                pack.commit();
            }
            return size;
        } catch (BlobExistsException exists) {
            throw exists;
        } catch (FileAlreadyExistsException e) {
            throw new BlobExistsException(key);
        } catch (IOException e) {
            throw StoreUnavailableException.of("write " + file, e);
        } finally {
            buffer.discard();
        }
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
            PackFolder pack = packOf(key);
            if (pack != null) {
                pack.commit();
                return;
            }
            DurableFiles.syncDirectory(folder);
        } catch (IOException e) {
            throw StoreUnavailableException.of("write in " + folder, e);
        }
    }

    @Override
    public long replace(String key, DurableFiles.Content content) throws IOException {
        Path file = path(key);
        DurableFiles.createDirectories(file.getParent());
        PackFolder pack = packOf(key);
        if (pack == null || Files.exists(file)) {
            return DurableFiles.replace(file, content);
        }
        BlobBuffer buffer = new BlobBuffer(PACK_MAX, file);
        try {
            content.writeTo(buffer);
            buffer.finish();
            if (buffer.spilled()) {
                // its own file first, durable; then the packed record goes (until then the file wins)
                Files.move(buffer.temp(), file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.syncDirectory(file.getParent());
                if (pack.delete(List.of(nameOf(key)))) {
                    pack.commit();
                }
                return Files.size(file);
            }
            // a later record of the name wins: old or new, never a mix
            pack.append(nameOf(key), buffer.bytes(), buffer.size(), false);
            pack.commit();
            return buffer.size();
        } catch (IOException e) {
            throw StoreUnavailableException.of("write " + file, e);
        } finally {
            buffer.discard();
        }
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
            return readPacked(key, Integer.MAX_VALUE, gone);
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

    /** A blob with no file of its own, from its folder's pack; {@code gone} when it is not there either. */
    private byte[] readPacked(String key, int max, NoSuchFileException gone) throws IOException {
        PackFolder pack = packOf(key);
        byte[] found = pack == null ? null : pack.read(nameOf(key), max);
        if (found == null) {
            throw gone;
        }
        return found;
    }

    @Override
    public byte[] readHead(String key, int max) throws IOException {
        try (InputStream in = Files.newInputStream(path(key))) {
            return in.readNBytes(max);
        } catch (NoSuchFileException gone) {
            return readPacked(key, max, gone);
        } catch (FileSystemException refused) {
            throw StoreUnavailableException.of("read " + path(key), refused);
        }
    }

    @Override
    public Map<String, Long> list(String prefix) throws IOException {
        Map<String, Long> found = new TreeMap<>();
        PackFolder pack = prefix.endsWith("/") ? packOf(prefix) : null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(path(prefix))) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (!name.startsWith(DurableFiles.TEMP_PREFIX) && Files.isRegularFile(p)
                        && !(pack != null && PackFolder.isPackName(name))) {
                    found.put(name, Files.size(p));
                }
            }
        } catch (NoSuchFileException e) {
            return found;
        } catch (IOException e) {
            throw StoreUnavailableException.of("list " + path(prefix), e);
        }
        if (pack != null) {
            pack.list().forEach(found::putIfAbsent); // a file of its own wins
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
        deleteAll(List.of(key));
    }

    /**
     * Deletes the files, then fsyncs each folder once: a prune's batch costs one folder fsync, not one per file.
     * Packed blobs get one deletion record each, in one write and one fdatasync per pack; {@link #tidy}
     * compacts a pack whose dead records then outweigh its live ones.
     */
    @Override
    public void deleteAll(java.util.Collection<String> keys) throws IOException {
        java.util.Set<Path> folders = new java.util.LinkedHashSet<>();
        Map<PackFolder, List<String>> packed = new java.util.LinkedHashMap<>();
        for (String key : keys) {
            PackFolder pack = packOf(key);
            if (pack != null) {
                packed.computeIfAbsent(pack, p -> new ArrayList<>()).add(nameOf(key));
            }
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
        for (Map.Entry<PackFolder, List<String>> e : packed.entrySet()) {
            try {
                if (e.getKey().delete(e.getValue())) {
                    e.getKey().commit();
                }
            } catch (IOException failed) {
                throw StoreUnavailableException.of("delete in a pack", failed);
            }
        }
    }

    /** Compacts the pack of the folder {@code prefix} when its dead records outweigh its live ones. */
    @Override
    public void tidy(String prefix) throws IOException {
        PackFolder pack = prefix.endsWith("/") ? packOf(prefix) : null;
        if (pack != null) {
            pack.compactIfWorth();
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
