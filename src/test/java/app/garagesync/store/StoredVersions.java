package app.garagesync.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What a test does to a stored version behind the daemon's back (a disk that damages it, an operator who
 * deletes it), whether the version is a record of its user's pack ({@link PackFolder}) or a file of its
 * own. {@link #read} and {@link #ids} only read the folder, under a running daemon too; the rest changes it:
 * call them while no store has the data directory open, or on versions that store will re-read (a file of
 * its own is read first on every read), since a store keeps its index of a pack in memory.
 */
public final class StoredVersions {

    private StoredVersions() {
    }

    /** The path a version's own file has, or would have. */
    public static Path file(Path dataDir, String user, long id) {
        return dataDir.resolve("users").resolve(user).resolve("versions").resolve(String.format("%010d.gsv", id));
    }

    private static String key(String user, long id) {
        return "users/" + user + "/versions/" + String.format("%010d.gsv", id);
    }

    /**
     * The version's stored bytes (header and compressed payload), as the store reads them. Read from a copy
     * of the folder, so safe under a running daemon: a second store opening the pack itself would cut a
     * record the daemon is appending as a torn tail.
     */
    public static byte[] read(Path dataDir, String user, long id) throws IOException {
        return inCopy(dataDir, user, copy -> copy.read(key(user, id)));
    }

    /**
     * Replaces the version's stored bytes by {@code change} of them: they are written to a file of its own,
     * which wins over the record in the pack, as a damaged sector would give them back. Returns that file.
     */
    public static Path damage(Path dataDir, String user, long id, UnaryOperator<byte[]> change) throws IOException {
        byte[] changed = change.apply(read(dataDir, user, id));
        Path file = file(dataDir, user, id);
        Files.write(file, changed);
        return file;
    }

    /** Writes {@code bytes} as the version's stored bytes, whatever it held (or whether it existed). */
    public static Path overwrite(Path dataDir, String user, long id, byte[] bytes) throws IOException {
        Path file = file(dataDir, user, id);
        Files.write(file, bytes);
        return file;
    }

    /** Deletes the version, as an operator's {@code rm} of its file would; NoSuchFileException when it is not there. */
    public static void delete(Path dataDir, String user, long id) throws IOException {
        FileBlobStore blobs = new FileBlobStore(dataDir);
        String key = key(user, id);
        if (!blobs.list("users/" + user + "/versions/").containsKey(String.format("%010d.gsv", id))) {
            throw new NoSuchFileException(key);
        }
        blobs.delete(key);
    }

    /** The version numbers stored for the user, in order; like {@link #read}, from a copy of the folder. */
    public static List<Long> ids(Path dataDir, String user) throws IOException {
        return inCopy(dataDir, user, copy -> copy.list("users/" + user + "/versions/")).keySet().stream()
                .filter(n -> n.matches("\\d{10}\\.gsv")).map(n -> Long.parseLong(n.substring(0, 10))).sorted().toList();
    }

    private interface Look<T> {
        T in(FileBlobStore copy) throws IOException;
    }

    /**
     * {@code look} done by a store over a copy of the user's versions folder (temporary files left out),
     * which it may change as it likes (cut a torn tail, finish a compaction); the folder itself is only read.
     */
    private static <T> T inCopy(Path dataDir, String user, Look<T> look) throws IOException {
        Path versions = file(dataDir, user, 0).getParent();
        Path root = Files.createTempDirectory("stored-versions");
        try {
            Path into = Files.createDirectories(root.resolve("users").resolve(user).resolve("versions"));
            for (int attempt = 1; ; attempt++) {
                try (var files = Files.list(versions)) {
                    for (Path f : files.filter(Files::isRegularFile).toList()) {
                        if (!f.getFileName().toString().startsWith(DurableFiles.TEMP_PREFIX)) {
                            Files.copy(f, into.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                    break;
                } catch (NoSuchFileException gone) {
                    if (!Files.isDirectory(versions)) {
                        break; // no folder: nothing stored
                    }
                    if (attempt == 5) {
                        throw gone;
                    }
                    // a compaction deleted a pack between the listing and its copy: copy afresh
                    try (var stale = Files.list(into)) {
                        for (Path f : stale.toList()) {
                            Files.delete(f);
                        }
                    }
                }
            }
            return look.in(new FileBlobStore(root));
        } finally {
            try (var all = Files.walk(root)) {
                for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** The names of the version files in the user's versions folder (files of their own and packs). */
    public static List<String> filesOnDisk(Path dataDir, String user) throws IOException {
        try (var s = Files.list(dataDir.resolve("users").resolve(user).resolve("versions"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
