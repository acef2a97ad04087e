package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.store.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What each target was handed, per user: every version up to {@code through} was either confirmed by the
 * target or written to the spool (which replays it). One small file per target,
 * {@code <data-dir>/sync/targets/<target>.json}, replaced durably, and only when something changed: a tick
 * with nothing new writes nothing. Losing it costs a re-push, never data (target writes are by key).
 */
public final class TargetLedger {

    /** {@code syncedAt}: when a sync last left the target holding everything the user had. */
    public record Mark(long through, Instant syncedAt) {
    }

    private final Path dir;
    private final Map<String, Map<String, Mark>> byTarget = new ConcurrentHashMap<>();

    public TargetLedger(Path dataDir) {
        this.dir = dataDir.resolve("sync").resolve("targets");
    }

    public Mark mark(String target, String user) {
        Mark m = loaded(target).get(user);
        return m == null ? new Mark(0, null) : m;
    }

    public synchronized void record(String target, String user, Mark mark) {
        Map<String, Mark> marks = loaded(target);
        if (mark.equals(marks.get(user))) {
            return;
        }
        Map<String, Mark> next = new TreeMap<>(marks);
        next.put(user, mark);
        Map<String, Object> doc = new LinkedHashMap<>();
        Map<String, Object> users = new LinkedHashMap<>();
        next.forEach((u, m) -> {
            Map<String, Object> one = new LinkedHashMap<>();
            one.put("through", m.through());
            one.put("syncedAt", m.syncedAt() == null ? null : m.syncedAt().toString());
            users.put(u, one);
        });
        doc.put("users", users);
        try {
            DurableFiles.createDirectories(dir);
            DurableFiles.replace(dir.resolve(target + ".json"), Json.bytes(doc));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the sync state of target " + target, e);
        }
        byTarget.put(target, Map.copyOf(next));
    }

    private Map<String, Mark> loaded(String target) {
        return byTarget.computeIfAbsent(target, this::load);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Mark> load(String target) {
        try {
            Map<String, Object> doc = Json.readMap(Files.readAllBytes(dir.resolve(target + ".json")));
            Map<String, Mark> marks = new TreeMap<>();
            ((Map<String, Map<String, Object>>) doc.getOrDefault("users", Map.of())).forEach((u, m) -> {
                Object at = m.get("syncedAt");
                marks.put(u, new Mark(((Number) m.get("through")).longValue(),
                        at == null ? null : Instant.parse((String) at)));
            });
            return Map.copyOf(marks);
        } catch (NoSuchFileException e) {
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the sync state of target " + target, e);
        }
    }
}
