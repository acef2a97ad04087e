package app.garagesync.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The small blobs of one folder, appended to one pack file ({@code pack-0000000001.gsp}, records in
 * {@link PackFormat}) instead of a file each, as restic and kopia pack theirs. A new file costs the file
 * system an inode, a directory entry and an fsync of the folder (and, on ext4 without a journal, a walk
 * past every inode freed in the last seconds); an append costs a write and, to be durable, one fdatasync,
 * which concurrent writers of the folder share ({@link DirectoryCommit}).
 *
 * <p>A deletion appends a deletion record. Once the bytes of dead records outweigh the live ones (and a
 * floor), the live records are copied into the next pack file, made durable under a temporary name and
 * renamed, and the old pack is deleted ({@link #compactIfWorth}): prune's work, done by the store. The
 * folder's first use reads its packs in order (a later record of a name wins over an earlier one; more
 * than one pack means a compaction a restart interrupted, finished then), cuts a tail that a power loss left unwritten (a record never
 * acknowledged, since acknowledgement comes after the fdatasync), keeps a record whose header is whole but
 * whose content fails its checksum (reading it reports the damage), and skips bytes whose headers are
 * damaged to the next intact record, with a warning: the blobs there are lost, and the versions above
 * (verify) tell them from pruned ones.
 *
 * <p>One process owns the data directory ({@link DataDirectoryLock}): the index lives in memory, built
 * on the folder's first use.
 */
final class PackFolder {

    private static final Logger LOG = LoggerFactory.getLogger(PackFolder.class);
    static final String PACK_PREFIX = "pack-";
    static final String PACK_SUFFIX = ".gsp";
    /** Dead bytes a pack keeps at least before it is compacted: a small shop's pack is never rewritten for little. */
    static final long COMPACT_FLOOR = 1 << 20;

    /** Where a live blob's content lies. */
    private record Entry(Path pack, long contentAt, int length) {
        long recordSize(String name) {
            return PackFormat.headerSize(name) + (long) length + PackFormat.TRAILER;
        }
    }

    private final Path dir;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private final DirectoryCommit commit;
    private final long compactFloor;
    private Map<String, Entry> live;
    private volatile Path current;
    private long generation;
    private long currentSize;
    private long totalBytes;
    private long liveBytes;
    /** False from the creation of a pack file until an fsync of the folder made its name durable. */
    private volatile boolean named = true;
    /** Records appended since start (blobs and deletions), and how many of them an fdatasync covered. */
    private volatile long appended;
    private long durable;
    private volatile boolean compacting;
    /** True when a blob of this folder was given a file of its own since the folder's last fsync. */
    private volatile boolean looseUnsynced;

    PackFolder(Path dir, long compactFloor) {
        this.dir = dir;
        this.compactFloor = compactFloor;
        this.commit = new DirectoryCommit(dir, d -> syncNow());
    }

    static boolean isPackName(String fileName) {
        return fileName.startsWith(PACK_PREFIX) && fileName.endsWith(PACK_SUFFIX);
    }

    /** Whether {@code name} is a live packed blob. */
    boolean contains(String name) throws IOException {
        loaded();
        lock.readLock().lock();
        try {
            return live.containsKey(name);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Names and content sizes of the live packed blobs. */
    Map<String, Long> list() throws IOException {
        loaded();
        Map<String, Long> out = new TreeMap<>();
        lock.readLock().lock();
        try {
            live.forEach((name, e) -> out.put(name, (long) e.length()));
        } finally {
            lock.readLock().unlock();
        }
        return out;
    }

    /** The blob's content, at most {@code max} bytes of it (checked against its CRC when whole); null when not here. */
    byte[] read(String name, int max) throws IOException {
        loaded();
        lock.readLock().lock();
        try {
            Entry e = live.get(name);
            if (e == null) {
                return null;
            }
            boolean whole = max >= e.length();
            int n = whole ? e.length() : max;
            byte[] out = new byte[n];
            byte[] trailer = new byte[PackFormat.TRAILER];
            try (FileChannel ch = FileChannel.open(e.pack(), StandardOpenOption.READ)) {
                readFully(ch, ByteBuffer.wrap(out), e.contentAt());
                if (whole) {
                    readFully(ch, ByteBuffer.wrap(trailer), e.contentAt() + e.length());
                }
            }
            if (whole && !PackFormat.contentIntact(out, 0, n, trailer)) {
                throw new IOException("damaged: " + name + " in " + e.pack() + " at byte " + e.contentAt()
                        + " does not match its checksum");
            }
            return out;
        } finally {
            lock.readLock().unlock();
        }
    }

    /**
     * Appends {@code content} as blob {@code name}, unless {@code createOnly} and it is already there
     * (false then); not durable until {@link #commit()}. A crash of the process keeps the whole record.
     */
    boolean append(String name, byte[] content, int length, boolean createOnly) throws IOException {
        loaded();
        lock.writeLock().lock();
        try {
            if (createOnly && live.containsKey(name)) {
                return false;
            }
            byte[] header = PackFormat.header(PackFormat.BLOB, name, length);
            long at = write(new ByteBuffer[] {ByteBuffer.wrap(header), ByteBuffer.wrap(content, 0, length),
                    ByteBuffer.wrap(PackFormat.trailer(content, 0, length))}, 1);
            put(name, new Entry(current, at + header.length, length));
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Appends a deletion record for each of {@code names} that is live; false when none was. Then see {@link #commit()}. */
    boolean delete(Collection<String> names) throws IOException {
        loaded();
        lock.writeLock().lock();
        try {
            List<ByteBuffer> records = new ArrayList<>();
            Set<String> dropped = new java.util.LinkedHashSet<>();
            for (String name : names) {
                if (live.containsKey(name) && dropped.add(name)) {
                    byte[] empty = new byte[0];
                    records.add(ByteBuffer.wrap(PackFormat.header(PackFormat.DELETION, name, 0)));
                    records.add(ByteBuffer.wrap(PackFormat.trailer(empty, 0, 0)));
                }
            }
            if (dropped.isEmpty()) {
                return false;
            }
            write(records.toArray(ByteBuffer[]::new), dropped.size());
            dropped.forEach(this::drop);
            return true;
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Notes that a blob of this folder got a file of its own: the next {@link #commit()} fsyncs the folder too. */
    void looseCreated() {
        looseUnsynced = true;
    }

    /**
     * Returns once everything appended here before the call, and every file linked in the folder before it,
     * is durable: one fdatasync of the pack (and an fsync of the folder when a name is new), shared by the
     * writers waiting at the same time.
     */
    void commit() throws IOException {
        commit.sync();
    }

    /**
     * Compacts the pack when its dead records outweigh its live ones and the floor. The bulk of the work
     * (copying the live records, their fsync) is done without the lock, while the user's next backups
     * append to the old pack; the lock is held only to bring the copy up to date and rename it.
     */
    void compactIfWorth() throws IOException {
        loaded();
        Map<String, Entry> snapshot;
        Path from;
        long upTo;
        lock.writeLock().lock();
        try {
            long dead = totalBytes - liveBytes;
            if (compacting || current == null || dead < Math.max(liveBytes, compactFloor)) {
                return;
            }
            compacting = true;
            snapshot = new TreeMap<>(live);
            from = current;
            upTo = currentSize;
        } finally {
            lock.writeLock().unlock();
        }
        try {
            compact(snapshot, from, upTo);
        } finally {
            compacting = false;
        }
    }

    private void syncNow() throws IOException {
        long covered = appended; // read before the fdatasync: what it is sure to cover
        for (int attempt = 0; ; attempt++) {
            Path pack = current;
            if (pack == null) {
                break;
            }
            try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.READ)) {
                ch.force(false);
                DurableFiles.countFileSync();
                break;
            } catch (NoSuchFileException compacted) {
                // a compaction replaced it meanwhile, durably, with what it held: sync the new one
                if (attempt > 2) {
                    throw compacted;
                }
            }
        }
        if (!named || looseUnsynced) {
            looseUnsynced = false;
            DurableFiles.fsyncDirectory(dir);
            named = true;
        }
        madeDurable(covered);
    }

    /** Counts the records made durable up to the {@code upTo}th, for the metrics (one leader syncs at a time). */
    private synchronized void madeDurable(long upTo) {
        if (upTo > durable) {
            DurableFiles.countPackCommits(upTo - durable);
            durable = upTo;
        }
    }

    /**
     * Writes the buffers, {@code records} whole records, at the end of the current pack (made when there is
     * none); returns where they start.
     */
    private long write(ByteBuffer[] buffers, int records) throws IOException {
        if (current == null) {
            generation++;
            current = dir.resolve(packName(generation));
            named = false;
            Files.newByteChannel(current, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    DurableFiles.privateFile()).close();
            currentSize = 0;
        }
        long at = currentSize;
        long total = 0;
        for (ByteBuffer b : buffers) {
            total += b.remaining();
        }
        try (FileChannel ch = FileChannel.open(current, StandardOpenOption.WRITE)) {
            ch.position(at);
            long done = 0;
            while (done < total) {
                done += ch.write(buffers);
            }
        } catch (IOException e) {
            // a part written stays past the end this index knows: the next append writes over it
            throw StoreUnavailableException.of("write " + current, e);
        }
        currentSize = at + total;
        totalBytes += total;
        appended += records;
        return at;
    }

    private void put(String name, Entry entry) {
        Entry before = live.put(name, entry);
        if (before != null) {
            liveBytes -= before.recordSize(name);
        }
        liveBytes += entry.recordSize(name);
    }

    private void drop(String name) {
        Entry gone = live.remove(name);
        if (gone != null) {
            liveBytes -= gone.recordSize(name);
        }
    }

    private static String packName(long generation) {
        String digits = Long.toString(generation);
        return PACK_PREFIX + "0".repeat(Math.max(0, 10 - digits.length())) + digits + PACK_SUFFIX;
    }

    /**
     * Copies the records of {@code snapshot} (the live blobs when the pack {@code from} ended at {@code upTo})
     * into the next pack and fsyncs it, without the lock: the pack below {@code upTo} never changes. Then,
     * under the lock: the old pack made durable (a deletion acknowledged on a later fdatasync of the new pack
     * must not come back from it), the records appended since copied after, and the new pack renamed into
     * place. After the lock: its name made durable, and the old packs deleted. A restart before that reads
     * the old packs, then the new one (the same records, and those appended since), and compacts again.
     */
    private void compact(Map<String, Entry> snapshot, Path from, long upTo) throws IOException {
        long next;
        lock.readLock().lock();
        try {
            next = generation + 1;
        } finally {
            lock.readLock().unlock();
        }
        Path target = dir.resolve(packName(next));
        Path temp = DurableFiles.tempBeside(target);
        Map<String, Entry> moved = new HashMap<>();
        try (FileChannel out = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                DurableFiles.privateFile())) {
            long size = 0;
            Map<Path, FileChannel> sources = new HashMap<>(); // one pack, but several after a restart
            try {
                for (Map.Entry<String, Entry> e : snapshot.entrySet()) {
                    Entry entry = e.getValue();
                    FileChannel in = sources.get(entry.pack());
                    if (in == null) {
                        in = FileChannel.open(entry.pack(), StandardOpenOption.READ);
                        sources.put(entry.pack(), in);
                    }
                    long start = entry.contentAt() - PackFormat.headerSize(e.getKey());
                    long length = entry.recordSize(e.getKey());
                    copy(in, start, length, out, e.getKey());
                    moved.put(e.getKey(), new Entry(target, size + (entry.contentAt() - start), entry.length()));
                    size += length;
                }
            } finally {
                for (FileChannel in : sources.values()) {
                    in.close();
                }
            }
            out.force(true);
            DurableFiles.countFileSync();
            lock.writeLock().lock();
            try {
                try (FileChannel in = FileChannel.open(from, StandardOpenOption.READ)) {
                    in.force(false);
                    DurableFiles.countFileSync();
                    copy(in, upTo, currentSize - upTo, out, "the records appended since");
                }
                long shift = size - upTo;
                Map<String, Entry> now = new HashMap<>();
                for (Map.Entry<String, Entry> e : live.entrySet()) {
                    Entry entry = e.getValue();
                    Entry there = entry.pack().equals(from) && entry.contentAt() >= upTo
                            ? new Entry(target, entry.contentAt() + shift, entry.length())
                            : moved.get(e.getKey());
                    if (there == null) {
                        // a blob changed below the snapshot's end: cannot be (appends go after it); give up, intact
                        throw new IOException("compaction of " + dir + " lost track of " + e.getKey());
                    }
                    now.put(e.getKey(), there);
                }
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                LOG.debug("Compacted {}: {} live blobs in {} bytes, {} dead bytes dropped", dir, now.size(),
                        currentSize + shift, totalBytes - currentSize - shift);
                live = now;
                generation = next;
                current = target;
                currentSize += shift;
                totalBytes = currentSize;
                named = false;
            } finally {
                lock.writeLock().unlock();
            }
        } catch (IOException e) {
            Files.deleteIfExists(temp);
            throw StoreUnavailableException.of("compact the pack in " + dir, e);
        }
        commit(); // the new pack's name and the records copied after the snapshot
        for (Path old : packs()) {
            if (!old.equals(target)) {
                Files.deleteIfExists(old);
            }
        }
    }

    private static void copy(FileChannel in, long start, long length, FileChannel out, String what) throws IOException {
        long copied = 0;
        while (copied < length) {
            long n = in.transferTo(start + copied, length - copied, out);
            if (n <= 0) {
                throw new IOException("pack ends inside " + what);
            }
            copied += n;
        }
    }

    private List<Path> packs() throws IOException {
        List<Path> found = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, PACK_PREFIX + "*" + PACK_SUFFIX)) {
            for (Path p : ds) {
                found.add(p);
            }
        } catch (NoSuchFileException none) {
            return found;
        }
        found.sort(null); // fixed-width generations: name order is generation order
        return found;
    }

    private Map<String, Entry> loaded() throws IOException {
        lock.readLock().lock();
        try {
            if (live != null) {
                return live;
            }
        } finally {
            lock.readLock().unlock();
        }
        lock.writeLock().lock();
        try {
            if (live == null) {
                load();
            }
            return live;
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void load() throws IOException {
        Map<String, Entry> found = new HashMap<>();
        live = found;
        liveBytes = 0;
        totalBytes = 0;
        List<Path> packs;
        try {
            packs = packs();
        } catch (IOException e) {
            live = null;
            throw StoreUnavailableException.of("list " + dir, e);
        }
        if (packs.isEmpty()) {
            return;
        }
        // a pack after the first is a compaction's: the records live when it began, then those appended to the
        // old pack meanwhile (fsynced there first); a restart before the old packs were deleted reads them all,
        // in order, and compacts again
        for (Path pack : packs) {
            String name = pack.getFileName().toString();
            generation = Long.parseLong(name.substring(PACK_PREFIX.length(), name.length() - PACK_SUFFIX.length()));
            current = pack;
            currentSize = scan(pack);
            totalBytes += currentSize;
        }
        if (packs.size() > 1) {
            LOG.info("Finishing the compaction of {} a restart interrupted", dir);
            compact(new TreeMap<>(live), current, currentSize);
        }
    }

    /** Reads one pack's records into the index; returns where the next append goes. */
    private long scan(Path pack) throws IOException {
        // read-only: a store on a disk remounted read-only still serves what it holds
        try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.READ)) {
            long size = ch.size();
            long at = 0;
            long goodEnd = 0;
            byte[] scratch = new byte[1 << 16];
            while (at < size) {
                PackFormat.Header h = headerAt(ch, at, size, scratch);
                if (h == null) {
                    long next = nextIntact(ch, at + 1, size, scratch);
                    if (next < 0) {
                        break; // a tail a power loss cut short: never acknowledged
                    }
                    LOG.warn("Damaged bytes {} to {} of {} skipped: the blobs recorded there are lost", at, next, pack);
                    at = next;
                    continue;
                }
                if (!contentIntact(ch, h, scratch)) {
                    if (h.end() == size) {
                        break; // the last record, its content not all written: a power loss before its fdatasync
                    }
                    // its header is whole: the blob stays listed, and reading it reports the damage
                    LOG.warn("{} of {} does not match its checksum: damaged", h.name(), pack);
                }
                if (h.kind() == PackFormat.BLOB) {
                    put(h.name(), new Entry(pack, h.contentAt(), h.length()));
                } else {
                    drop(h.name());
                }
                at = h.end();
                goodEnd = at;
            }
            if (goodEnd < size) {
                LOG.warn("{} ended with {} bytes of a write a crash interrupted (never acknowledged): cut", pack,
                        size - goodEnd);
                cut(pack, goodEnd);
            }
            return goodEnd;
        } catch (IOException e) {
            live = null;
            throw StoreUnavailableException.of("read " + pack, e);
        }
    }

    /**
     * Cuts the pack at {@code end}. Tidiness only: the next append is written at {@code end} whatever lies
     * beyond, and a restart cuts again what is left; so a refusal (a read-only disk) is only logged.
     */
    private static void cut(Path pack, long end) {
        try (FileChannel ch = FileChannel.open(pack, StandardOpenOption.WRITE)) {
            ch.truncate(end);
            ch.force(true);
        } catch (IOException e) {
            LOG.warn("Could not cut {} at byte {}: {}", pack, end, e.toString());
        }
    }

    /** The header of the record at {@code at} when it is intact and the record ends within the file; null otherwise. */
    private static PackFormat.Header headerAt(FileChannel ch, long at, long size, byte[] scratch) throws IOException {
        int want = (int) Math.min(PackFormat.maxHeader(), size - at);
        ByteBuffer head = ByteBuffer.wrap(scratch, 0, want);
        readFully(ch, head, at);
        PackFormat.Header h = PackFormat.parseHeader(scratch, 0, want, at);
        return h == null || h.end() > size ? null : h;
    }

    private static boolean contentIntact(FileChannel ch, PackFormat.Header h, byte[] scratch) throws IOException {
        // the stream is the channel's: it must not be closed here
        return PackFormat.readIntact(java.nio.channels.Channels.newInputStream(ch.position(h.contentAt())), h.length(),
                scratch);
    }

    /** The record at {@code at} when it is whole and intact; null otherwise. */
    private static PackFormat.Header intactAt(FileChannel ch, long at, long size, byte[] scratch) throws IOException {
        PackFormat.Header h = headerAt(ch, at, size, scratch);
        return h != null && contentIntact(ch, h, scratch) ? h : null;
    }

    /** Where the next intact record after {@code from} starts; -1 when none does. */
    private static long nextIntact(FileChannel ch, long from, long size, byte[] scratch) throws IOException {
        byte[] window = new byte[1 << 16];
        for (long base = from; base < size; base += window.length - 3) {
            int n = (int) Math.min(window.length, size - base);
            readFully(ch, ByteBuffer.wrap(window, 0, n), base);
            for (int i = 0; i + 3 < n; i++) {
                if (window[i] == 'G' && window[i + 1] == 'S' && window[i + 2] == 'P' && window[i + 3] == '1'
                        && intactAt(ch, base + i, size, scratch) != null) {
                    return base + i;
                }
            }
            if (n < window.length) {
                break;
            }
        }
        return -1;
    }

    private static void readFully(FileChannel ch, ByteBuffer into, long at) throws IOException {
        long position = at;
        while (into.hasRemaining()) {
            int n = ch.read(into, position);
            if (n < 0) {
                throw new java.io.EOFException("pack ends at byte " + position);
            }
            position += n;
        }
    }
}
