package app.garagesync.store;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/**
 * The read-modify-write of a small record several daemons update (the mark of numbers given, the prune
 * record): read it with its tag, work out the new content, replace it only if nobody changed it
 * meanwhile, and start again from the new content when somebody did.
 *
 * <p>A daemon on a slow link loses most races to a busy daemon that rewrites the record on every backup.
 * It tries again at once (a backoff only made it lose more: the busy daemon's rhythm does not slow down
 * for it) for {@link #CONTENDED_FOR_NANOS} rather than a fixed count. Past that, the store is too busy for
 * now: {@link StoreUnavailableException}, a 503 the client retries, never a 500.
 */
final class ConditionalReplace {

    /** How long one update keeps racing other daemons before the request is answered "retry shortly". */
    static final long CONTENDED_FOR_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The new content of the record, and what the update answers once it is written. */
    record Change<T>(byte[] content, T answer) {
    }

    /** From what the record holds now (null: no record yet), the change to write; null when none is needed. */
    interface Step<T> {
        Change<T> next(BlobStore.Tagged now) throws IOException;
    }

    private ConditionalReplace() {
    }

    /** The written change's answer, or null when {@code step} found nothing to write. */
    static <T> T update(BlobStore blobs, String key, Step<T> step) throws IOException {
        return update(blobs, key, step, CONTENDED_FOR_NANOS);
    }

    static <T> T update(BlobStore blobs, String key, Step<T> step, long contendedForNanos) throws IOException {
        long deadline = System.nanoTime() + contendedForNanos;
        for (int race = 0; ; race++) {
            BlobStore.Tagged now = blobs.readTagged(key);
            Change<T> change = step.next(now);
            if (change == null) {
                return null;
            }
            try {
                blobs.replaceIf(key, now == null ? null : now.tag(), out -> out.write(change.content()));
                return change.answer();
            } catch (BlobStore.BlobChangedException e) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new StoreUnavailableException("cannot update " + key + ": other daemons changed it "
                            + (race + 1) + " times in a row", "contended by other daemons", false, e);
                }
            }
        }
    }
}
