package app.garagesync.store;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * What a test does to a stored version behind the daemon's back (a disk that damages it, an operator who
 * deletes it), whether the version is a record of its user's pack ({@link PackFolder}) or a file of its
 * own. Call it while no store has the data directory open, or on versions that store will re-read: a store
 * keeps its index of a pack in memory.
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

    /** The version's stored bytes (header and compressed payload), as the store reads them. */
    public static byte[] read(Path dataDir, String user, long id) throws IOException {
        return new FileBlobStore(dataDir).read(key(user, id));
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

    /** The version numbers stored for the user, in order. */
    public static List<Long> ids(Path dataDir, String user) throws IOException {
        return new FileBlobStore(dataDir).list("users/" + user + "/versions/").keySet().stream()
                .filter(n -> n.matches("\\d{10}\\.gsv")).map(n -> Long.parseLong(n.substring(0, 10))).sorted().toList();
    }

    /** The names of the version files in the user's versions folder (files of their own and packs). */
    public static List<String> filesOnDisk(Path dataDir, String user) throws IOException {
        try (var s = Files.list(dataDir.resolve("users").resolve(user).resolve("versions"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
