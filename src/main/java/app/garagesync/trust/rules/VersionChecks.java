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
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The meaning checks of each version, run once: in the background as soon as a version of up to
 * {@link #BACKGROUND_MAX_SIZE} is stored (a backup takes its parsing time, which no request should wait for)
 * while it is still its user's latest, or on the first
 * {@code GET /api/backup/versions/{id}/checks} of a version this process did not see stored. Versions never
 * change, so a result stays true; the newest {@link #CACHED} results are kept in memory.
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

    private final BackupStore store;
    private final MeaningChecks checks;
    private final ExecutorService background;
    private final Map<String, CompletableFuture<List<Finding>>> results = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, CompletableFuture<List<Finding>>> eldest) {
            return size() > CACHED;
        }
    };

    public VersionChecks(BackupStore store, MeaningChecks checks, ExecutorService background) {
        this.store = store;
        this.checks = checks;
        this.background = background;
    }

    @Override
    public void stored(String user, long version) {
        if (store.version(user, version).map(v -> v.size() > BACKGROUND_MAX_SIZE).orElse(true)) {
            // checked on the first GET of its checks, and by every drill of the latest
            return;
        }
        try {
            background.execute(() -> {
                // a version superseded before its turn is left to the first GET of its checks, like one a
                // busy queue refused: reading it back then means rebuilding it from disk, since only the
                // latest is kept in memory (measured: with 64 clients posting 20 KB backups, the checks
                // thread spent about a third of its time rebuilding superseded versions)
                if (superseded(user, version)) {
                    return;
                }
                findings(user, version, Runnable::run);
            });
        } catch (RejectedExecutionException e) {
            // a busy queue: the first GET of this version's checks runs them instead
        }
    }

    private boolean superseded(String user, long version) {
        return store.latest(user).map(latest -> latest.id() > version).orElse(true);
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

    private void forget(String user, long version) {
        synchronized (results) {
            results.remove(user + "/" + version);
        }
    }
}
