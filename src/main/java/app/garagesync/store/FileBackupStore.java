package app.garagesync.store;

import app.garagesync.backup.BackupSummary;
import app.garagesync.store.delta.DeltaCodec;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.SoftReference;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
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
 *
 * <p>A version is stored whole (a checkpoint) or as an entity-level delta against the version before
 * it. A new checkpoint is written when the deltas since the last one would weigh more than
 * {@code checkpointRatio} times that checkpoint, or the chain would exceed {@code maxChain}: reading
 * any version then costs at most one checkpoint plus a bounded amount of deltas.
 */
public final class FileBackupStore implements BackupStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileBackupStore.class);
    private static final Pattern VERSION_FILE = Pattern.compile("\\d{10}\\.gsv");

    private final Path dataDir;
    private final Clock clock;
    private final int zstdLevel;
    private final StoragePolicy policy;
    private final Map<String, UserVersions> users = new ConcurrentHashMap<>();

    /** When versions are stored as deltas. {@code maxChain == 0} stores every version whole. */
    public record StoragePolicy(double checkpointRatio, int maxChain) {
        public static final StoragePolicy WHOLE = new StoragePolicy(0, 0);
    }

    public FileBackupStore(Path dataDir, Clock clock, int zstdLevel, StoragePolicy policy) {
        this.dataDir = dataDir;
        this.clock = clock;
        this.zstdLevel = zstdLevel;
        this.policy = policy;
    }

    /** Versions of one user, loaded from their headers on first use. */
    private static final class UserVersions {
        final ReentrantLock lock = new ReentrantLock();
        volatile NavigableMap<Long, VersionInfo> byId;
        volatile Map<Long, StoredForm> forms;
        /** the newest version's layout with entity ids, kept to compute the next delta without a read */
        volatile SoftReference<LatestLayout> latest = new SoftReference<>(null);
        /** the last checkpoint a read rebuilt from, so reads along its chain skip parsing it again */
        volatile SoftReference<LatestLayout> checkpoint = new SoftReference<>(null);
    }

    private record LatestLayout(long id, Layout layout) {
    }

    @Override
    public StoreResult put(String user, byte[] json, BackupSummary summary) {
        return put(user, json, summary, -1);
    }

    @Override
    public StoreResult putOnBase(String user, long baseVersion, byte[] json, BackupSummary summary) {
        return put(user, json, summary, baseVersion);
    }

    private StoreResult put(String user, byte[] json, BackupSummary summary, long expectedLatest) {
        UserVersions uv = loaded(user);
        uv.lock.lock();
        try {
            Map.Entry<Long, VersionInfo> last = uv.byId.lastEntry();
            if (expectedLatest >= 0 && (last == null || last.getKey() != expectedLatest)) {
                throw new StaleBaseException(expectedLatest, last == null ? null : last.getKey());
            }
            if (last != null && last.getValue().contentHash().equals(summary.contentHash())) {
                return new StoreResult.Unchanged(last.getValue());
            }
            long id = last == null ? 1 : last.getKey() + 1;
            VersionInfo draft = new VersionInfo(id, clock.instant(), summary.backupTimestamp(),
                    summary.totalRecords(), summary.recordsByCollection(), summary.size(), 0,
                    summary.contentHash());
            int length = (int) summary.size();
            Layout layout = policy.maxChain() > 0 ? LayoutScanner.scan(json, length) : null;
            VersionInfo stored = null;
            if (layout != null && last != null) {
                stored = tryDelta(user, uv, last.getValue(), draft, layout);
            }
            if (stored == null) {
                stored = write(user, uv, draft, StoredForm.whole(summary.size()),
                        out -> VersionFile.compressTo(out, json, length, zstdLevel));
            }
            uv.latest = new SoftReference<>(layout == null ? null : new LatestLayout(id, layout));
            return new StoreResult.Stored(stored);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a version for user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }

    /** Writes {@code draft} as a delta of {@code parent} when the policy allows it; null when it does not. */
    private VersionInfo tryDelta(String user, UserVersions uv, VersionInfo parent, VersionInfo draft, Layout layout)
            throws IOException {
        StoredForm parentForm = uv.forms.get(parent.id());
        int chainLength = parentForm.chainLength() + 1;
        if (chainLength > policy.maxChain()) {
            return null;
        }
        byte[] delta = DeltaCodec.compute(parentLayout(user, uv, parent), layout);
        byte[] compressed = VersionFile.compress(delta, zstdLevel);
        long chainBytes = parentForm.chainBytes() + compressed.length;
        long checkpointSize = uv.byId.get(checkpointOf(uv, parent.id())).storedSize();
        if (chainBytes > policy.checkpointRatio() * checkpointSize) {
            return null;
        }
        StoredForm form = new StoredForm(parent.id(), delta.length, chainLength, chainBytes);
        return write(user, uv, draft, form, out -> out.write(compressed));
    }

    private VersionInfo write(String user, UserVersions uv, VersionInfo draft, StoredForm form,
                              DurableFiles.Content payload) throws IOException {
        byte[] header = VersionFile.header(draft, form);
        Path dir = versionsDir(user);
        DurableFiles.createDirectories(dir);
        long storedSize = DurableFiles.createNew(dir.resolve(fileName(draft.id())), out -> {
            out.write(header);
            payload.writeTo(out);
        });
        VersionInfo stored = withStoredSize(draft, storedSize);
        publish(uv, stored, form);
        return stored;
    }

    private static void publish(UserVersions uv, VersionInfo stored, StoredForm form) {
        NavigableMap<Long, VersionInfo> next = new TreeMap<>(uv.byId);
        next.put(stored.id(), stored);
        Map<Long, StoredForm> nextForms = new java.util.HashMap<>(uv.forms);
        nextForms.put(stored.id(), form);
        uv.forms = Collections.unmodifiableMap(nextForms);
        uv.byId = Collections.unmodifiableNavigableMap(next);
    }

    private Layout parentLayout(String user, UserVersions uv, VersionInfo parent) {
        LatestLayout cached = uv.latest.get();
        if (cached != null && cached.id() == parent.id()) {
            return cached.layout();
        }
        byte[] doc = read(user, parent.id());
        return LayoutScanner.scan(doc, doc.length);
    }

    private static long checkpointOf(UserVersions uv, long id) {
        long at = id;
        StoredForm form = uv.forms.get(at);
        while (form.isDelta()) {
            at = form.parent();
            form = uv.forms.get(at);
        }
        return at;
    }

    @Override
    public VersionInfo putRestored(String user, VersionInfo original, byte[] json) {
        UserVersions uv = loaded(user);
        uv.lock.lock();
        try {
            if (uv.byId.containsKey(original.id())) {
                throw new VersionExistsException(user, original.id());
            }
            VersionInfo draft = new VersionInfo(original.id(), original.createdAt(), original.backupTimestamp(),
                    original.totalRecords(), original.recordsByCollection(), json.length, 0, original.contentHash());
            // restored versions are whole: their neighbours may not be restored, or come later
            VersionInfo stored = write(user, uv, draft, StoredForm.whole(json.length),
                    out -> VersionFile.compressTo(out, json, json.length, zstdLevel));
            uv.latest = new SoftReference<>(null);
            return stored;
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new VersionExistsException(user, original.id());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot restore version " + original.id() + " of user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }

    @Override
    public Set<Long> prune(String user, Set<Long> keep) {
        UserVersions uv = loaded(user);
        uv.lock.lock();
        try {
            // the policy chose from the versions it saw; one stored since (a higher id) is not its to drop:
            // without this bound a concurrent backup could be removed right after its 201 and its id reused
            long newestSeen = keep.stream().mapToLong(Long::longValue).max().orElse(0);
            Set<Long> drop = new java.util.TreeSet<>(uv.byId.headMap(newestSeen, false).keySet());
            drop.removeAll(keep);
            if (drop.isEmpty()) {
                return drop;
            }
            Path dir = versionsDir(user);
            // 1. kept versions built on a dropped one become whole: same content, new form, atomic replace
            for (VersionInfo v : uv.byId.values()) {
                StoredForm form = uv.forms.get(v.id());
                if (keep.contains(v.id()) && form.isDelta() && drop.contains(form.parent())) {
                    byte[] doc = read(user, v.id());
                    Path file = dir.resolve(fileName(v.id()));
                    long size = DurableFiles.replace(file, out -> {
                        out.write(VersionFile.header(v, StoredForm.whole(doc.length)));
                        VersionFile.compressTo(out, doc, doc.length, zstdLevel);
                    });
                    publish(uv, withStoredSize(v, size), StoredForm.whole(doc.length));
                }
            }
            // 2. record the removal before it happens, so verify tells pruned from lost
            Path log = UserIds.directory(dataDir, user).resolve("pruned");
            StringBuilder lines = new StringBuilder();
            for (long id : pruned(user)) {
                lines.append(id).append('\n');
            }
            drop.forEach(id -> lines.append(id).append('\n'));
            DurableFiles.replace(log, lines.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            // 3. remove the files, then forget the versions
            for (long id : drop) {
                Files.deleteIfExists(dir.resolve(fileName(id)));
            }
            DurableFiles.syncDirectory(dir);
            NavigableMap<Long, VersionInfo> next = new TreeMap<>(uv.byId);
            Map<Long, StoredForm> nextForms = new java.util.HashMap<>(uv.forms);
            drop.forEach(id -> {
                next.remove(id);
                nextForms.remove(id);
            });
            uv.forms = Collections.unmodifiableMap(nextForms);
            uv.byId = Collections.unmodifiableNavigableMap(next);
            uv.checkpoint = new SoftReference<>(null);
            LatestLayout latest = uv.latest.get();
            if (latest != null && drop.contains(latest.id())) {
                uv.latest = new SoftReference<>(null);
            }
            return drop;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prune versions of user " + user, e);
        } finally {
            uv.lock.unlock();
        }
    }

    @Override
    public Set<Long> pruned(String user) {
        Path log = UserIds.directory(dataDir, user).resolve("pruned");
        Set<Long> ids = new java.util.TreeSet<>();
        try {
            for (String line : Files.readAllLines(log)) {
                if (!line.isBlank()) {
                    ids.add(Long.parseLong(line.trim()));
                }
            }
        } catch (NoSuchFileException e) {
            return ids;
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("unreadable prune log " + log + ": " + e.getMessage(), e);
        }
        return ids;
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
        UserVersions uv = loaded(user);
        VersionInfo info = uv.byId.get(id);
        if (info == null) {
            throw new IllegalArgumentException("no version " + id);
        }
        Map<Long, StoredForm> forms = uv.forms;
        Deque<Long> deltas = new ArrayDeque<>();
        long at = id;
        LatestLayout newest = uv.latest.get();
        if (newest != null && newest.id() == id && uv.byId.get(id) == info) {
            // the common read, GET of the latest version, costs one copy of the document
            return newest.layout().materialize();
        }
        try {
            while (forms.get(at).isDelta()) {
                deltas.push(at);
                at = forms.get(at).parent();
                if (!forms.containsKey(at)) {
                    throw new IOException("its parent version " + at + " is missing");
                }
            }
            LatestLayout base = uv.checkpoint.get();
            Layout layout;
            if (base != null && base.id() == at) {
                layout = base.layout();
            } else {
                byte[] doc = payload(user, at, uv.byId.get(at).size());
                if (deltas.isEmpty()) {
                    return doc;
                }
                layout = LayoutScanner.scan(doc, doc.length);
                uv.checkpoint = new SoftReference<>(new LatestLayout(at, layout));
            }
            while (!deltas.isEmpty()) {
                long d = deltas.pop();
                layout = DeltaCodec.apply(layout, payload(user, d, forms.get(d).payloadSize()));
            }
            byte[] out = layout.materialize();
            if (out.length != info.size()) {
                throw new IOException("rebuilt " + out.length + " bytes, expected " + info.size());
            }
            return out;
        } catch (IOException | RuntimeException e) {
            throw new DamagedVersionException(user, id, e.getMessage(), e);
        }
    }

    private byte[] payload(String user, long id, long size) throws IOException {
        byte[] bytes = Files.readAllBytes(versionsDir(user).resolve(fileName(id)));
        return VersionFile.decompress(bytes, VersionFile.payloadStart(bytes), size);
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
                    scan(user, uv);
                }
            } finally {
                uv.lock.unlock();
            }
        }
        return uv;
    }

    private void scan(String user, UserVersions uv) {
        NavigableMap<Long, VersionInfo> found = new TreeMap<>();
        Map<Long, StoredForm> forms = new java.util.HashMap<>();
        Path dir = versionsDir(user);
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                if (!VERSION_FILE.matcher(p.getFileName().toString()).matches()) {
                    continue;
                }
                try {
                    byte[] header = readHeaderLine(p);
                    VersionInfo v = VersionFile.parseHeader(header, Files.size(p));
                    found.put(v.id(), v);
                    forms.put(v.id(), VersionFile.parseForm(header, v.size()));
                } catch (IOException | RuntimeException e) {
                    LOG.error("Version file {} has an unreadable header, it is left out: {}", p, e.getMessage());
                }
            }
        } catch (NoSuchFileException e) {
            // no versions yet
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        uv.forms = Collections.unmodifiableMap(forms);
        uv.byId = Collections.unmodifiableNavigableMap(found);
    }

    private static byte[] readHeaderLine(Path file) throws IOException {
        byte[] head;
        try (var in = Files.newInputStream(file)) {
            head = in.readNBytes(VersionFile.MAX_HEADER);
        }
        return java.util.Arrays.copyOf(head, VersionFile.payloadStart(head));
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
