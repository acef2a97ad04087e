package app.garagesync.sync;

import app.garagesync.store.BackupStore;
import app.garagesync.store.VersionInfo;
import app.garagesync.target.TargetCatalog;
import app.garagesync.target.TargetConfig;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides what each target lacks and hands each missing version to the {@code sync-deliver} flow, or a
 * spooled one to {@code sync-replay}. The flows (YAML) do the sending, the redelivery and the dead letter;
 * this class holds the bookkeeping they need: the ledger, the per user+target lock (two syncs of the same
 * user and target never run at once, whichever of the timer, "sync now" or the drain starts them), and
 * the board the status endpoint reads.
 */
public final class SyncRunner {

    private static final Logger LOG = LoggerFactory.getLogger(SyncRunner.class);

    /** Exchange property the flows set to say how a version left: {@code delivered} or {@code spooled}. */
    public static final String OUTCOME = "GarageSyncOutcome";

    private final TargetCatalog targets;
    private final BackupStore store;
    private final SyncSettings settings;
    private final TargetLedger ledger;
    private final SpoolFolder spool;
    private final SyncBoard board;
    private final ProducerTemplate producer;
    private final VersionDelivery delivery;
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    public SyncRunner(TargetCatalog targets, BackupStore store, SyncSettings settings, TargetLedger ledger,
                      SpoolFolder spool, SyncBoard board, ProducerTemplate producer,
                      VersionDelivery delivery) {
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
                if (settings.isEnabled(user)) {
                    push(target.name(), user);
                }
            }
        }
    }

    /** "Sync now" and "sync switched on": one user, every target, whatever the automatic switch says. */
    public void runUser(String user) {
        for (TargetConfig target : targets.all()) {
            drain(target.name());
            push(target.name(), user);
        }
    }

    /** A queued "sync now" (or "sync switched on"): the caller's user, as the API flow resolved it. */
    public void runRequested(Exchange exchange) {
        runUser(exchange.getProperty(app.garagesync.auth.RequestIdentity.USER, String.class));
    }

    /** True when PUT /api/sync/settings just switched automatic sync on: a first sync starts at once. */
    public boolean switchedOn(Exchange exchange) {
        return Boolean.TRUE.equals(exchange.getProperty("garagesync.syncSwitchedOn", Boolean.class));
    }

    /** Pushes the user's versions the target lacks; returns quietly when there are none (nothing written). */
    public void push(String target, String user) {
        TargetLedger.Mark mark = ledger.mark(target, user);
        // cheap check first, so an idle tick for 100 users takes no lock and touches no disk
        if (store.latest(user).map(v -> v.id() <= mark.through()).orElse(true)) {
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
        long through = ledger.mark(target, user).through();
        try {
            List<VersionInfo> pending = new ArrayList<>(store.versions(user).stream()
                    .filter(v -> v.id() > ledger.mark(target, user).through()).toList());
            pending.sort(Comparator.comparingLong(VersionInfo::id));
            for (VersionInfo v : pending) {
                if (!spool.contains(target, user, v.id())) {
                    Exchange ex = producer.send("direct:sync-deliver", e -> {
                        e.setProperty(RemoteLayout.TARGET, target);
                        e.setProperty(RemoteLayout.USER, user);
                        e.setProperty(RemoteLayout.ENTRY, RemoteLayout.entry(v));
                    });
                    String outcome = ex.getProperty(OUTCOME, String.class);
                    if ("delivered".equals(outcome)) {
                        delivered.add(v.id());
                        bytes += v.size();
                    } else if ("spooled".equals(outcome)) {
                        spooled.add(v.id());
                        error = ex.getProperty("GarageSyncError", String.class);
                    } else {
                        // neither confirmed nor spooled (the spool itself failed): stop, try again next tick
                        Throwable t = ex.getException();
                        error = "not delivered and not spooled: " + (t == null ? "unknown" : t.getMessage());
                        LOG.error("Sync of user {} to target {} stopped at version {}: {}", user, target, v.id(), error);
                        break;
                    }
                }
                through = v.id();
            }
            boolean upToDate = spooled.isEmpty() && error == null
                    && spool.list(target).stream().noneMatch(f -> f.user().equals(user));
            Instant syncedAt = upToDate ? board.clock().instant() : ledger.mark(target, user).syncedAt();
            ledger.record(target, user, new TargetLedger.Mark(through, syncedAt));
        } finally {
            board.ended(target, user);
            lock.unlock();
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        if (!delivered.isEmpty()) {
            board.record(new SyncBoard.Attempt(board.clock().instant(), target, user, delivered, bytes, ms, "delivered", null));
        }
        if (!spooled.isEmpty() || error != null) {
            board.record(new SyncBoard.Attempt(board.clock().instant(), target, user, spooled, 0, ms,
                    spooled.isEmpty() ? "failed" : "spooled", error));
        }
    }

    /** Replays the target's spool, oldest first, and stops at the first version the target refuses. */
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
                    e.getMessage().setBody(spooled.backup());
                });
                long ms = (System.nanoTime() - started) / 1_000_000;
                if (ex.getException() != null) {
                    delivery.replayFailed(target, ex.getException());
                    board.record(new SyncBoard.Attempt(board.clock().instant(), target, spooled.user(),
                            List.of(spooled.version()), 0, ms, "drain-failed", ex.getException().getMessage()));
                    return;
                }
                // only now, with the target's confirmation in hand, may the spooled copy go
                spool.delete(file.file());
                board.record(new SyncBoard.Attempt(board.clock().instant(), target, spooled.user(),
                        List.of(spooled.version()), spooled.backup().length, ms, "drained", null));
                markSyncedIfDone(target, spooled.user());
            } finally {
                board.ended(target, spooled.user());
                lock.unlock();
            }
        }
    }

    private void markSyncedIfDone(String target, String user) {
        TargetLedger.Mark mark = ledger.mark(target, user);
        boolean nothingPending = store.latest(user).map(v -> v.id() <= mark.through()).orElse(true);
        boolean nothingSpooled = spool.list(target).stream().noneMatch(f -> f.user().equals(user));
        if (nothingPending && nothingSpooled) {
            ledger.record(target, user, new TargetLedger.Mark(mark.through(), board.clock().instant()));
        }
    }

    /** After a restore, the target holds these versions already: do not push them back. */
    public void restored(String target, String user, long through) {
        ReentrantLock lock = lock(target, user);
        lock.lock();
        try {
            TargetLedger.Mark mark = ledger.mark(target, user);
            if (through > mark.through()) {
                ledger.record(target, user, new TargetLedger.Mark(through, board.clock().instant()));
            }
        } finally {
            lock.unlock();
        }
    }

    private ReentrantLock lock(String target, String user) {
        return locks.computeIfAbsent(target + "/" + user, k -> new ReentrantLock());
    }
}
