package app.garagesync.backup;

import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Threads that take a big backup's side work (its validation while it arrives, a merged document's hash)
 * while its request goes on. Nothing waits in a queue: work that finds every thread busy is refused
 * ({@code RejectedExecutionException}), and its caller does it itself, as for a small backup. Idle threads end.
 */
final class SideThreads {

    private SideThreads() {
    }

    /** At most {@code max} daemon threads named {@code name}, none kept when idle for 30 s. */
    static ThreadPoolExecutor pool(String name, int max) {
        return new ThreadPoolExecutor(0, max, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }
}
