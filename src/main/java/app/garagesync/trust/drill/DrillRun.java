package app.garagesync.trust.drill;

import app.garagesync.offsite.TargetConfig;
import app.garagesync.sync.RemoteObject;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One drill of one user's copy on one target, as it goes through the steps of routes/drill.camel.yaml
 * (the body of each step): what was sent, what was read back, where the rebuilt document lies, what was
 * found. Only the thread running the drill touches it.
 */
public final class DrillRun {

    final TargetConfig target;
    final String user;
    final Instant startedAt;
    final long startedNanos = System.nanoTime();
    /** The version restored: the latest the target's index lists as sent by this daemon. */
    Long version;
    /** The objects sent for the user's versions on this target (the ledger), by version id. */
    Map<Long, RemoteObject> sent = Map.of();
    /** The document size the target's index records for {@link #version}. */
    long size;
    /** Plain bytes read from the target, by key: the version's object and those it is a change of. */
    final Map<String, byte[]> fetched = new LinkedHashMap<>();
    long bytesRead;
    Path scratch;
    final List<DrillProblem> problems = new ArrayList<>();
    DrillResult result;

    DrillRun(TargetConfig target, String user, Instant startedAt) {
        this.target = target;
        this.user = user;
        this.startedAt = startedAt;
    }

    public String targetName() {
        return target.name();
    }

    public String user() {
        return user;
    }

    /** Set once the drill is recorded. */
    public DrillResult result() {
        return result;
    }
}
