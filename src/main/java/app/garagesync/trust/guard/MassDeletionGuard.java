package app.garagesync.trust.guard;

import app.garagesync.store.BackupStore;
import app.garagesync.store.VersionInfo;
import app.garagesync.store.VersionListener;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mass-deletion guard: a new version that loses more than {@code garagesync.guard.max-drop} of a
 * collection's records, or empties it, compared with the version before it, is flagged (a bug or a
 * ransomware deleting half the customers looks exactly like a valid backup). It is stored all the same:
 * refusing it would lose the edits that came with it. With {@code garagesync.guard.hold-offsite} on, that
 * version and every later one stay off the targets until the owner confirms it, so the off-site copies
 * keep the last good state.
 *
 * <p>Versions are judged from their metadata only (records per collection), when stored and, for versions
 * this process did not see stored (another daemon's, or written before a restart), the first time anyone
 * asks: so the sync can never pass a version the guard has not judged.
 */
public final class MassDeletionGuard implements VersionListener {

    private static final Logger LOG = LoggerFactory.getLogger(MassDeletionGuard.class);

    private final BackupStore store;
    private final GuardFile file;
    private final double maxDrop;
    private final boolean holdOffsite;
    private final Clock clock;
    private final Consumer<Map<String, Object>> notifier;
    private final Map<String, GuardFile.State> states = new ConcurrentHashMap<>();

    /**
     * @param maxDrop  the share of a collection a version may lose without being flagged, 0 to 1
     * @param notifier told (in the background) of each newly flagged version: the webhook's body
     */
    public MassDeletionGuard(BackupStore store, java.nio.file.Path dataDir, double maxDrop, boolean holdOffsite,
                             Clock clock, Consumer<Map<String, Object>> notifier) {
        this.store = store;
        this.file = new GuardFile(dataDir);
        this.maxDrop = maxDrop;
        this.holdOffsite = holdOffsite;
        this.clock = clock;
        this.notifier = notifier;
    }

    @Override
    public void stored(String user, long version) {
        anomalies(user);
    }

    public boolean holdsOffsite() {
        return holdOffsite;
    }

    /** The user's flagged versions that are still kept, by id, judging any version not judged yet. */
    public NavigableMap<Long, Anomaly> anomalies(String user) {
        List<VersionInfo> kept = new ArrayList<>(store.versions(user));
        kept.sort(Comparator.comparingLong(VersionInfo::id));
        GuardFile.State state = review(user, kept);
        TreeMap<Long, Anomaly> out = new TreeMap<>();
        for (VersionInfo v : kept) {
            Anomaly a = state.anomalies().get(v.id());
            if (a != null) {
                out.put(v.id(), a);
            }
        }
        return out;
    }

    /**
     * The newest flagged version still open (not confirmed, not undone by a later version), if any: what
     * the status and the console show.
     */
    public Optional<Anomaly> unconfirmed(String user) {
        return anomalies(user).descendingMap().values().stream().filter(Anomaly::open).findFirst();
    }

    /**
     * The first version that must not go off-site (the oldest unconfirmed flagged one: every later version
     * carries its loss too), or empty when the hold is off or nothing waits for the owner.
     */
    public OptionalLong heldFrom(String user) {
        if (!holdOffsite) {
            return OptionalLong.empty();
        }
        return anomalies(user).values().stream().filter(Anomaly::open).mapToLong(Anomaly::version).findFirst();
    }

    /**
     * The owner's word that a flagged version's deletions were meant: the flag stays (as history), the
     * warning and the hold go. Confirming twice changes nothing.
     *
     * @return the confirmed anomaly; empty when that version is not a kept, flagged one
     */
    public synchronized Optional<Anomaly> confirm(String user, long version) {
        Anomaly a = anomalies(user).get(version);
        if (a == null) {
            return Optional.empty();
        }
        if (a.confirmed()) {
            return Optional.of(a);
        }
        GuardFile.State state = states.get(user);
        TreeMap<Long, Anomaly> next = new TreeMap<>(state.anomalies());
        Anomaly confirmed = a.confirm(clock.instant());
        next.put(version, confirmed);
        GuardFile.State saved = new GuardFile.State(state.checkedThrough(), next);
        file.save(user, saved);
        states.put(user, saved);
        LOG.info("User {} confirmed the deletions of version {}: {}", user, version, a.describe());
        return Optional.of(confirmed);
    }

    /** Judges every kept version newer than those judged already, saving and announcing new flags. */
    private synchronized GuardFile.State review(String user, List<VersionInfo> oldestFirst) {
        GuardFile.State state = states.computeIfAbsent(user, file::load);
        long newest = oldestFirst.isEmpty() ? 0 : oldestFirst.get(oldestFirst.size() - 1).id();
        if (newest <= state.checkedThrough()) {
            return state;
        }
        TreeMap<Long, Anomaly> anomalies = new TreeMap<>(state.anomalies());
        List<Anomaly> found = new ArrayList<>();
        boolean resolved = false;
        VersionInfo previous = null;
        for (VersionInfo v : oldestFirst) {
            if (v.id() > state.checkedThrough()) {
                for (Anomaly a : List.copyOf(anomalies.values())) {
                    if (a.open() && a.version() < v.id() && recovers(a, v)) {
                        anomalies.put(a.version(), a.resolvedBy(v.id()));
                        LOG.info("User {}: version {} has the records version {} lost back", user, v.id(), a.version());
                        resolved = true;
                    }
                }
            }
            if (v.id() > state.checkedThrough() && previous != null && !anomalies.containsKey(v.id())) {
                Map<String, Anomaly.Drop> drops = drops(previous, v);
                if (!drops.isEmpty()) {
                    Anomaly a = new Anomaly(v.id(), previous.id(), drops, clock.instant(), null, 0);
                    anomalies.put(v.id(), a);
                    found.add(a);
                }
            }
            previous = v;
        }
        GuardFile.State next = new GuardFile.State(newest, anomalies);
        if (!found.isEmpty() || resolved) {
            file.save(user, next); // before anyone is told: a flag must not vanish with a restart
        }
        states.put(user, next);
        for (Anomaly a : found) {
            LOG.warn("User {}: {}{}", user, a.describe(), holdOffsite ? "; held from the off-site targets until confirmed" : "");
            notifier.accept(notice(user, a));
        }
        return next;
    }

    /** The collections {@code now} lost too much of since {@code before}, in {@code before}'s order. */
    Map<String, Anomaly.Drop> drops(VersionInfo before, VersionInfo now) {
        Map<String, Anomaly.Drop> drops = new LinkedHashMap<>();
        Map<String, Integer> after = now.recordsByCollection() == null ? Map.of() : now.recordsByCollection();
        if (before.recordsByCollection() == null) {
            return drops;
        }
        before.recordsByCollection().forEach((name, count) -> {
            int left = after.getOrDefault(name, 0);
            if (count > 0 && (left == 0 || count - left > maxDrop * count)) {
                drops.put(name, new Anomaly.Drop(count, left));
            }
        });
        return drops;
    }

    /** Whether {@code later} has, in every collection {@code a} lost, no fewer records than the guard lets go. */
    private boolean recovers(Anomaly a, VersionInfo later) {
        Map<String, Integer> counts = later.recordsByCollection() == null ? Map.of() : later.recordsByCollection();
        for (Map.Entry<String, Anomaly.Drop> e : a.drops().entrySet()) {
            int before = e.getValue().before();
            int now = counts.getOrDefault(e.getKey(), 0);
            if (now == 0 || before - now > maxDrop * before) {
                return false;
            }
        }
        return true;
    }

    private Map<String, Object> notice(String user, Anomaly a) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", "anomaly");
        body.put("user", user);
        body.put("version", a.version());
        body.put("anomaly", a.toMap());
        body.put("held", holdOffsite);
        body.put("time", a.flaggedAt().toString());
        body.put("text", "garage-sync: user " + user + ", " + a.describe()
                + (holdOffsite ? "; it is held from the off-site copies until confirmed" : "")
                + ". If these deletions were not meant, restore the previous version.");
        return body;
    }
}
