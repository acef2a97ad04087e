package app.garagesync.trust.rules;

import app.garagesync.api.ApiException;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.store.VersionListener;
import app.garagesync.trust.VersionParam;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meaning checks of each version, run once: in the background for a user's latest version of up to
 * {@link #BACKGROUND_MAX_SIZE} once it has stood for {@link #QUIET} (a backup takes its parsing time, which no
 * request should wait for), or on the first {@code GET /api/backup/versions/{id}/checks} of any version.
 * Versions never change, so a result stays true; the newest {@link #CACHED} results are kept in memory.
 */
public final class VersionChecks implements VersionListener {

    private static final Logger LOG = LoggerFactory.getLogger(VersionChecks.class);
    static final int CACHED = 256;
    /**
     * Versions larger than this are not checked in the background. The checks of a 48 MB garage took a core
     * for about a second and allocated about 230 MB (JFR, 5 such backups in a row): on a 2-core box it took
     * a core from the next backup arriving, and the allocation lifted the daemon's resident memory.
     */
    static final long BACKGROUND_MAX_SIZE = 8L << 20;
    /**
     * How long a user's latest version must stand before its background checks run. A device that saves
     * often would otherwise have every version checked, then superseded a moment later: with 64 clients
     * posting 20 KB backups, the checks of versions still latest when their turn came were a fifth of the
     * daemon's Java time (JFR). A garage's backups come minutes apart: their checks run two seconds after.
     */
    static final java.time.Duration QUIET = java.time.Duration.ofSeconds(2);

    private final BackupStore store;
    private final MeaningChecks checks;
    private final java.util.concurrent.ScheduledExecutorService background;
    /** Per user, the latest version stored and when (nanoTime), until its quiet check has run. */
    private final java.util.concurrent.ConcurrentHashMap<String, Pending> pending = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, CompletableFuture<List<Finding>>> results = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<List<Finding>>> eldest) {
            return size() > CACHED;
        }
    };

    private record Pending(long version, long storedAt) {
    }

    private final long quietNanos;

    /** {@code background}: one thread, on which the quiet checks run one at a time. */
    public VersionChecks(BackupStore store, MeaningChecks checks, java.util.concurrent.ScheduledExecutorService background) {
        this(store, checks, background, QUIET);
    }

    VersionChecks(BackupStore store, MeaningChecks checks, java.util.concurrent.ScheduledExecutorService background,
                  java.time.Duration quiet) {
        this.store = store;
        this.checks = checks;
        this.background = background;
        this.quietNanos = quiet.toNanos();
    }

    @Override
    public void stored(String user, long version) {
        if (store.version(user, version).map(v -> v.size() > BACKGROUND_MAX_SIZE).orElse(true)) {
            // checked on the first GET of its checks, and by every drill of the latest
            return;
        }
        if (pending.put(user, new Pending(version, System.nanoTime())) == null) {
            schedule(user, quietNanos);
        }
    }

    private void schedule(String user, long delayNanos) {
        try {
            background.schedule(() -> settle(user), delayNanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // stopping: the first GET of the version's checks runs them instead
            pending.remove(user);
        }
    }

    /** Runs the checks of the user's latest once it has stood for {@link #QUIET}, else waits the rest of it. */
    private void settle(String user) {
        Pending p = pending.get(user);
        if (p == null) {
            return;
        }
        long left = quietNanos - (System.nanoTime() - p.storedAt());
        if (left > 0) {
            schedule(user, left);
            return;
        }
        if (!pending.remove(user, p)) {
            schedule(user, quietNanos); // a version came meanwhile: its own quiet time starts now
            return;
        }
        // a version superseded meanwhile (by another daemon on a shared store) is left to the first GET
        if (store.latest(user).map(latest -> latest.id() == p.version()).orElse(false)) {
            findings(user, p.version(), Runnable::run);
        }
    }

    /** GET /api/backup/versions/{id}/checks. */
    public void checks(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        long version = VersionParam.of(exchange);
        if (store.version(user, version).isEmpty()) {
            throw ApiException.notFound("no version " + version + " among your versions");
        }
        List<Finding> found;
        try {
            found = findings(user, version, Runnable::run).get();
        } catch (ExecutionException e) {
            forget(user, version); // a damaged version may read again once repaired: do not keep the failure
            throw e.getCause() instanceof RuntimeException r ? r : new CompletionException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("version", version);
        answer.put("rules", checks.rules());
        answer.put("ok", found.isEmpty());
        answer.put("count", found.size());
        answer.put("findings", found);
        Responses.json(exchange, 200, answer);
    }

    /** The findings of one version, computed once (on {@code where}) and shared by whoever asks meanwhile. */
    private CompletableFuture<List<Finding>> findings(String user, long version, java.util.concurrent.Executor where) {
        String key = user + "/" + version;
        CompletableFuture<List<Finding>> f;
        synchronized (results) {
            f = results.get(key);
            if (f != null) {
                return f;
            }
            f = new CompletableFuture<>();
            results.put(key, f);
        }
        CompletableFuture<List<Finding>> result = f;
        where.execute(() -> {
            try {
                List<Finding> found = checks.check(store.read(user, version));
                if (!found.isEmpty()) {
                    LOG.info("User {}, version {}: {} meaning-check finding(s), first: {}", user, version,
                            found.size(), found.get(0).message());
                }
                result.complete(found);
            } catch (RuntimeException | OutOfMemoryError e) {
                result.completeExceptionally(e);
            }
        });
        return result;
    }

    /** The "user/version" whose results are kept, eldest first (tests see which versions were checked). */
    java.util.List<String> kept() {
        synchronized (results) {
            return java.util.List.copyOf(results.keySet());
        }
    }

    private void forget(String user, long version) {
        synchronized (results) {
            results.remove(user + "/" + version);
        }
    }
}
