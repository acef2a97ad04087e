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

    /**
     * The version numbers on disk for the user, in order, read without opening anything for writing: for a
     * data directory a running daemon owns ({@link #ids} starts a store, whose first look at a pack cuts a
     * tail it takes for a write a crash interrupted, and a write in progress looks like one). A record still
     * being written is not counted; content checksums are not checked, so damage never makes a version look gone.
     */
    public static List<Long> idsOnDisk(Path dataDir, String user) throws IOException {
        Path folder = dataDir.resolve("users").resolve(user).resolve("versions");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        for (int attempt = 0; ; attempt++) {
            try {
                java.util.Set<String> names = new java.util.TreeSet<>();
                java.util.Set<String> packed = new java.util.HashSet<>();
                List<Path> packs;
                try (var s = Files.list(folder)) {
                    packs = s.filter(p -> {
                        String n = p.getFileName().toString();
                        if (n.matches("\\d{10}\\.gsv")) {
                            names.add(n);
                        }
                        return PackFolder.isPackName(n);
                    }).sorted().toList(); // fixed-width generations: name order is the order a store reads them
                }
                for (Path pack : packs) {
                    byte[] bytes = Files.readAllBytes(pack);
                    int at = 0;
                    PackFormat.Header h;
                    while ((h = PackFormat.parseHeader(bytes, at, bytes.length - at, at)) != null && h.end() <= bytes.length) {
                        if (h.kind() == PackFormat.BLOB) {
                            packed.add(h.name());
                        } else {
                            packed.remove(h.name());
                        }
                        at = (int) h.end();
                    }
                }
                names.addAll(packed);
                return names.stream().map(n -> Long.parseLong(n.substring(0, 10))).sorted().toList();
            } catch (NoSuchFileException compacted) {
                // a compaction deleted a pack between the listing and its read: its records are in the next one
                if (attempt >= 3) {
                    throw compacted;
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
