package app.garagesync.backup;

import app.garagesync.api.ArrivingBody;
import app.garagesync.store.BackupSummary;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;

/**
 * Validates big backups while they arrive: a thread reads the body through {@link ArrivingBody#stream()}
 * as the HTTP server fills it, so that when the last byte is in, the validation is mostly done. The
 * backup's request then takes the result ({@link #take}) instead of validating the body itself; when none
 * was started (a small body, every thread busy) it validates as before. The answer is the same either way
 * (see {@link BackupReader#read(ArrivingBody)}).
 *
 * <p>Each body takes two threads, one validating it and one computing its content hash
 * ({@link ContentHashAhead}); at most {@link #THREADS} threads read bodies at once: each mostly waits for the
 * network, and the bodies themselves are bounded by the body memory budget, which admitted them.
 */
public final class EarlyValidation {

    /** Below this size a body is validated once it is in: its bytes come in one or two reads anyway. */
    public static final int MIN_SIZE = 1 << 20;
    static final int THREADS = 6;

    private final BackupReader reader;
    private final Map<byte[], CompletableFuture<BackupSummary>> started = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor threads = SideThreads.pool("garage-sync-early-validation", THREADS);

    public EarlyValidation(BackupReader reader) {
        this.reader = reader;
    }

    /** Starts validating {@code body} as it arrives, when it is big enough and a thread is free. */
    public void start(ArrivingBody body) {
        if (!body.sized() || body.array().length < MIN_SIZE) {
            return;
        }
        CompletableFuture<BackupSummary> result = new CompletableFuture<>();
        // keyed by the array itself (identity): it is what the request finds as its body
        started.put(body.array(), result);
        CompletableFuture<ContentHashAhead.Ahead> hash = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    result.complete(reader.read(body, hash));
                } catch (RuntimeException e) {
                    result.completeExceptionally(e);
                } finally {
                    if (!body.isComplete()) {
                        // abandoned: no request will come for it
                        started.remove(body.array());
                    }
                }
            });
        } catch (RejectedExecutionException busy) {
            started.remove(body.array());
            return;
        }
        try {
            // the UTF-8 check and the content hash on another thread meanwhile, when one is free (the
            // validation makes them after its pass otherwise)
            threads.execute(() -> hash.complete(ContentHashAhead.follow(body)));
        } catch (RejectedExecutionException busy) {
            hash.complete(null);
        }
    }

    /**
     * The summary of the body whose bytes are {@code array}, validated while it arrived; null when its
     * validation was not started here. Throws what validation threw (an invalid backup's 400).
     */
    public BackupSummary take(byte[] array) {
        CompletableFuture<BackupSummary> result = started.remove(array);
        if (result == null) {
            return null;
        }
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while validating a backup", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** Forgets the validation of a body whose request ended without taking it (refused before, for instance). */
    public void discard(byte[] array) {
        started.remove(array);
    }

    /** Bodies validated as they arrived, for the metrics. */
    public long validatedEarly() {
        return threads.getCompletedTaskCount();
    }
}
