package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.store.DurableFiles;
import app.garagesync.store.SharedRecords;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-user automatic sync switch. With a store of its own, the daemon keeps it in
 * {@code <data-dir>/users/<user>/sync.json}; with a store shared by several daemons, in that store
 * ({@code sync/users/<user>/settings.json}, written with a conditional write), so that a switch flipped
 * through one daemon holds on every other within {@code garagesync.shared.cache-ttl}.
 */
public final class SyncSettings {

    private final Path dataDir;
    private final SharedRecords shared;
    private final boolean defaultEnabled;
    private final Map<String, Boolean> cache = new ConcurrentHashMap<>();

    public SyncSettings(Path dataDir, boolean defaultEnabled) {
        this(dataDir, null, defaultEnabled);
    }

    /** {@code shared}: the records of a shared store, or null for the data directory's files. */
    public SyncSettings(Path dataDir, SharedRecords shared, boolean defaultEnabled) {
        this.dataDir = dataDir;
        this.shared = shared;
        this.defaultEnabled = defaultEnabled;
    }

    public boolean isEnabled(String user) {
        if (shared != null) {
            try {
                return parse(shared.read(sharedKey(user)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read sync settings of user " + user, e);
            }
        }
        return cache.computeIfAbsent(user, this::load);
    }

    public synchronized void setEnabled(String user, boolean enabled) {
        byte[] content = Json.bytes(Map.of("enabled", enabled));
        try {
            if (shared != null) {
                shared.update(sharedKey(user), now -> content);
                return;
            }
            Path file = file(user);
            DurableFiles.createDirectories(file.getParent());
            DurableFiles.replace(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save sync settings of user " + user, e);
        }
        cache.put(user, enabled);
    }

    private boolean load(String user) {
        try {
            return parse(Files.readAllBytes(file(user)));
        } catch (NoSuchFileException e) {
            return defaultEnabled;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sync settings of user " + user, e);
        }
    }

    private boolean parse(byte[] json) throws IOException {
        if (json == null) {
            return defaultEnabled;
        }
        Object v = Json.readMap(json).get("enabled");
        return v instanceof Boolean b ? b : defaultEnabled;
    }

    private Path file(String user) {
        return UserIds.directory(dataDir, user).resolve("sync.json");
    }

    static String sharedKey(String user) {
        return "sync/users/" + UserIds.require(user) + "/settings.json";
    }
}
