package app.garagesync.api;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * A request body being received: one array, filled by the HTTP server's thread as the bytes come in and
 * read meanwhile by another thread through {@link #stream()}, which waits for the bytes it needs. A body
 * that announced its size is received into an array of exactly that size: no copy of it is ever made,
 * and what reads it as it arrives reads the very bytes the store keeps. A body sent in chunks grows by
 * doubling up to the limit.
 */
public final class ArrivingBody {

    private static final int FIRST_CHUNKED_CAPACITY = 64 * 1024;

    private final long limit;
    private final boolean sized;
    private byte[] array;
    private volatile int filled;
    /** 0 arriving, 1 complete, 2 abandoned (the client left, or the body was refused). */
    private volatile int state;
    private final Object arrival = new Object();
    /** Readers waiting for more bytes (changed under the lock, read by the receiving thread without it). */
    private volatile int waiting;

    private ArrivingBody(byte[] array, boolean sized, long limit) {
        this.array = array;
        this.sized = sized;
        this.limit = limit;
    }

    /** A body that announced {@code size} bytes (at most the limit, checked by the caller). */
    public static ArrivingBody ofSize(int size) {
        return new ArrivingBody(new byte[size], true, size);
    }

    /** A body of unknown size, refused once it passes {@code limit} bytes. */
    public static ArrivingBody chunked(long limit) {
        return new ArrivingBody(new byte[(int) Math.min(FIRST_CHUNKED_CAPACITY, Math.max(0, limit))], false, limit);
    }

    /** Whether the array is the body's final one (its size was announced): only such a body can be read as it arrives. */
    public boolean sized() {
        return sized;
    }

    /**
     * Adds the next bytes (on the receiving thread). False when they would pass the announced size or the
     * limit: nothing is added, and the body should be refused.
     */
    public boolean append(byte[] bytes, int offset, int count) {
        return append(count, (into, at) -> System.arraycopy(bytes, offset, into, at, count));
    }

    /** Copies {@code count} bytes into the body's array at a position: straight from the network's buffer, with no copy between. */
    @FunctionalInterface
    public interface Filler {
        void fill(byte[] into, int at);
    }

    /** As {@link #append(byte[], int, int)}, the {@code count} bytes copied in by {@code filler}. */
    public boolean append(int count, Filler filler) {
        int at = filled;
        if ((long) at + count > limit) {
            return false;
        }
        if (at + count > array.length) {
            // only a chunked body grows; the reader of an arriving body needs a fixed array (see sized())
            array = Arrays.copyOf(array, (int) Math.min(limit, Math.max((long) array.length * 2, (long) at + count)));
        }
        filler.fill(array, at);
        filled = at + count;
        wakeReader();
        return true;
    }

    /** The last byte is in. */
    public void complete() {
        state = 1;
        wakeReader();
    }

    /** The body will not be whole: a reader waiting for more gets an IOException. */
    public void abandon() {
        if (state == 0) {
            state = 2;
            wakeReader();
        }
    }

    public boolean isComplete() {
        return state == 1;
    }

    /** The array holding the body (its first {@link #length()} bytes); whole once complete. */
    public byte[] array() {
        return array;
    }

    public int length() {
        return filled;
    }

    private void wakeReader() {
        if (waiting > 0) {
            synchronized (arrival) {
                arrival.notifyAll();
            }
        }
    }

    /** Waits until the body is complete; false when it was abandoned instead. */
    public boolean awaitComplete() throws InterruptedException {
        while (state == 0) {
            awaitMoreThan(filled);
        }
        return state == 1;
    }

    private void awaitMoreThan(int position) throws InterruptedException {
        synchronized (arrival) {
            waiting++;
            try {
                while (filled <= position && state == 0) {
                    arrival.wait();
                }
            } finally {
                waiting--;
            }
        }
    }

    /**
     * The body's bytes as they arrive, for a reader thread of a {@link #sized()} body (each stream has its own
     * position; several may read at once): a read waits for the next bytes, ends (-1) after the last one, and
     * fails with an IOException if the body is abandoned.
     */
    public InputStream stream() {
        if (!sized) {
            throw new IllegalStateException("only a body of announced size can be read as it arrives");
        }
        return new InputStream() {
            private int position;

            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) {
                    return 0;
                }
                int available = filled - position;
                while (available <= 0) {
                    if (state == 2) {
                        throw new IOException("the body did not arrive whole (the client left or it was refused)");
                    }
                    if (state == 1 && filled == position) {
                        return -1;
                    }
                    try {
                        awaitMoreThan(position);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IOException("interrupted while waiting for the body", e);
                    }
                    available = filled - position;
                }
                int n = Math.min(len, available);
                System.arraycopy(array, position, b, off, n);
                position += n;
                return n;
            }

            @Override
            public int available() {
                return filled - position;
            }
        };
    }
}
