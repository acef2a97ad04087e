package app.garagesync.store;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;

/**
 * Group commit of one directory's fsyncs. A writer that has just linked (or removed) a name in the
 * directory calls {@link #sync()}, which returns only once an fsync of the directory that <em>started
 * after</em> the call has succeeded, so the writer's own entry is durable. Writers arriving while an fsync
 * runs join the next batch, and one of them fsyncs once for all of them when the running one ends: the
 * leader/follower scheme of PostgreSQL's WAL flush and RocksDB's write groups, without commit_delay's
 * wait: a lone writer fsyncs at once, a batch only forms from writers that would have waited anyway.
 *
 * <p>A failed fsync fails every writer of its batch and is not retried for them: after a failed fsync
 * Linux may report the next one clean although the entries were dropped ("fsyncgate").
 */
final class DirectoryCommit {

    /** The fsync itself; a test passes one that records what each fsync covered. */
    @FunctionalInterface
    interface Fsync {
        void sync(Path dir) throws IOException;
    }

    private static final class Batch {
        boolean done;
        IOException failure;
        int writers;
    }

    private final Path dir;
    private final Fsync fsync;
    private Batch open;
    private boolean leading;

    DirectoryCommit(Path dir, Fsync fsync) {
        this.dir = dir;
        this.fsync = fsync;
    }

    /** Returns once the directory has been fsynced after this call began; throws the fsync's failure. */
    void sync() throws IOException {
        Batch mine;
        synchronized (this) {
            if (open == null) {
                open = new Batch();
            }
            mine = open;
            mine.writers++;
            while (leading && !mine.done) {
                waitForBatch();
            }
            if (mine.done) {
                outcome(mine);
                return;
            }
            // nobody syncs: the open batch is this writer's (only one batch is open, one being synced)
            leading = true;
            open = null;
        }
        IOException failure = null;
        try {
            fsync.sync(dir);
        } catch (IOException e) {
            failure = e;
        } catch (RuntimeException | Error e) {
            failure = new IOException("fsync of " + dir + " failed: " + e, e);
        }
        synchronized (this) {
            mine.done = true;
            mine.failure = failure;
            leading = false;
            notifyAll();
        }
        outcome(mine);
    }

    private void waitForBatch() throws InterruptedIOException {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            // the entry may not be durable: the caller must not acknowledge
            throw new InterruptedIOException("interrupted while waiting for the fsync of " + dir);
        }
    }

    private static void outcome(Batch batch) throws IOException {
        if (batch.failure != null) {
            throw new IOException(batch.failure.getMessage(), batch.failure);
        }
    }

    /** Writers waiting in the open batch (for tests: a batch can be seen to form). */
    synchronized int waiting() {
        return open == null ? 0 : open.writers;
    }

    synchronized boolean idle() {
        return open == null && !leading;
    }
}
