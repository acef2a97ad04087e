package app.garagesync.sync;

import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.store.VersionInfo;
import app.garagesync.offsite.TargetCatalog;
import app.garagesync.offsite.TargetConfig;
import app.garagesync.trust.guard.MassDeletionGuard;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what each target lacks and hands each missing version to the {@code sync-deliver} flow, or a
 * spooled one to {@code sync-replay}, then has the index written ({@code sync-index}) and the objects of
 * pruned versions deleted ({@code sync-delete}). The flows (YAML) do the sending, the redelivery and the dead letter;
 * this class holds the bookkeeping they need: the ledger, the per user+target lock (two syncs of the same
 * user and target never run at once, whichever of the timer, "sync now" or the drain starts them), and
 * the board the status endpoint reads. With a store shared by several daemons, a user is synced only by the
 * daemon holding that user's lease ({@link SyncLeases}); the others leave that user alone.
 */
public final class SyncRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SyncRunner.class);

    /** Exchange property the flows set to say how a version left: {@code delivered} or {@code spooled}. */
    public static final String OUTCOME = "GarageSyncOutcome";

    /** The history's result when "sync now" finds no off-site target to send to. */
    public static final String NO_TARGET = "no-target";

    /** The history's result when the mass-deletion guard keeps a version off a target. */
    public static final String HELD = "held";

    private final TargetCatalog targets;
    private final BackupStore store;
    private final SyncSettings settings;
    private final TargetLedger ledger;
    private final SpoolFolder spool;
    private final SyncBoard board;
    private final ProducerTemplate producer;
    private final VersionDelivery delivery;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final MassDeletionGuard guard;
    /** target/user/version of each hold already written to the history: once per version, not per tick */
    private final Set<String> holdsTold = ConcurrentHashMap.newKeySet();
    private final SyncLeases leases;
    /** target/user pairs whose ledger predates a lease this daemon just took: read the target's index again */
    private final Set<String> stale = ConcurrentHashMap.newKeySet();

    public SyncRunner(TargetCatalog targets, BackupStore store, SyncSettings settings, TargetLedger ledger,
                      SpoolFolder spool, SyncBoard board, ProducerTemplate producer,
                      VersionDelivery delivery, MassDeletionGuard guard, SyncLeases leases) {
        this.guard = guard;
        this.leases = leases;
        this.targets = targets;
        this.store = store;
        this.settings = settings;
        this.ledger = ledger;
        this.spool = spool;
        this.board = board;
        this.producer = producer;
        this.delivery = delivery;
    }

    /** The timer's tick: drain each spool, then push what each target lacks for every user with sync on. */
    public void runAll() {
        for (TargetConfig target : targets.all()) {
            drain(target.name());
            for (String user : store.users()) {
                boolean enabled;
                try {
                    enabled = settings.isEnabled(user);
                } catch (UncheckedIOException e) {
                    // a shared store that cannot be read now: this user waits for the next tick, the others go on
                    LOG.warn("Sync switch of user {} cannot be read: {}", user, e.getMessage());
                    continue;
                }
                if (enabled) {
                    push(target.name(), user);
                }
            }
        }
    }

    /** "Sync now" and "sync switched on": one user, every target, whatever the automatic switch says. */
    public void runUser(String user) {
        if (targets.all().isEmpty()) {
            // nothing leaves this machine: say so where the owner looks, instead of a silent no-op
            board.record(new SyncBoard.Attempt(board.clock().instant(), null, user, List.of(), 0, 0, NO_TARGET,
                    "no off-site target configured: the versions stay on this server only", null));
            return;
        }
        for (TargetConfig target : targets.all()) {
            drain(target.name());
            push(target.name(), user);
        }
    }

    /** A queued "sync now" (or "sync switched on"): the caller's user, as the API flow resolved it. */
    public void runRequested(Exchange exchange) {
        runUser(exchange.getProperty(RequestIdentity.USER, String.class));
    }

    /** True when PUT /api/sync/settings just switched automatic sync on: a first sync starts at once. */
    public boolean switchedOn(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty("garagesync.syncSwitchedOn", Boolean.class));
    }

    /**
     * Makes the target hold exactly the user's versions: sends what it lacks (new versions, and versions
     * whose object there is a delta of a version pruned here) in their stored form, then writes the index
     * listing exactly what it should hold, then deletes the objects of versions no longer kept. That order
     * keeps the target restorable after a crash at any step: every object the index lists stays until an
     * index that no longer lists it was written. Returns quietly when the target mirrors the user already
     * (nothing read, nothing written).
     */
    public void push(String target, String user) {
        List<VersionInfo> local = new ArrayList<>(store.versions(user));
        local.sort(Comparator.comparingLong(VersionInfo::id));
        holdBack(target, user, local);
        Set<Long> ids = new HashSet<>();
        local.forEach(v -> ids.add(v.id()));
        // cheap check first, so an idle tick for 100 users takes no lock and touches no disk
        if (ledger.mark(target, user).mirrors(ids)) {
            return;
        }
        ReentrantLock lock = lock(target, user);
        lock.lock();
        board.started(target, user);
        long started = System.nanoTime();
        List<Long> delivered = new ArrayList<>();
        List<Long> spooled = new ArrayList<>();
        long bytes = 0;
        String error = null;
        FailureCause cause = null;
        boolean lost = false;
        try {
            if (!holds(user)) {
                return; // another daemon on the shared store syncs this user
            }
            if (stale.remove(target + "/" + user)) {
                ledger.forget(target, user);
            }
            Set<Long> waiting = spooledVersions(target, user);
            if (waiting.isEmpty() && !ledger.mark(target, user).known()) {
                // what the target holds for this user is unknown here (a new ledger, or a target written
                // by another machine): its index says; until it does, objects may be sent but nothing deleted
                error = adopt(target, user);
            }
            SyncPlan plan = SyncPlan.of(local, ledger.mark(target, user).objects(), store.pruned(user));
            if (plan.conflict() != null) {
                error = plan.conflict();
                LOG.error("Target {}, user {}: {}", target, user, error);
                delivery.failed(target, new IllegalStateException(error));
            }
            for (long id : plan.toSend()) {
                if (waiting.contains(id)) {
                    continue; // the drain sends it
                }
                if (!holds(user)) {
                    lost = true; // the lease went to another daemon (this one stalled): that one goes on
                    LOG.warn("Target {}, user {}: lease lost before version {}, left to the daemon that holds it", target, user, id);
                    break;
                }
                Exchange ex = producer.send("direct:sync-deliver", e -> {
                    e.setProperty(RemoteLayout.TARGET, target);
                    e.setProperty(RemoteLayout.USER, user);
                    e.setProperty(RemoteLayout.VERSION, id);
                });
                String outcome = ex.getProperty(OUTCOME, String.class);
                if ("delivered".equals(outcome)) {
                    delivered.add(id);
                    bytes += ((Number) ex.getProperty(RemoteLayout.ENTRY, Map.class).get("objectSize")).longValue();
                } else if ("spooled".equals(outcome)) {
                    spooled.add(id);
                    error = ex.getProperty("GarageSyncError", String.class);
                    cause = ex.getProperty(VersionDelivery.FAILURE_CAUSE, FailureCause.class);
                } else {
                    // neither confirmed nor spooled (the spool itself failed): stop, try again next tick
                    Throwable t = ex.getException();
                    error = "not delivered and not spooled: " + (t == null ? "unknown" : t.getMessage());
                    cause = FailureCause.of(t);
                    LOG.error("Sync of user {} to target {} stopped at version {}: {}", user, target, id, error);
                    break;
                }
            }
            if (error == null && !lost && spooled.isEmpty() && waiting.isEmpty() && holds(user)) {
                error = finish(target, user, local);
            }
        } finally {
            board.ended(target, user);
            lock.unlock();
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        if (!delivered.isEmpty()) {
            board.record(new SyncBoard.Attempt(board.clock().instant(), target, user, delivered, bytes, ms, "delivered", null));
        }
        if (!spooled.isEmpty() || error != null) {
            if (cause == null && error != null) {
                // an index or delete failure: failure() has just put its cause on the board
                cause = board.target(target).lastCause;
            }
            board.record(new SyncBoard.Attempt(board.clock().instant(), target, user, spooled, 0, ms,
                    spooled.isEmpty() ? "failed" : "spooled", error, cause));
        }
    }

    /**
     * The mass-deletion guard's hold (garagesync.guard.hold-offsite): a flagged version the owner has not
     * confirmed, and every later one (each carries the same loss), are left out of what the target must
     * hold, so it keeps the last good state; the history says so once per held version.
     */
    private void holdBack(String target, String user, List<VersionInfo> oldestFirst) {
        OptionalLong heldFrom = guard.heldFrom(user);
        if (heldFrom.isEmpty()) {
            return;
        }
        long first = heldFrom.getAsLong();
        oldestFirst.removeIf(v -> v.id() >= first);
        if (holdsTold.add(target + "/" + user + "/" + first)) {
            String why = "version " + first + " lost too many records (" + guard.anomalies(user).get(first).describe()
                    + "): it and the later versions stay off this target until you confirm it"
                    + " (POST /api/backup/versions/" + first + "/confirm)";
            LOG.warn("Target {}, user {}: {}", target, user, why);
            board.record(new SyncBoard.Attempt(board.clock().instant(), target, user, List.of(first), 0, 0, HELD, why));
        }
    }

    /**
     * True while this daemon holds the user's sync lease (always, with a store of its own). Taking it marks
     * every target's ledger of the user as stale: the daemon that held it meanwhile may have sent versions.
     */
    private boolean holds(String user) {
        try {
            return leases.hold(user, () -> targets.all().forEach(t -> stale.add(t.name() + "/" + user)))
                    != SyncLeases.Hold.ELSEWHERE;
        } catch (IOException e) {
            LOG.warn("Sync lease of user {} cannot be read or written now: {}", user, e.getMessage());
            return false;
        }
    }

    /** Index, then deletes: once every kept version has an object there. Returns the error, or null. */
    private String finish(String target, String user, List<VersionInfo> local) {
        TargetLedger.Mark mark = ledger.mark(target, user);
        SyncPlan plan = SyncPlan.of(local, mark.objects(), store.pruned(user));
        if (!mark.known() || !plan.complete()) {
            return null; // a version arrived or was rewritten meanwhile: the next tick goes on
        }
        Set<String> listed = new TreeSet<>();
        plan.chosen().values().forEach(o -> listed.add(o.key(user)));
        if (!listed.equals(mark.listed())) {
            Exchange ex = producer.send("direct:sync-index", e -> {
                e.setProperty(RemoteLayout.TARGET, target);
                e.setProperty(RemoteLayout.USER, user);
                e.setProperty(RemoteLayout.INDEX, plan.index(local));
            });
            if (ex.getException() != null) {
                return failure(target, "index of user " + user, ex.getException());
            }
            ledger.update(target, user, m -> m.withIndex(listed));
        }
        for (String key : plan.toDelete()) {
            Exchange ex = producer.send("direct:sync-delete", e -> {
                e.setProperty(RemoteLayout.TARGET, target);
                e.setProperty(RemoteLayout.USER, user);
                e.setProperty(RemoteLayout.DELETE, key);
            });
            if (ex.getException() != null) {
                return failure(target, key, ex.getException());
            }
            ledger.update(target, user, m -> m.withoutObject(key));
        }
        ledger.update(target, user, m -> m.withSyncedAt(board.clock().instant()));
        return null;
    }

    /** Reads the target's index into the ledger; returns the error, or null. */
    private String adopt(String target, String user) {
        Exchange ex = producer.send("direct:sync-index-get", e -> {
            e.setProperty(RemoteLayout.TARGET, target);
            e.setProperty(RemoteLayout.USER, user);
        });
        if (ex.getException() != null) {
            return failure(target, "index of user " + user, ex.getException());
        }
        List<RemoteObject> listed = new ArrayList<>();
        try {
            for (Object e : ex.getMessage().getBody(List.class)) {
                @SuppressWarnings("unchecked")
                Map<String, Object> entry = (Map<String, Object>) e;
                listed.add(RemoteObject.fromMap(entry));
            }
        } catch (IOException | RuntimeException e) {
            return failure(target, "index of user " + user, e);
        }
        ledger.adopt(target, user, listed);
        return null;
    }

    private String failure(String target, String what, Throwable cause) {
        delivery.failed(target, cause);
        LOG.warn("Target {}: {} failed: {}", target, what, VersionDelivery.describe(cause));
        return VersionDelivery.describe(cause);
    }

    private Set<Long> spooledVersions(String target, String user) {
        Set<Long> ids = new HashSet<>();
        spool.list(target).stream().filter(f -> f.user().equals(user)).forEach(f -> ids.add(f.version()));
        return ids;
    }

    /** Replays the target's spool, oldest first, and stops at the first object the target refuses. */
    public void drain(String target) {
        for (SpoolFolder.SpoolFile file : spool.list(target)) {
            SpoolFolder.Spooled spooled;
            try {
                spooled = spool.read(file);
            } catch (IOException | RuntimeException e) {
                LOG.error("Spool file {} is unreadable, moved aside: {}", file.file(), e.getMessage());
                spool.quarantine(file.file(), "unreadable: " + e.getMessage());
                continue;
            }
            ReentrantLock lock = lock(target, spooled.user());
            lock.lock();
            board.started(target, spooled.user());
            long started = System.nanoTime();
            try {
                Exchange ex = producer.send("direct:sync-replay", e -> {
                    e.setProperty(RemoteLayout.TARGET, target);
                    e.setProperty(RemoteLayout.USER, spooled.user());
                    e.setProperty(RemoteLayout.ENTRY, spooled.entry());
                    e.getMessage().setBody(spooled.object());
                });
                long ms = (System.nanoTime() - started) / 1_000_000;
                if (ex.getException() != null) {
                    delivery.failed(target, ex.getException());
                    board.record(new SyncBoard.Attempt(board.clock().instant(), target, spooled.user(),
                            List.of(spooled.version()), 0, ms, "drain-failed", ex.getException().getMessage(),
                            FailureCause.of(ex.getException())));
                    return;
                }
                // only now, with the target's confirmation in hand, may the spooled copy go
                spool.delete(file.file());
                board.record(new SyncBoard.Attempt(board.clock().instant(), target, spooled.user(),
                        List.of(spooled.version()), spooled.object().length, ms, "drained", null));
            } finally {
                board.ended(target, spooled.user());
                lock.unlock();
            }
            if (spooledVersions(target, spooled.user()).isEmpty()) {
                // the user's last spooled object is there: the index and the deletes can follow
                push(target, spooled.user());
            }
        }
    }

    /** After a full restore, the target holds what its index lists: do not push it back. */
    public void restored(String target, String user, List<RemoteObject> listed) {
        ReentrantLock lock = lock(target, user);
        lock.lock();
        try {
            ledger.adopt(target, user, listed);
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock lock(String target, String user) {
        return locks.computeIfAbsent(target + "/" + user, k -> new ReentrantLock());
    }
}
