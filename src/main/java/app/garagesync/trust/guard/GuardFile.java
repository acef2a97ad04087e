package app.garagesync.trust.guard;

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
import java.util.TreeMap;

/**
 * A user's flagged versions and how far the guard has looked, in {@code <data-dir>/users/<user>/guard.json}
 * beside the sync switch: the flag and the owner's confirmation survive a restart, and this daemon's
 * off-site hold with them. Written (durably, by replace) only when a flag is added or confirmed.
 */
final class GuardFile {

    /** What the guard knows of one user. {@code checkedThrough}: every version up to it has been judged. */
    record State(long checkedThrough, TreeMap<Long, Anomaly> anomalies) {
    }

    private final Path dataDir;

    GuardFile(Path dataDir) {
        this.dataDir = dataDir;
    }

    State load(String user) {
        Map<String, Object> m;
        try {
            m = Json.readMap(Files.readAllBytes(file(user)));
        } catch (NoSuchFileException e) {
            return new State(0, new TreeMap<>());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the guard's flags of user " + user, e);
        }
        TreeMap<Long, Anomaly> anomalies = new TreeMap<>();
        for (Object o : (List<?>) m.getOrDefault("anomalies", List.of())) {
            Map<?, ?> a = (Map<?, ?>) o;
            Map<String, Anomaly.Drop> drops = new LinkedHashMap<>();
            ((Map<?, ?>) a.get("collections")).forEach((name, c) -> {
                Map<?, ?> counts = (Map<?, ?>) c;
                drops.put((String) name, new Anomaly.Drop(((Number) counts.get("before")).intValue(),
                        ((Number) counts.get("after")).intValue()));
            });
            long version = ((Number) a.get("version")).longValue();
            anomalies.put(version, new Anomaly(version, ((Number) a.get("comparedWith")).longValue(), drops,
                    Instant.parse((String) a.get("flaggedAt")),
                    a.get("confirmedAt") == null ? null : Instant.parse((String) a.get("confirmedAt")),
                    a.get("resolvedBy") == null ? 0 : ((Number) a.get("resolvedBy")).longValue()));
        }
        return new State(((Number) m.getOrDefault("checkedThrough", 0)).longValue(), anomalies);
    }

    void save(String user, State state) {
        List<Map<String, Object>> anomalies = new ArrayList<>();
        state.anomalies().values().forEach(a -> anomalies.add(a.toMap()));
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("checkedThrough", state.checkedThrough());
        m.put("anomalies", anomalies);
        Path file = file(user);
        try {
            DurableFiles.createDirectories(file.getParent());
            DurableFiles.replace(file, Json.bytes(m));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the guard's flags of user " + user, e);
        }
    }

    private Path file(String user) {
        return UserIds.directory(dataDir, user).resolve("guard.json");
    }
}
