package app.garagesync.edge;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The memory all request bodies in flight may hold together. The HTTP server reserves a body's size
 * before reading it (it allocates the announced Content-Length at once), so thirty stalled 49 MB uploads
 * no longer add up to an OutOfMemoryError: beyond the budget a request is refused with 503 before a byte
 * of its body is read.
 */
public final class BodyBudget {

    private final long capacity;
    private final AtomicLong reserved = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    public BodyBudget(long capacity) {
        this.capacity = capacity;
    }

    /** Reserves {@code bytes}, or returns false (and counts a refusal) when they do not fit beside the others. */
    public boolean tryReserve(long bytes) {
        while (true) {
            long now = reserved.get();
            if (now + bytes > capacity) {
                refused.incrementAndGet();
                return false;
            }
            if (reserved.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    public void release(long bytes) {
        reserved.addAndGet(-bytes);
    }

    public long capacity() {
        return capacity;
    }

    public long reserved() {
        return reserved.get();
    }

    public long refused() {
        return refused.get();
    }
}
