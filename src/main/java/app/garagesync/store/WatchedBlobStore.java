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
        try {
            long size = blobs.create(key, content);
            failing.remove(folderOf(key));
            return size;
        } catch (StoreUnavailableException e) {
            throw remembered(folderOf(key), e);
        }
    }

    @Override
    public long replace(String key, DurableFiles.Content content) throws IOException {
        try {
            long size = blobs.replace(key, content);
            failing.remove(folderOf(key));
            return size;
        } catch (StoreUnavailableException e) {
            throw remembered(folderOf(key), e);
        }
    }

    @Override
    public byte[] read(String key) throws IOException {
        try {
            return blobs.read(key);
        } catch (StoreUnavailableException e) {
            throw remembered(folderOf(key), e);
        }
    }

    @Override
    public byte[] readHead(String key, int max) throws IOException {
        try {
            return blobs.readHead(key, max);
        } catch (StoreUnavailableException e) {
            throw remembered(folderOf(key), e);
        }
    }

    @Override
    public Map<String, Long> list(String prefix) throws IOException {
        try {
            return blobs.list(prefix);
        } catch (StoreUnavailableException e) {
            throw remembered(prefix, e);
        }
    }

    @Override
    public List<String> folders(String prefix) throws IOException {
        try {
            return blobs.folders(prefix);
        } catch (StoreUnavailableException e) {
            throw remembered(prefix, e);
        }
    }

    @Override
    public void delete(String key) throws IOException {
        try {
            blobs.delete(key);
        } catch (StoreUnavailableException e) {
            throw remembered(folderOf(key), e);
        }
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
