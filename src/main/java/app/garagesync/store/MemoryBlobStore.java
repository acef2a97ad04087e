package app.garagesync.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * Blobs in memory, like restic's mem backend: nothing is durable. It serves the start-up warm-up,
 * which runs the real store code without touching the data directory or its fsync counts.
 */
public final class MemoryBlobStore implements BlobStore {

    private final ConcurrentSkipListMap<String, byte[]> blobs = new ConcurrentSkipListMap<>();

    @Override
    public long create(String key, DurableFiles.Content content) throws IOException {
        byte[] bytes = bytes(content);
        if (blobs.putIfAbsent(key, bytes) != null) {
            throw new BlobExistsException(key);
        }
        return bytes.length;
    }

    @Override
    public long replace(String key, DurableFiles.Content content) throws IOException {
        byte[] bytes = bytes(content);
        blobs.put(key, bytes);
        return bytes.length;
    }

    @Override
    public byte[] read(String key) throws IOException {
        byte[] b = blobs.get(key);
        if (b == null) {
            throw new NoSuchFileException(key);
        }
        return b.clone();
    }

    @Override
    public Tagged readTagged(String key) {
        byte[] b = blobs.get(key);
        return b == null ? null : new Tagged(b.clone(), FileBlobStore.tagOf(b));
    }

    @Override
    public synchronized long replaceIf(String key, String tag, DurableFiles.Content content) throws IOException {
        Tagged now = readTagged(key);
        if (!java.util.Objects.equals(now == null ? null : now.tag(), tag)) {
            throw new BlobChangedException(key);
        }
        return replace(key, content);
    }

    @Override
    public byte[] readHead(String key, int max) throws IOException {
        byte[] b = read(key);
        return b.length <= max ? b : java.util.Arrays.copyOf(b, max);
    }

    @Override
    public Map<String, Long> list(String prefix) {
        Map<String, Long> found = new TreeMap<>();
        for (Map.Entry<String, byte[]> e : blobs.tailMap(prefix).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            String name = e.getKey().substring(prefix.length());
            if (!name.contains("/")) {
                found.put(name, (long) e.getValue().length);
            }
        }
        return found;
    }

    @Override
    public List<String> folders(String prefix) {
        TreeSet<String> found = new TreeSet<>();
        for (String key : blobs.tailMap(prefix).keySet()) {
            if (!key.startsWith(prefix)) {
                break;
            }
            int slash = key.indexOf('/', prefix.length());
            if (slash > 0) {
                found.add(key.substring(prefix.length(), slash));
            }
        }
        return new ArrayList<>(found);
    }

    @Override
    public void delete(String key) {
        blobs.remove(key);
    }

    @Override
    public boolean shared() {
        return false;
    }

    private static byte[] bytes(DurableFiles.Content content) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        content.writeTo(out);
        return out.toByteArray();
    }
}
