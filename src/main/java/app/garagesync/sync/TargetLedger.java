package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.store.DurableFiles;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * What each target holds, per user, as far as this daemon knows: every object the target confirmed
 * (by key: a version may briefly have two, its old form and its new one) and the ids the last index it
 * confirmed lists. One small file per target and user, {@code <data-dir>/sync/targets/<target>/<user>.json},
 * replaced durably and only when something changed: a tick with nothing new writes nothing.
 *
 * <p>Losing it costs one read of the target's index, which tells the same (an unknown user is adopted
 * from it before anything is sent); objects confirmed after the last index write are then sent again,
 * which is harmless (same key, same bytes).
 */
public final class TargetLedger {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TargetLedger.class);

    /**
     * @param known    false until this daemon wrote or read the target's index for the user
     * @param listed   the keys of the objects the target's index lists, as last confirmed
     * @param objects  the objects the target confirmed, by key
     * @param syncedAt when a sync last left the target holding exactly the user's versions
     */
    public record Mark(boolean known, Set<String> listed, Map<String, RemoteObject> objects, Instant syncedAt) {

        static final Mark UNKNOWN = new Mark(false, Set.of(), Map.of(), null);

        /** True when the target holds exactly these versions, one object each, and its index says so. */
        boolean mirrors(Set<Long> local) {
            if (!known || objects.size() != local.size() || !objects.keySet().equals(listed)) {
                return false;
            }
            return objects.values().stream().map(RemoteObject::id).collect(Collectors.toSet()).equals(local);
        }

        /** Ids of the versions the target's index lists. */
        Set<Long> listedIds() {
            Set<Long> ids = new TreeSet<>();
            objects.forEach((k, o) -> {
                if (listed.contains(k)) {
                    ids.add(o.id());
                }
            });
            return ids;
        }

        Mark withObject(String key, RemoteObject o) {
            Map<String, RemoteObject> next = new TreeMap<>(objects);
            next.put(key, o);
            return new Mark(known, listed, Map.copyOf(next), syncedAt);
        }

        Mark withoutObject(String key) {
            Map<String, RemoteObject> next = new TreeMap<>(objects);
            next.remove(key);
            return new Mark(known, listed, Map.copyOf(next), syncedAt);
        }

        Mark withIndex(Set<String> keys) {
            return new Mark(true, Set.copyOf(keys), objects, syncedAt);
        }

        Mark withSyncedAt(Instant at) {
            return new Mark(known, listed, objects, at);
        }
    }

    private final Path dir;
    private final Map<String, Mark> marks = new ConcurrentHashMap<>();

    public TargetLedger(Path dataDir) {
        this.dir = dataDir.resolve("sync").resolve("targets");
        removeLeftoverTemporaries();
    }

    /** A kill between writing a mark's temporary file and renaming it leaves the temporary behind. */
    private void removeLeftoverTemporaries() {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir, 2)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                if (f.getFileName().toString().startsWith(DurableFiles.TEMP_PREFIX) && Files.isRegularFile(f)) {
                    Files.deleteIfExists(f);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot clean temporary files in " + dir, e);
        }
    }

    public Mark mark(String target, String user) {
        return marks.computeIfAbsent(target + "/" + UserIds.require(user), k -> load(target, user));
    }

    /** Applies {@code change} to the user's mark, saving it durably first when it changed. */
    public synchronized Mark update(String target, String user, UnaryOperator<Mark> change) {
        Mark before = mark(target, user);
        Mark after = change.apply(before);
        if (after.equals(before)) {
            return before;
        }
        try {
            Path folder = dir.resolve(target);
            DurableFiles.createDirectories(folder);
            DurableFiles.replace(folder.resolve(UserIds.require(user) + ".json"), Json.bytes(toMap(after)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the sync state of target " + target, e);
        }
        marks.put(target + "/" + user, after);
        return after;
    }

    /**
     * Forgets what this daemon knew the target held for the user: another daemon synced the user meanwhile
     * (it held their lease), so the target's index is read again before anything is sent or deleted.
     */
    public synchronized void forget(String target, String user) {
        try {
            Files.deleteIfExists(dir.resolve(target).resolve(UserIds.require(user) + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot reset the sync state of target " + target, e);
        }
        marks.put(target + "/" + user, Mark.UNKNOWN);
    }

    /** Takes what the target's index lists as held, keeping objects confirmed meanwhile. */
    Mark adopt(String target, String user, List<RemoteObject> listed) {
        return update(target, user, m -> {
            Map<String, RemoteObject> objects = new TreeMap<>(m.objects());
            Set<String> keys = new TreeSet<>();
            for (RemoteObject o : listed) {
                objects.put(o.key(user), o);
                keys.add(o.key(user));
            }
            return new Mark(true, Set.copyOf(keys), Map.copyOf(objects), m.syncedAt());
        });
    }

    private static Map<String, Object> toMap(Mark m) {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("syncedAt", m.syncedAt() == null ? null : m.syncedAt().toString());
        doc.put("listed", new TreeSet<>(m.listed()));
        List<Map<String, Object>> objects = new ArrayList<>();
        m.objects().values().forEach(o -> objects.add(o.toMap()));
        doc.put("objects", objects);
        return doc;
    }

    @SuppressWarnings("unchecked")
    private Mark load(String target, String user) {
        Path file = dir.resolve(target).resolve(UserIds.require(user) + ".json");
        try {
            Map<String, Object> doc = Json.readMap(Files.readAllBytes(file));
            Set<String> listed = new TreeSet<>((List<String>) doc.getOrDefault("listed", List.of()));
            Map<String, RemoteObject> objects = new TreeMap<>();
            for (Map<String, Object> o : (List<Map<String, Object>>) doc.getOrDefault("objects", List.of())) {
                RemoteObject ro = RemoteObject.fromMap(o);
                objects.put(ro.key(user), ro);
            }
            Object at = doc.get("syncedAt");
            return new Mark(true, Set.copyOf(listed), Map.copyOf(objects), at == null ? null : Instant.parse((String) at));
        } catch (NoSuchFileException e) {
            return Mark.UNKNOWN;
        } catch (IOException | RuntimeException e) {
            // the target's index tells the same: read it again rather than stop syncing this user
            LOG.warn("Sync state {} is unreadable ({}); the target's index is read again", file, e.getMessage());
            return Mark.UNKNOWN;
        }
    }
}
