package app.garagesync.store;

import app.garagesync.backup.BackupSummary;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Versions as files: {@code <data-dir>/users/<user>/versions/<0000000042>.gsv}, one immutable file per
 * version, written through {@link DurableFiles}. A version exists once its final name is durable; a
 * crash before that leaves only a temporary file, removed at the next start. One daemon owns a data
 * directory (see {@link DataDirectoryLock}), so a lock per user in this process orders the writes.
 */
public final class FileBackupStore implements BackupStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileBackupStore.class);
    private static final Pattern VERSION_FILE = Pattern.compile("\\d{10}\\.gsv");

    private final Path dataDir;
    private final Clock clock;
    private final int zstdLevel;
    private final Map<String, UserVersions> users = new ConcurrentHashMap<>();

    public FileBackupStore(Path dataDir, Clock clock, int zstdLevel) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.zstdLevel = zstdLevel;
    }

    /** Versions of one user, loaded from their headers on first use. */
    private static final class UserVersions {
        final ReentrantLock lock = new ReentrantLock();
        volatile NavigableMap<Long, VersionInfo> byId;
    }

    @Override
    public StoreResult put(String user, byte[] json, BackupSummary summary) {
        UserVersions uv = loaded(user);
        uv.lock.lock();
        try {
            Map.Entry<Long, VersionInfo> last = uv.byId.lastEntry();
            if (last != null && last.getValue().contentHash().equals(summary.contentHash())) {
                return new StoreResult.Unchanged(last.getValue());
            }
            long id = last == null ? 1 : last.getKey() + 1;
            VersionInfo draft = new VersionInfo(id, clock.instant(), summary.backupTimestamp(),
                    summary.totalRecords(), summary.recordsByCollection(), summary.size(), 0,
                    summary.contentHash());
            byte[] header = VersionFile.header(draft);
            Path dir = versionsDir(user);
            DurableFiles.createDirectories(dir);
            long storedSize = DurableFiles.createNew(dir.resolve(fileName(id)), out -> {
                out.write(header);
                VersionFile.compressTo(out, json, (int) summary.size(), zstdLevel);
            });
            VersionInfo stored = withStoredSize(draft, storedSize);
            NavigableMap<Long, VersionInfo> next = new TreeMap<>(uv.byId);
            next.put(id, stored);
            uv.byId = Collections.unmodifiableNavigableMap(next);
            return new StoreResult.Stored(stored);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a version for user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }

    @Override
    public List<VersionInfo> versions(String user) {
        return new ArrayList<>(loaded(user).byId.descendingMap().values());
    }

    @Override
    public Optional<VersionInfo> latest(String user) {
        Map.Entry<Long, VersionInfo> last = loaded(user).byId.lastEntry();
        return Optional.ofNullable(last == null ? null : last.getValue());
    }

    @Override
    public Optional<VersionInfo> version(String user, long id) {
        return Optional.ofNullable(loaded(user).byId.get(id));
    }

    @Override
    public byte[] read(String user, long id) {
        VersionInfo info = version(user, id).orElseThrow(() -> new IllegalArgumentException("no version " + id));
        Path file = versionsDir(user).resolve(fileName(id));
        try {
            byte[] bytes = Files.readAllBytes(file);
            return VersionFile.decompress(bytes, VersionFile.payloadStart(bytes), info.size());
        } catch (IOException e) {
            throw new DamagedVersionException(user, id, e.getMessage(), e);
        }
    }

    @Override
    public List<String> users() {
        Path root = dataDir.resolve("users");
        List<String> out = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root)) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (UserIds.isValid(name) && Files.isDirectory(p.resolve("versions"))) {
                    out.add(name);
                }
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Collections.sort(out);
        return out;
    }

    /** Removes temporary files a crash left behind; they were never acknowledged. */
    public void removeLeftovers() throws IOException {
        for (String user : users()) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(versionsDir(user), DurableFiles.TEMP_PREFIX + "*")) {
                for (Path temp : ds) {
                    LOG.info("Removing {} left by an interrupted write", temp);
                    Files.deleteIfExists(temp);
                }
            }
        }
    }

    private UserVersions loaded(String user) {
        UserVersions uv = users.computeIfAbsent(UserIds.require(user), u -> new UserVersions());
        if (uv.byId == null) {
            uv.lock.lock();
            try {
                if (uv.byId == null) {
                    uv.byId = Collections.unmodifiableNavigableMap(scan(user));
                }
            } finally {
                uv.lock.unlock();
            }
        }
        return uv;
    }

    private NavigableMap<Long, VersionInfo> scan(String user) {
        NavigableMap<Long, VersionInfo> found = new TreeMap<>();
        Path dir = versionsDir(user);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!VERSION_FILE.matcher(p.getFileName().toString()).matches()) {
                    continue;
                }
                try {
                    VersionInfo v = readHeader(p);
                    found.put(v.id(), v);
                } catch (IOException e) {
                    LOG.error("Version file {} has an unreadable header, it is left out: {}", p, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    private static VersionInfo readHeader(Path file) throws IOException {
        long storedSize = Files.size(file);
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes((int) Math.min(storedSize, VersionFile.MAX_HEADER));
        }
        int end = VersionFile.payloadStart(head);
        return VersionFile.parseHeader(java.util.Arrays.copyOf(head, end), storedSize);
    }

    private Path versionsDir(String user) {
        return UserIds.directory(dataDir, user).resolve("versions");
    }

    private static String fileName(long id) {
        return String.format("%010d.gsv", id);
    }

    private static VersionInfo withStoredSize(VersionInfo v, long storedSize) {
        return new VersionInfo(v.id(), v.createdAt(), v.backupTimestamp(), v.totalRecords(),
                v.recordsByCollection(), v.size(), storedSize, v.contentHash());
    }
}
