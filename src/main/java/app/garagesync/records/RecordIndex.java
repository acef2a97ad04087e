package app.garagesync.records;

import app.garagesync.Json;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.backup.Retention;
import app.garagesync.records.UserRecordIndex.Change;
import app.garagesync.records.UserRecordIndex.Ref;
import app.garagesync.store.BackupStore;
import app.garagesync.store.DamagedVersionException;
import app.garagesync.store.UserIds;
import app.garagesync.store.VersionInfo;
import com.fasterxml.jackson.core.type.TypeReference;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.zip.CRC32;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The per-user record index: for every record, the versions in which it was inserted, changed or deleted,
 * so that a record's history or a diff of two versions reads the index, never every version.
 *
 * <p>It is a cache, like the layout indexes in {@code cache/layouts}: a local file per user,
 * {@code <data-dir>/cache/records/<user>.jsonl}, never the only copy of anything, and kept local in S3
 * mode too. Everything in it is derived from the stored versions, so a daemon sharing an S3 store builds
 * and maintains its own from the versions it lists, and no second writer of shared index blobs can ever
 * disagree with the versions themselves. Versions are read oldest first ({@link VersionWalk}): a version
 * stored as a delta of the one read before is rebuilt from it, so only the records its delta touched are
 * parsed and hashed; a checkpoint or a first version is looked at record by record.
 *
 * <p>Kept in step: a write flow (backup, patch, import, merge, record restore) hands its new version to
 * {@link #follow}, which indexes it when the caller's index exists (an index is only built the first time
 * somebody asks for records); and every read first indexes what it lacks: versions another daemon
 * stored, a version whose follow a crash cut short, versions restored from off-site (the index is then
 * rebuilt). Versions removed by retention are dropped from it, their changes counting in the next
 * version kept; older history is then gone, and answers say which versions they span.
 *
 * <p>File format, one JSON array per line, appended a block per version: {@code ["V",version]}, one
 * {@code [collection,key,hash|null,offset,length]} per record that changed there, {@code ["E",version,crc32]}. A block
 * whose end is missing or whose CRC does not match (a torn append) and everything after it are indexed
 * again from the versions; a file that does not start right is rebuilt whole.
 *
 * <p>Next to it, {@code <user>.records} holds a copy of the bytes of each record in each version where it
 * changed, appended as versions are indexed; a block's line says where ({@code [collection,key,hash,
 * offset,length]}). A history then reads a few hundred bytes per entry instead of parsing a whole version
 * for each (a 5 MB garage: tens of milliseconds a version). A copy is used only when its hash is the one
 * indexed: a torn, damaged or missing record file costs time (the version is read instead), never a wrong
 * answer. It is started again when the index is built whole, and otherwise only grows, by the records
 * that change.
 */
public final class RecordIndex {

    private static final Logger LOG = LoggerFactory.getLogger(RecordIndex.class);
    /** 2: each line of a block says where the copy of the record's bytes is in the record file */
    private static final int FORMAT = 2;
    private static final TypeReference<List<Object>> LINE = new TypeReference<>() {
    };

    private final BackupStore store;
    private final Path dir;
    private final Map<String, UserRecordIndex> users = new ConcurrentHashMap<>();

    public RecordIndex(BackupStore store, Path dir) {
        this.store = store;
        this.dir = dir;
    }

    /**
     * For the write flows: whether the request stored a version the caller's record index should follow.
     * A user nobody asked records of has no index, and the write then costs nothing more.
     */
    public boolean isKept(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        return user != null && exchange.getProperty(Retention.NEW_VERSION) != null
                && (users.containsKey(user) || Files.exists(file(user)));
    }

    /** Indexes the caller's new version (called off the request's path, after {@link #isKept}). */
    public void follow(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        try {
            read(user, i -> null);
        } catch (RuntimeException e) {
            // a cache: the next read catches up instead
            LOG.info("The record index of user {} did not follow the new version: {}", user, e.getMessage());
        }
    }

    /** Brings the user's index in step with the stored versions and answers from it, under its lock. */
    <T> T read(String user, Function<UserRecordIndex, T> answer) {
        UserRecordIndex index = users.computeIfAbsent(UserIds.require(user), u -> new UserRecordIndex());
        index.lock.lock();
        try {
            if (!index.ready) {
                load(user, index);
                index.ready = true;
            } else if (!index.covered.isEmpty() && !Files.exists(file(user))) {
                rewrite(user, index); // somebody deleted the cache file: written again from memory
            }
            long tw = System.nanoTime(); long tc = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
            catchUp(user, index);
            System.out.printf("TIMING catchUp wall %d ms cpu %d ms%n", (System.nanoTime() - tw) / 1000000, (java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() - tc) / 1000000); // TEMP
            return answer.apply(index);
        } finally {
            index.lock.unlock();
        }
    }

    private void catchUp(String user, UserRecordIndex index) {
        java.util.NavigableMap<Long, String> damaged = store.damaged(user);
        NavigableSet<Long> stored = new TreeSet<>();
        for (VersionInfo v : store.versions(user)) {
            if (!damaged.containsKey(v.id())) {
                stored.add(v.id());
            }
        }
        if (!index.covered.isEmpty() && !stored.containsAll(index.covered)) {
            index.keepOnly(stored);
            rewrite(user, index);
        }
        if (!index.covered.isEmpty()) {
            for (long v : stored.headSet(index.covered.last(), false)) {
                if (!index.covered.contains(v) && !index.unreadable.contains(v)) {
                    // an older version appeared (restored from off-site): its place in history is rebuilt
                    LOG.info("Version {} of user {} is new to its record index: rebuilding the index", v, user);
                    index.clear();
                    index.ready = true;
                    break;
                }
            }
        }
        boolean fresh = index.covered.isEmpty();
        NavigableSet<Long> missing = index.covered.isEmpty() ? stored : stored.tailSet(index.covered.last(), false);
        if (fresh) {
            // numbers start at 1 and are never given twice: a first version above 1 means older ones were removed
            index.prunedBefore = !missing.isEmpty() && missing.first() > 1;
            startCopies(user, index);
        }
        VersionWalk walk = new VersionWalk(store, user);
        for (long v : missing) {
            if (index.unreadable.contains(v)) {
                continue;
            }
            VersionWalk.Step step;
            try {
                step = walk.next(v);
            } catch (DamagedVersionException e) {
                index.unreadable.add(v);
                continue;
            }
            List<Change> block;
            try (Copier copier = new Copier(user, index)) {
                block = index.add(v, step.fresh(), step.present(), step.gone(), copier);
            }
            if (!fresh) {
                append(user, v, block);
            } // a fresh index is written whole below, once
        }
        if (fresh && !index.covered.isEmpty()) {
            rewrite(user, index);
        }
    }

    /** Each record of a version: the hash of its exact bytes, and where they are. */
    static Map<Ref, UserRecordIndex.Seen> seen(RecordSpans spans) {
        MessageDigest sha = sha256();
        Map<Ref, UserRecordIndex.Seen> out = new HashMap<>();
        spans.collections.forEach((name, c) -> c.records().forEach((key, s) -> {
            sha.update(spans.doc, s.start(), s.end() - s.start());
            out.put(new Ref(name, key), new UserRecordIndex.Seen(fold(sha.digest()), spans.doc, s.start(), s.end()));
        }));
        return out;
    }

    // ---- the record file: copies of the records' bytes ----

    Path copies(String user) {
        return dir.resolve(UserIds.require(user) + ".records");
    }

    /** An index built whole starts a new record file. */
    private void startCopies(String user, UserRecordIndex index) {
        try {
            Files.deleteIfExists(copies(user));
        } catch (IOException e) {
            LOG.info("Could not start the record file of user {} again: {}", user, e.getMessage());
        }
        index.copiesLength = 0;
    }

    /** Appends the bytes of one version's changed records to the record file, in one stream. */
    private final class Copier implements UserRecordIndex.Copies, AutoCloseable {
        private final String user;
        private final UserRecordIndex index;
        private java.io.OutputStream out;
        private long written;
        private boolean failed;

        Copier(String user, UserRecordIndex index) {
            this.user = user;
            this.index = index;
        }

        @Override
        public long keep(UserRecordIndex.Seen record) {
            if (failed) {
                return RecordChanges.UNKNOWN;
            }
            try {
                if (out == null) {
                    Files.createDirectories(dir);
                    out = new java.io.BufferedOutputStream(Files.newOutputStream(copies(user),
                            StandardOpenOption.CREATE, StandardOpenOption.APPEND), 1 << 16);
                }
                long at = index.copiesLength + written;
                out.write(record.buffer(), record.start(), record.end() - record.start());
                written += record.end() - record.start();
                return at;
            } catch (IOException e) {
                failed = true;
                LOG.info("Could not copy records to the record file of user {}: {}", user, e.getMessage());
                return RecordChanges.UNKNOWN;
            }
        }

        @Override
        public void close() {
            if (out == null) {
                return;
            }
            try {
                out.close();
            } catch (IOException e) {
                failed = true;
            }
            try {
                // what the file really holds: a failed write leaves offsets the hash check refuses
                index.copiesLength = Files.size(copies(user));
            } catch (IOException e) {
                index.copiesLength += written;
            }
        }
    }

    /** Reads copies of records' bytes from the user's record file, the file opened once (see {@link #copy}). */
    final class CopyReader implements AutoCloseable {
        private final String user;
        private java.nio.channels.FileChannel channel;
        private boolean missing;

        CopyReader(String user) {
            this.user = user;
        }

        /**
         * The bytes of a record as indexed: read from the record file when its copy is there and hashes to
         * {@code hash}; null when it is not (the caller reads the version).
         */
        byte[] copy(long offset, int length, long hash) {
            if (offset < 0 || hash == RecordChanges.ABSENT || missing) {
                return null;
            }
            try {
                if (channel == null) {
                    channel = java.nio.channels.FileChannel.open(copies(user), StandardOpenOption.READ);
                }
                java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(length);
                while (b.hasRemaining()) {
                    if (channel.read(b, offset + b.position()) < 0) {
                        return null;
                    }
                }
                return hash(b.array()) == hash ? b.array() : null;
            } catch (IOException | RuntimeException e) {
                missing = true;
                return null;
            }
        }

        @Override
        public void close() {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException e) {
                // read only: nothing was lost
            }
        }
    }

    /** A reader of the user's copies of records' bytes, to close after use. */
    CopyReader copyReader(String user) {
        return new CopyReader(user);
    }

    /** A record's hash: 64 bits of the SHA-256 of its bytes, never {@link RecordChanges#ABSENT}. */
    static long hash(byte[] record) {
        return fold(sha256().digest(record));
    }

    static long fold(byte[] digest) {
        long h = 0;
        for (int i = 0; i < 8; i++) {
            h = (h << 8) | (digest[i] & 0xFF);
        }
        return h == RecordChanges.ABSENT ? 1 : h;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- the file ----

    Path file(String user) {
        return dir.resolve(UserIds.require(user) + ".jsonl");
    }

    private void load(String user, UserRecordIndex index) {
        index.clear();
        List<String> lines;
        try {
            lines = Files.readAllLines(file(user), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return;
        } catch (IOException | RuntimeException e) {
            LOG.info("The record index of user {} does not read ({}): rebuilding it", user, e.getMessage());
            return;
        }
        try {
            List<Object> header = Json.MAPPER.readValue(lines.get(0), LINE);
            if (!"H".equals(header.get(0)) || !Integer.valueOf(FORMAT).equals(((Number) header.get(1)).intValue())) {
                throw new IllegalArgumentException("not a record index");
            }
            index.prunedBefore = Boolean.TRUE.equals(header.get(2));
            index.copiesLength = Files.exists(copies(user)) ? Files.size(copies(user)) : 0;
        } catch (IOException | RuntimeException e) {
            LOG.info("The record index of user {} is damaged ({}): rebuilding it", user, e.getMessage());
            return;
        }
        int i = 1;
        int good = 1;
        try {
            while (i < lines.size()) {
                List<Object> start = Json.MAPPER.readValue(lines.get(i), LINE);
                long v = ((Number) start.get(1)).longValue();
                if (!"V".equals(start.get(0)) || !index.covered.isEmpty() && v <= index.covered.last()) {
                    throw new IllegalArgumentException("a block out of order");
                }
                CRC32 crc = new CRC32();
                List<Change> block = new ArrayList<>();
                crc.update(lines.get(i).getBytes(StandardCharsets.UTF_8));
                int j = i + 1;
                for (; ; j++) {
                    List<Object> line = Json.MAPPER.readValue(lines.get(j), LINE);
                    if ("E".equals(line.get(0)) && line.size() == 3) {
                        if (((Number) line.get(1)).longValue() != v || ((Number) line.get(2)).longValue() != crc.getValue()) {
                            throw new IllegalArgumentException("block of version " + v + " does not match its check");
                        }
                        break;
                    }
                    crc.update(lines.get(j).getBytes(StandardCharsets.UTF_8));
                    Object hash = line.get(2);
                    block.add(new Change(new Ref((String) line.get(0), (String) line.get(1)),
                            hash == null ? RecordChanges.ABSENT : Long.parseUnsignedLong((String) hash, 16),
                            ((Number) line.get(3)).longValue(), ((Number) line.get(4)).intValue()));
                }
                index.replay(v, block);
                i = j + 1;
                good = i;
            }
        } catch (IOException | RuntimeException e) {
            // a torn last append, or damage: what follows is indexed again from the versions
            LOG.info("The record index of user {} is cut short after line {} ({}): the rest is indexed again", user,
                    good, e.getMessage());
            rewrite(user, index);
        }
    }

    private void append(String user, long v, List<Change> block) {
        try {
            Files.createDirectories(dir);
            try (Writer w = new BufferedWriter(new OutputStreamWriter(Files.newOutputStream(file(user),
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND), StandardCharsets.UTF_8))) {
                writeBlock(w, v, block);
            }
        } catch (IOException e) {
            LOG.info("Could not append to the record index of user {}: {}", user, e.getMessage());
        }
    }

    /** Writes the whole index to a new file that replaces the old one at once. */
    private void rewrite(String user, UserRecordIndex index) {
        Path file = file(user);
        try {
            Files.createDirectories(dir);
            Path temp = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer w = Files.newBufferedWriter(temp, StandardCharsets.UTF_8)) {
                w.write(Json.write(List.of("H", FORMAT, index.prunedBefore)));
                w.write('\n');
                for (Map.Entry<Long, List<Change>> b : index.blocks().entrySet()) {
                    writeBlock(w, b.getKey(), b.getValue());
                }
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.info("Could not write the record index of user {}: {}", user, e.getMessage());
        }
    }

    private static void writeBlock(Writer w, long v, List<Change> block) throws IOException {
        CRC32 crc = new CRC32();
        StringBuilder b = new StringBuilder();
        String start = Json.write(List.of("V", v));
        crc.update(start.getBytes(StandardCharsets.UTF_8));
        b.append(start).append('\n');
        for (Change c : block) {
            List<Object> line = new ArrayList<>(5);
            line.add(c.ref().collection());
            line.add(c.ref().key());
            line.add(c.hash() == RecordChanges.ABSENT ? null : Long.toHexString(c.hash()));
            line.add(c.offset());
            line.add(c.length());
            String s = Json.write(line);
            crc.update(s.getBytes(StandardCharsets.UTF_8));
            b.append(s).append('\n');
        }
        b.append(Json.write(List.of("E", v, crc.getValue()))).append('\n');
        w.write(b.toString()); // one write per block: a crash tears at most this block
    }

    /** Forgets what is in memory, so that the next read loads the file again (tests; a deleted file). */
    void forget(String user) {
        users.remove(user);
    }
}
