package app.garagesync.store;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link BlobStore} (a decorator, restic's way) that remembers the folders where the storage refused
 * an operation ({@link StoreUnavailableException}) and can probe them, so health writes where writes go
 * instead of trusting "the data directory exists": the users folder always, and each folder that failed
 * since. A folder is forgotten as soon as a write there, or a probe of it, goes through.
 */
public final class WatchedBlobStore implements BlobStore {

    /** What a probe writes and removes: a temporary name, which listings skip and start-up removes. */
    static final String PROBE = DurableFiles.TEMP_PREFIX + "health-probe";
    private static final String USERS = "users/";
    /** Enough to tell the operator; past it, health is DOWN already, and more would only cost probes. */
    private static final int MAX_REMEMBERED = 16;
    private static final byte[] PROBE_BYTES = {'o', 'k', '\n'};

    private final BlobStore blobs;
    private final Map<String, String> failing = new ConcurrentHashMap<>();

    public WatchedBlobStore(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** The outcome of a probe: where writes failed (folders, for the log) and why, in a few words. */
    public record Probe(Map<String, String> failures) {
        public boolean up() {
            return failures.isEmpty();
        }
    }

    /**
     * Writes and removes a small blob in the users folder and in each folder remembered as failing. Blocks
     * for as long as the storage takes to answer: call it off the HTTP event loop.
     */
    public Probe probe() {
        List<String> folders = new ArrayList<>();
        folders.add(USERS);
        failing.keySet().stream().filter(f -> !f.equals(USERS)).sorted().forEach(folders::add);
        Map<String, String> failures = new LinkedHashMap<>();
        for (String folder : folders) {
            try {
                blobs.replace(folder + PROBE, out -> out.write(PROBE_BYTES));
                blobs.delete(folder + PROBE);
                failing.remove(folder);
            } catch (StoreUnavailableException e) {
                failures.put(folder, e.reason());
            } catch (IOException | RuntimeException e) {
                failures.put(folder, e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
        return new Probe(failures);
    }

    @Override
    public long create(String key, DurableFiles.Content content) throws IOException {
        return write(key, () -> blobs.create(key, content));
    }

    @Override
    public long createUncommitted(String key, DurableFiles.Content content) throws IOException {
        return write(key, () -> blobs.createUncommitted(key, content));
    }

    @Override
    public void commitCreated(String key) throws IOException {
        write(key, () -> {
            blobs.commitCreated(key);
            return 0L;
        });
    }

    @Override
    public long replace(String key, DurableFiles.Content content) throws IOException {
        return write(key, () -> blobs.replace(key, content));
    }

    @Override
    public long replaceAtomically(String key, DurableFiles.Content content) throws IOException {
        return write(key, () -> blobs.replaceAtomically(key, content));
    }

    @Override
    public long append(String key, byte[] bytes) throws IOException {
        return write(key, () -> blobs.append(key, bytes));
    }

    @Override
    public long overwrite(String key, byte[] bytes) throws IOException {
        return write(key, () -> blobs.overwrite(key, bytes));
    }

    @Override
    public long replaceIf(String key, String tag, DurableFiles.Content content) throws IOException {
        return write(key, () -> blobs.replaceIf(key, tag, content));
    }

    @Override
    public byte[] read(String key) throws IOException {
        return watched(folderOf(key), () -> blobs.read(key));
    }

    @Override
    public Tagged readTagged(String key) throws IOException {
        return watched(folderOf(key), () -> blobs.readTagged(key));
    }

    @Override
    public byte[] readHead(String key, int max) throws IOException {
        return watched(folderOf(key), () -> blobs.readHead(key, max));
    }

    @Override
    public Map<String, Long> list(String prefix) throws IOException {
        return watched(prefix, () -> blobs.list(prefix));
    }

    @Override
    public List<String> folders(String prefix) throws IOException {
        return watched(prefix, () -> blobs.folders(prefix));
    }

    @Override
    public void delete(String key) throws IOException {
        watched(folderOf(key), () -> {
            blobs.delete(key);
            return null;
        });
    }

    @Override
    public void deleteAll(java.util.Collection<String> keys) throws IOException {
        if (keys.isEmpty()) {
            return;
        }
        watched(folderOf(keys.iterator().next()), () -> {
            blobs.deleteAll(keys);
            return null;
        });
    }

    @Override
    public void tidy(String prefix) throws IOException {
        watched(prefix, () -> {
            blobs.tidy(prefix);
            return null;
        });
    }

    @Override
    public void makeDurable(String key) throws IOException {
        watched(folderOf(key), () -> {
            blobs.makeDurable(key);
            return null;
        });
    }

    /** One call to the store; a storage failure is remembered for health under its folder. */
    private <T> T watched(String folder, IoCall<T> call) throws IOException {
        try {
            return call.run();
        } catch (StoreUnavailableException e) {
            throw remembered(folder, e);
        }
    }

    /** A write: one that goes through shows its folder writable again. */
    private long write(String key, IoCall<Long> call) throws IOException {
        long size = watched(folderOf(key), call);
        failing.remove(folderOf(key));
        return size;
    }

    private interface IoCall<T> {
        T run() throws IOException;
    }

    @Override
    public boolean shared() {
        return blobs.shared();
    }

    private StoreUnavailableException remembered(String folder, StoreUnavailableException e) {
        if (failing.size() < MAX_REMEMBERED || failing.containsKey(folder)) {
            failing.put(folder, e.reason());
        }
        return e;
    }

    /** "users/anna/versions/" for "users/anna/versions/0000000001.gsv"; "" for a key at the top. */
    private static String folderOf(String key) {
        return key.substring(0, key.lastIndexOf('/') + 1);
    }
}
