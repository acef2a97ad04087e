package app.garagesync.changes;

import app.garagesync.api.ApiException;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.store.DamagedVersionException;
import app.garagesync.store.VersionInfo;
import app.garagesync.store.delta.Layout;
import java.time.Duration;
import java.util.NavigableMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.camel.Exchange;

/**
 * What the {@code changes} route calls: {@code GET /api/changes?since=N}, the changes from version N to the
 * caller's latest ({@link ChangesDiff}), at once or, with {@code feed=longpoll}, once there is a newer version
 * than N (an empty answer, {@code to == from}, when {@code timeout} passes first). A long-poll holds no thread
 * while it waits: the method returns a pending stage, which Camel completes the exchange from. The
 * {@code eventsource} feed is {@link ChangesEventStream}'s, on the HTTP server itself.
 */
public final class ChangesApi {

    private final BackupStore store;
    private final VersionWatch watch;
    private final ScheduledExecutorService timer;
    private final Executor work;
    private final Duration defaultTimeout;
    private final Duration maxTimeout;

    /** {@code timer} ends long-polls that time out; {@code work} computes the changes once a long-poll wakes. */
    public ChangesApi(BackupStore store, VersionWatch watch, ScheduledExecutorService timer, Executor work,
                      Duration defaultTimeout, Duration maxTimeout) {
        this.store = store;
        this.watch = watch;
        this.timer = timer;
        this.work = work;
        this.defaultTimeout = defaultTimeout;
        this.maxTimeout = maxTimeout;
    }

    public CompletionStage<Void> changes(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        ChangesQuery q = ChangesQuery.of(name -> exchange.getMessage().getHeader(name, String.class), defaultTimeout, maxTimeout);
        if (q.since() == null) {
            throw ApiException.badRequest("since: missing (the version your copy is at, as GET /api/backup's ETag or "
                    + "X-Garage-Sync-Version says)");
        }
        long since = q.since();
        long latest = latest(user);
        check(user, since, latest);
        if (since < latest || !q.feed().equals(ChangesQuery.LONGPOLL)) {
            answer(exchange, changes(user, since, latest));
            return CompletableFuture.completedFuture(null);
        }
        return longPoll(exchange, user, since, q.timeout());
    }

    private CompletionStage<Void> longPoll(Exchange exchange, String user, long since, Duration timeout) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicBoolean answered = new AtomicBoolean();
        AtomicReference<VersionWatch.Waiter> waiter = new AtomicReference<>();
        AtomicReference<ScheduledFuture<?>> deadline = new AtomicReference<>();
        Runnable finish = () -> {
            VersionWatch.Waiter w = waiter.get();
            if (w != null) {
                w.close();
            }
            ScheduledFuture<?> d = deadline.get();
            if (d != null) {
                d.cancel(false);
            }
            try {
                answer(exchange, changes(user, since, latest(user)));
                done.complete(null);
            } catch (RuntimeException e) {
                done.completeExceptionally(e);
            }
        };
        // the thread that stored the version, or the watch's scheduler, only hands the work over
        Runnable wake = () -> {
            if (answered.compareAndSet(false, true)) {
                work.execute(finish);
            }
        };
        // a stopping daemon ends the wait at once: the answer then says no change yet
        VersionWatch.Waiter w = watch.await(user, since, version -> wake.run(), wake);
        if (w == null) {
            throw busy(watch.maxWaiters());
        }
        waiter.set(w);
        deadline.set(timer.schedule(() -> {
            if (answered.compareAndSet(false, true)) {
                work.execute(finish);
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS));
        if (answered.get()) {
            // woken during await: the finishing task may have run before the waiter and deadline were set
            w.close();
            deadline.get().cancel(false);
        }
        return done;
    }

    static ApiException busy(int max) {
        return new ApiException(503, "busy", "already " + max + " clients are waiting for changes "
                + "(garagesync.changes.max-listeners); retry in a few seconds");
    }

    private ChangesDiff.Changes changes(String user, long since, long latest) {
        if (since == latest) {
            return ChangesDiff.none(since);
        }
        Layout old = store.layout(user, since);
        Layout now = old == null ? null : store.layout(user, latest);
        ChangesDiff.Changes fast = now == null ? null : ChangesDiff.between(since, old, latest, now);
        if (fast != null) {
            return fast;
        }
        return ChangesDiff.between(since, store.read(user, since), latest, store.read(user, latest));
    }

    private static void answer(Exchange exchange, ChangesDiff.Changes changes) {
        Responses.rawJson(exchange, 200, changes.json());
    }

    /** The latest version, refused as GET /api/backup refuses it: 404 when none, the damage when damaged. */
    private long latest(String user) {
        NavigableMap<Long, String> damaged = store.damaged(user);
        VersionInfo latest = store.latest(user).orElse(null);
        if (!damaged.isEmpty() && (latest == null || damaged.lastKey() >= latest.id())) {
            throw damagedError(user, damaged.lastKey(), damaged);
        }
        if (latest == null) {
            throw ApiException.notFound("no backup stored yet for user '" + user + "'");
        }
        return latest.id();
    }

    /** {@code since} must be a version still kept, at most the latest. */
    private void check(String user, long since, long latest) {
        if (since > latest) {
            throw ApiException.badRequest("since: " + since + " is above the latest version (" + latest + ")");
        }
        if (store.version(user, since).isPresent()) {
            return;
        }
        NavigableMap<Long, String> damaged = store.damaged(user);
        if (damaged.containsKey(since)) {
            throw damagedError(user, since, damaged);
        }
        throw new ApiException(410, "gone", "version " + since + " is no longer kept (retention pruned it): fetch the "
                + "whole backup with GET /api/backup, then follow the changes from the version it names");
    }

    private DamagedVersionException damagedError(String user, long id, NavigableMap<Long, String> damaged) {
        Long intact = store.versions(user).stream().map(VersionInfo::id).filter(v -> !damaged.containsKey(v))
                .findFirst().orElse(null);
        return new DamagedVersionException(user, id, damaged.get(id), intact, null);
    }
}
