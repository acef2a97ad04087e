package app.garagesync.backup;

import app.garagesync.api.ArrivingBody;
import app.garagesync.store.BackupStore;
import app.garagesync.store.Incoming;
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
    private final BackupStore store;
    private final Map<byte[], Started> started = new ConcurrentHashMap<>();
    private final ThreadPoolExecutor threads = SideThreads.pool("garage-sync-early-validation", THREADS);

    /** A body being validated as it arrives, for {@code user} (null: not known then), with the store's work on it (or null). */
    private record Started(CompletableFuture<BackupReader.Validated> result, String user, Incoming incoming) {
    }

    /**
     * What was done while a body arrived: its validation, and the store's work on it when it was started for the
     * user the request turned out to be from.
     */
    public record Taken(BackupReader.Validated validated, Incoming incoming) {
    }

    public EarlyValidation(BackupReader reader, BackupStore store) {
        this.reader = reader;
        this.store = store;
    }

    /**
     * Starts validating {@code body} as it arrives, when it is big enough and a thread is free; and, when the
     * request names its user ({@code whose} gives it, or null when not known yet; asked only for a big body),
     * the store's compression of it if it wants one.
     */
    public void start(ArrivingBody body, java.util.function.Supplier<String> whose) {
        if (!body.sized() || body.array().length < MIN_SIZE) {
            return;
        }
        String user = whose.get();
        CompletableFuture<BackupReader.Validated> result = new CompletableFuture<>();
        Incoming incoming = user == null ? null : store.arriving(user, body.array(), body::stream);
        // keyed by the array itself (identity): it is what the request finds as its body
        started.put(body.array(), new Started(result, user, incoming));
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
     * What was done on the body whose bytes are {@code array} while it arrived, for {@code user}; null when its
     * validation was not started here. Throws what validation threw (an invalid backup's 400).
     */
    public Taken take(byte[] array, String user) {
        Started early = started.remove(array);
        if (early == null) {
            return null;
        }
        try {
            return new Taken(early.result().get(), user.equals(early.user()) ? early.incoming() : null);
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
