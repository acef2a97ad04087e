package app.garagesync.store;

import java.io.IOException;
import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Writes that survive a crash of the process or the machine: write a temporary file, fsync it, give it
 * its final name, fsync the directory. Until the directory entry is durable the file may vanish on
 * power loss, so the caller acknowledges only after {@link #createNew} or {@link #replace} returned.
 */
public final class DurableFiles {

    /** Temporary files start with this prefix; listings ignore them and start-up removes them. */
    public static final String TEMP_PREFIX = ".tmp-";

    // a garage's backups are its customers' data: readable by the daemon's account only, whatever the umask
    private static final boolean POSIX = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    private static final FileAttribute<?>[] PRIVATE_FILE = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
            : new FileAttribute<?>[0];
    private static final FileAttribute<?>[] PRIVATE_DIRECTORY = POSIX
            ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
            : new FileAttribute<?>[0];

    private static final AtomicLong FILE_SYNCS = new AtomicLong();
    private static final AtomicLong DIRECTORY_SYNCS = new AtomicLong();
    private static final AtomicLong DIRECTORY_COMMITS = new AtomicLong();
    private static final AtomicLong PACK_COMMITS = new AtomicLong();
    private static final ConcurrentHashMap<Path, DirectoryCommit> COMMITS = new ConcurrentHashMap<>();

    private DurableFiles() {
    }

    /** Writes the content of a new file to a stream (the stream is closed by the caller of the writer). */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    /** Creates {@code target} with {@code parts}; fails with FileAlreadyExistsException rather than replace it. */
    public static void createNew(Path target, byte[]... parts) throws IOException {
        createNew(target, out -> {
            for (byte[] part : parts) {
                out.write(part);
            }
        });
    }

    /**
     * Creates {@code target} with streamed content; returns its size. Never replaces an existing file:
     * FileAlreadyExistsException then; any other failure is the storage's ({@link StoreUnavailableException}).
     */
    public static long createNew(Path target, Content content) throws IOException {
        return createNew(target, content, true);
    }

    /**
     * As {@link #createNew(Path, Content)}, without the fsync of the folder: the caller makes the name
     * durable with {@link #syncDirectory} before it acknowledges anything.
     */
    public static long createNewUncommitted(Path target, Content content) throws IOException {
        return createNew(target, content, false);
    }

    private static long createNew(Path target, Content content, boolean syncFolder) throws IOException {
        try {
            long size = linkNew(target, content);
            if (syncFolder) {
                syncDirectory(target.getParent());
            }
            return size;
        } catch (FileAlreadyExistsException exists) {
            throw exists;
        } catch (IOException e) {
            throw StoreUnavailableException.of("write " + target, e);
        }
    }

    private static long linkNew(Path target, Content content) throws IOException {
        // a hard link is the create-only rename: ATOMIC_MOVE would silently replace an existing version
        return linkTemp(writeTemp(target, content, true), target);
    }

    /** Atomically replaces (or creates) {@code target}: readers see the old or the new content, never a mix. */
    public static void replace(Path target, byte[]... parts) throws IOException {
        replace(target, out -> {
            for (byte[] part : parts) {
                out.write(part);
            }
        });
    }

    /**
     * Atomically replaces (or creates) {@code target} with streamed content; returns its size. A failure
     * is the storage's ({@link StoreUnavailableException}): read-only, full, not a folder.
     */
    public static long replace(Path target, Content content) throws IOException {
        try {
            return replaceOrFail(target, content);
        } catch (IOException e) {
            throw StoreUnavailableException.of("write " + target, e);
        }
    }

    /**
     * Atomically replaces (or creates) {@code target}, without fsync: for a record a kill -9 must not tear
     * but that the fsynced files beside it can rebuild after a power loss (the mark of version numbers).
     */
    public static long replaceUnsynced(Path target, Content content) throws IOException {
        try {
            createDirectoriesOrFail(target.toAbsolutePath().getParent());
            return move(writeTemp(target, content, false), target);
        } catch (IOException e) {
            throw StoreUnavailableException.of("write " + target, e);
        }
    }

    /**
     * Appends {@code bytes} to {@code target} (created when missing, private), without fsync: a kill -9 keeps
     * the whole write, a power loss may keep part of it. NoSuchFileException when its folder is missing.
     */
    public static long appendUnsynced(Path target, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(target, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.APPEND), PRIVATE_FILE)) {
            writeFully(ch, bytes);
            return ch.size();
        } catch (java.nio.file.NoSuchFileException noFolder) {
            throw noFolder;
        } catch (IOException e) {
            throw StoreUnavailableException.of("write " + target, e);
        }
    }

    /**
     * Writes {@code bytes} over the start of the existing file {@code target} in one write, and cuts what
     * lay beyond them; without fsync. NoSuchFileException when there is no such file.
     */
    public static long overwriteUnsynced(Path target, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.WRITE)) {
            writeFully(ch, bytes); // a channel opened without APPEND starts at 0
            if (ch.size() > bytes.length) {
                ch.truncate(bytes.length);
            }
            return bytes.length;
        } catch (java.nio.file.NoSuchFileException gone) {
            throw gone;
        } catch (IOException e) {
            throw StoreUnavailableException.of("write " + target, e);
        }
    }

    private static void writeFully(FileChannel ch, byte[] bytes) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
            ch.write(buffer);
        }
    }

    /**
     * Makes a file written by {@link #replaceUnsynced} durable: fsync of the file, then of its folder (the
     * rename that gave it its name). NoSuchFileException when there is no such file.
     */
    public static void makeDurable(Path target) throws IOException {
        try (FileChannel ch = FileChannel.open(target, StandardOpenOption.READ)) {
            ch.force(true);
            FILE_SYNCS.incrementAndGet();
        }
        syncDirectory(target.getParent());
    }

    private static long replaceOrFail(Path target, Content content) throws IOException {
        long size = move(writeTemp(target, content, true), target);
        syncDirectory(target.getParent());
        return size;
    }

    private static long move(Path temp, Path target) throws IOException {
        long size = Files.size(temp);
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return size;
    }

    /** Creates {@code dir} and any missing parents, making each new entry durable in its parent. */
    public static void createDirectories(Path dir) throws IOException {
        try {
            createDirectoriesOrFail(dir.toAbsolutePath());
        } catch (IOException e) {
            throw StoreUnavailableException.of("create the folder " + dir, e);
        }
    }

    private static void createDirectoriesOrFail(Path absolute) throws IOException {
        if (Files.isDirectory(absolute)) {
            return;
        }
        createDirectoriesOrFail(absolute.getParent());
        try {
            Files.createDirectory(absolute, PRIVATE_DIRECTORY);
        } catch (FileAlreadyExistsException raced) {
            return;
        }
        syncDirectory(absolute.getParent());
    }

    /**
     * Makes the entries already linked or removed in {@code dir} durable. Concurrent callers on the same
     * directory share one fsync when one is running ({@link DirectoryCommit}); each still returns only
     * after an fsync that began after its call.
     */
    public static void syncDirectory(Path dir) throws IOException {
        DIRECTORY_COMMITS.incrementAndGet();
        Path key = dir.toAbsolutePath().normalize();
        DirectoryCommit commit = COMMITS.computeIfAbsent(key, k -> new DirectoryCommit(k, DurableFiles::fsyncDirectory));
        try {
            commit.sync();
        } finally {
            // one entry per directory being written, not per directory ever written (a hosted daemon has
            // thousands of users); a writer racing this removal makes a second group: one fsync more, not less
            if (commit.idle()) {
                COMMITS.remove(key, commit);
            }
        }
    }

    /** Counts records of a pack an fdatasync made durable ({@link PackFolder#commit()}). */
    static void countPackCommits(long records) {
        PACK_COMMITS.addAndGet(records);
    }

    /** Records (blobs, deletions) made durable by an fdatasync of their pack: more than the fsyncs when writers shared one. */
    public static long packCommits() {
        return PACK_COMMITS.get();
    }

    /** Counts an fsync of a file made outside this class (a pack's), for the metrics. */
    static void countFileSync() {
        FILE_SYNCS.incrementAndGet();
    }

    /** A name for a temporary file beside {@code target}, which start-up removes if a crash leaves it. */
    static Path tempBeside(Path target) {
        return target.resolveSibling(TEMP_PREFIX + target.getFileName() + "-" + UUID.randomUUID());
    }

    /**
     * Gives the fsynced temporary file {@code temp} the name {@code target}, create-only (a hard link, then
     * removal of the temporary name), without the folder's fsync; returns its size. FileAlreadyExistsException
     * when {@code target} exists; the temporary file is gone either way.
     */
    static long linkTemp(Path temp, Path target) throws IOException {
        try {
            long size = Files.size(temp);
            Files.createLink(target, temp);
            return size;
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    static void fsyncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        }
        DIRECTORY_SYNCS.incrementAndGet();
    }

    /** Attributes that make a new file readable and writable by the daemon's account only (where POSIX). */
    public static FileAttribute<?>[] privateFile() {
        return PRIVATE_FILE.clone();
    }

    /** Attributes that make a new folder reachable by the daemon's account only (where POSIX). */
    public static FileAttribute<?>[] privateDirectory() {
        return PRIVATE_DIRECTORY.clone();
    }

    public static long fileSyncs() {
        return FILE_SYNCS.get();
    }

    public static long directorySyncs() {
        return DIRECTORY_SYNCS.get();
    }

    /** Directory entries made durable: more than {@link #directorySyncs()} when writers shared an fsync. */
    public static long directoryCommits() {
        return DIRECTORY_COMMITS.get();
    }

    private static Path writeTemp(Path target, Content content, boolean sync) throws IOException {
        Path temp = tempBeside(target);
        try (FileChannel ch = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE), PRIVATE_FILE)) {
            OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
            content.writeTo(out);
            out.flush();
            if (sync) {
                ch.force(true);
                FILE_SYNCS.incrementAndGet();
            }
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
        return temp;
    }
}
