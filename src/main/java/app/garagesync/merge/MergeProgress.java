package app.garagesync.merge;

import app.garagesync.store.delta.Layout;

/**
 * The merged document as the merge writes it, for a reader on another thread: its content hash is made
 * while the merge is still writing, instead of over 50 MB once it is done (SHA-256 of a 50 MB garage took
 * about as long as the merge itself, one after the other on the path to the answer).
 *
 * <p>The merge publishes how far its output is final (bytes it will never take back or change), from time
 * to time and at its end; {@link #follow} hands those bytes out as they come, the top-level
 * {@code timestamp} value left out, as the content hash leaves it out. A merge that ends without writing a
 * document (a side kept as it is, a failure) abandons it, and the reader gets nothing.
 */
public final class MergeProgress {

    /** How many new final bytes make the merge wake the reader: a few dozen times for a 50 MB document. */
    private static final int PUBLISH_EVERY = 1 << 20;

    final int publishEvery;

    private byte[] buffer;
    private int stable;
    private int timestampStart = -1;
    private int timestampEnd = -1;
    private boolean ended;
    private boolean abandoned;
    /** Read by the merge's thread only: where it last published, to publish only every so often. */
    int published;

    public MergeProgress() {
        this(PUBLISH_EVERY);
    }

    /** Publishing every {@code publishEvery} new final bytes (tests publish often on small documents). */
    MergeProgress(int publishEvery) {
        this.publishEvery = publishEvery;
    }

    /** Bytes [0, stable) of {@code buffer} are final; the timestamp value is at [start, end), -1 when not written. */
    synchronized void publish(byte[] buffer, int stable, int timestampStart, int timestampEnd) {
        this.buffer = buffer;
        this.stable = stable;
        this.timestampStart = timestampStart;
        this.timestampEnd = timestampEnd;
        this.published = stable;
        notifyAll();
    }

    /** The document is whole: its first {@code length} bytes. */
    synchronized void end(byte[] buffer, int length, int timestampStart, int timestampEnd) {
        publish(buffer, length, timestampStart, timestampEnd);
        ended = true;
        notifyAll();
    }

    /** No document will be written (or the one written is not the merge's own): the reader stops. */
    public synchronized void abandon() {
        if (!ended) {
            abandoned = true;
            notifyAll();
        }
    }

    /**
     * Hands {@code out} the document's bytes, in order, without the top-level timestamp value, as the merge
     * makes them final; true once the document is whole, false when the merge abandoned it.
     */
    public boolean follow(Layout.SliceConsumer out) throws InterruptedException {
        int done = 0;
        while (true) {
            byte[] b;
            int upTo;
            int tsStart;
            int tsEnd;
            boolean last;
            synchronized (this) {
                while (!abandoned && !ended && stable <= done) {
                    wait();
                }
                if (abandoned) {
                    return false;
                }
                b = buffer;
                upTo = stable;
                tsStart = timestampStart;
                tsEnd = timestampEnd;
                last = ended;
            }
            if (tsStart >= 0 && tsStart < upTo && tsEnd > done) {
                // the timestamp value is published whole, within the final bytes
                if (tsStart > done) {
                    out.slice(b, done, tsStart);
                }
                done = Math.max(done, tsEnd);
            }
            if (upTo > done) {
                out.slice(b, done, upTo);
                done = upTo;
            }
            if (last) {
                return true;
            }
        }
    }
}
