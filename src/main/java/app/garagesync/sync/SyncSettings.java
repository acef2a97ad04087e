package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.store.DurableFiles;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Per-user automatic sync switch, persisted in {@code <data-dir>/users/<user>/sync.json}. */
public final class SyncSettings {

    private final Path dataDir;
    private final boolean defaultEnabled;
    private final Map<String, Boolean> cache = new ConcurrentHashMap<>();

    public SyncSettings(Path dataDir, boolean defaultEnabled) {
        this.dataDir = dataDir;
        this.defaultEnabled = defaultEnabled;
    }

    public boolean isEnabled(String user) {
        return cache.computeIfAbsent(user, this::load);
    }

    public synchronized void setEnabled(String user, boolean enabled) {
        Path file = file(user);
        try {
            DurableFiles.createDirectories(file.getParent());
            DurableFiles.replace(file, Json.bytes(Map.of("enabled", enabled)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save sync settings of user " + user, e);
        }
        cache.put(user, enabled);
    }

    private boolean load(String user) {
        try {
            Object v = Json.readMap(Files.readAllBytes(file(user))).get("enabled");
            return v instanceof Boolean b ? b : defaultEnabled;
        } catch (NoSuchFileException e) {
            return defaultEnabled;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read sync settings of user " + user, e);
        }
    }

    private Path file(String user) {
        return UserIds.directory(dataDir, user).resolve("sync.json");
    }
}
