package app.garagesync.trust.drill;

import app.garagesync.Json;
import app.garagesync.store.DurableFiles;
import app.garagesync.store.UserIds;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last drill result of each user's copy on each target, one small file per user,
 * {@code <data-dir>/drill/results/<user>.json}, replaced durably after each drill: what
 * {@code GET /api/drill}, the posture and the age alert read, also after a restart.
 */
public final class DrillResults {

    private static final Logger LOG = LoggerFactory.getLogger(DrillResults.class);

    private final Path dir;
    /** By user, then by target. */
    private final Map<String, Map<String, DrillResult>> byUser = new ConcurrentHashMap<>();

    public DrillResults(Path dataDir) {
        this.dir = dataDir.resolve("drill").resolve("results");
        loadAll();
    }

    /** The user's results by target name (sorted); empty when no drill ran. */
    public Map<String, DrillResult> of(String user) {
        return Map.copyOf(byUser.getOrDefault(UserIds.require(user), Map.of()));
    }

    /** Every user's results, by user then target. */
    public Map<String, Map<String, DrillResult>> all() {
        return Map.copyOf(byUser);
    }

    /** Keeps {@code result} as the user's last on its target, durably before answering. */
    public synchronized void save(String user, DrillResult result) {
        Map<String, DrillResult> next = new TreeMap<>(byUser.getOrDefault(UserIds.require(user), Map.of()));
        next.put(result.target(), result);
        Map<String, Object> doc = new LinkedHashMap<>();
        next.forEach((t, r) -> doc.put(t, r.toMap()));
        try {
            DurableFiles.createDirectories(dir);
            DurableFiles.replace(dir.resolve(user + ".json"), Json.bytes(Map.of("targets", doc)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot save the drill results of user " + user, e);
        }
        byUser.put(user, Map.copyOf(next));
    }

    private void loadAll() {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.json")) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                String user = name.substring(0, name.length() - ".json".length());
                if (UserIds.isValid(user)) {
                    load(user, f);
                }
            }
        } catch (NoSuchFileException e) {
            // no drill ran yet
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the drill results in " + dir, e);
        }
    }

    private void load(String user, Path file) {
        try {
            Map<String, Object> doc = Json.readMap(Files.readAllBytes(file));
            Map<?, ?> targets = (Map<?, ?>) doc.get("targets");
            Map<String, DrillResult> results = targets.entrySet().stream().collect(Collectors.toMap(
                    e -> (String) e.getKey(), e -> DrillResult.fromMap((String) e.getKey(), (Map<?, ?>) e.getValue()),
                    (a, b) -> a, TreeMap::new));
            byUser.put(user, Map.copyOf(results));
        } catch (IOException | RuntimeException e) {
            // the next drill writes it again; until then this user's copies count as never verified
            LOG.warn("Drill results {} are unreadable ({}); they are written again by the next drill", file, e.getMessage());
        }
    }
}
