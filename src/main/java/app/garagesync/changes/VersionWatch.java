package app.garagesync.changes;

import app.garagesync.store.BackupStore;
import app.garagesync.store.VersionInfo;
import app.garagesync.store.VersionListener;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Who waits for a user's next version (long-polls, event streams), and telling them when it comes: at once
 * for a version this daemon stored (the store calls {@link #stored}), and within {@code pollInterval} for one
 * another daemon wrote into a shared store, by looking at the latest of each user someone waits for. A
 * waiter is a callback, not a thread: one scheduler thread does the looking, for every waiter. The number of
 * waiters is bounded, so that a flood of idle listeners cannot take the daemon's memory or file handles.
 */
public final class VersionWatch implements VersionListener, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(VersionWatch.class);

    private final BackupStore store;
    private final int maxWaiters;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Set<Waiter>> waiters = new ConcurrentHashMap<>();
    /** the highest version of each user seen stored or looked at; a new waiter that knows less is told at once */
    private final Map<String, Long> lastSeen = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    public VersionWatch(BackupStore store, int maxWaiters, Duration pollInterval, ScheduledExecutorService scheduler) {
        this.store = store;
        this.maxWaiters = maxWaiters;
        this.scheduler = scheduler;
        long every = Math.max(1, pollInterval.toMillis());
        scheduler.scheduleWithFixedDelay(this::lookAtLatest, every, every, TimeUnit.MILLISECONDS);
    }

    /** One waiter: told each newer version once, in increasing order, until closed. */
    public final class Waiter implements AutoCloseable {
        private final String user;
        private final LongConsumer onNewer;
        private long known;
        private boolean closed;

        private Waiter(String user, long known, LongConsumer onNewer) {
            this.user = user;
            this.known = known;
            this.onNewer = onNewer;
        }

        synchronized void offer(long version) {
            if (closed || version <= known) {
                return;
            }
            known = version;
            try {
                onNewer.accept(version);
            } catch (RuntimeException e) {
                LOG.warn("A waiter for user {} failed on version {}: {}", user, version, e.toString());
            }
        }

        @Override
        public void close() {
            synchronized (this) {
                if (closed) {
                    return;
                }
                closed = true;
            }
            waiters.computeIfPresent(user, (u, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
            count.decrementAndGet();
        }
    }

    /**
     * Waits for a version of {@code user} above {@code known}; {@code onNewer} is called on the thread that
     * learnt of it (the one that stored it, or the scheduler) and must return at once. Null when the daemon
     * already has {@code maxWaiters} waiters.
     */
    public Waiter await(String user, long known, LongConsumer onNewer) {
        if (count.incrementAndGet() > maxWaiters) {
            count.decrementAndGet();
            return null;
        }
        Waiter w = new Waiter(user, known, onNewer);
        waiters.computeIfAbsent(user, u -> ConcurrentHashMap.newKeySet()).add(w);
        // a version stored between the caller's look at the latest and this line is not lost
        Long seen = lastSeen.get(user);
        if (seen != null) {
            w.offer(seen);
        }
        return w;
    }

    /** The user's latest version number (0 when none), looked up on the scheduler thread, off the caller's. */
    public CompletableFuture<Long> latest(String user) {
        return CompletableFuture.supplyAsync(() -> latestOf(user), scheduler);
    }

    /** Waiters now. */
    public int waiting() {
        return count.get();
    }

    public int maxWaiters() {
        return maxWaiters;
    }

    @Override
    public void stored(String user, long version) {
        lastSeen.merge(user, version, Math::max);
        tell(user, version);
    }

    private long latestOf(String user) {
        long latest = store.latest(user).map(VersionInfo::id).orElse(0L);
        if (latest > 0) {
            lastSeen.merge(user, latest, Math::max);
        }
        return latest;
    }

    private void tell(String user, long version) {
        Set<Waiter> set = waiters.get(user);
        if (set != null) {
            for (Waiter w : set) {
                w.offer(version);
            }
        }
    }

    /** Versions other daemons stored in a shared store reach nobody through {@link #stored}: looked for. */
    private void lookAtLatest() {
        for (String user : waiters.keySet()) {
            try {
                tell(user, latestOf(user));
            } catch (RuntimeException e) {
                // the store is down or slow: the waiters time out or keep their heartbeat; try again next round
                LOG.debug("Could not look at the latest version of user {}: {}", user, e.toString());
            }
        }
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
