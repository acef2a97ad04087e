package app.garagesync.store;

import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A posted document on its way to becoming a version. The store's work on it that does not depend on
 * its validation (finding its entities; compressing it whole when it will be a checkpoint) can start on
 * another core while the caller validates it: on a 50 MB backup each side takes a core for about as
 * long, so the commit comes sooner. The work done ahead is only ever used after the caller passed this
 * to {@link BackupStore#put(String, Incoming, BackupSummary)} with a valid
 * summary; for a document that fails validation it is thrown away.
 *
 * <p>The scanner runs here on bytes nobody has validated yet, so it must end on any input; it does
 * (every one of its loops consumes a byte per turn), and {@code LayoutScannerFuzzTest} holds it to that.
 */
public final class Incoming {

    /** Below this size the work is done inline: a hand-off to another thread would cost more than it saves. */
    static final int AHEAD_MIN_SIZE = 1 << 20;

    final byte[] json;
    final int length;
    /** The layout its writer handed over, or null: then scanned (ahead or when asked). */
    private final Layout known;
    private final CompletableFuture<Ahead> ahead;

    /** What was computed ahead: the layout (null if not wanted) and the whole document's zstd frame (null if not wanted). */
    private record Ahead(Layout layout, ByteArrayOutputStream wholeFrame) {
    }

    private Incoming(byte[] json, int length, Layout known, CompletableFuture<Ahead> ahead) {
        this.json = json;
        this.length = length;
        this.known = known;
        this.ahead = ahead;
    }

    /** A document whose work is all done when the store needs it, on the storing thread. */
    public static Incoming inline(byte[] json, int length) {
        return new Incoming(json, length, null, null);
    }

    /**
     * A document whose layout its writer knows ({@code known}, what a scan would find): only its whole
     * compression, when wanted, is started ahead.
     */
    static Incoming ahead(byte[] json, int length, Layout known, boolean compressWhole, int zstdLevel, Executor executor) {
        CompletableFuture<Ahead> work = null;
        if (compressWhole && length >= AHEAD_MIN_SIZE) {
            try {
                work = CompletableFuture.supplyAsync(() -> new Ahead(null, compressed(json, length, zstdLevel)), executor);
            } catch (RejectedExecutionException busy) {
                work = null; // compressed inline when stored, as a small one is
            }
        }
        return new Incoming(json, length, known, work);
    }

    /**
     * Starts the scan (when {@code scan}) and the whole compression (when {@code compressWhole}) on
     * {@code executor}; falls back to doing them inline when the document is small or the executor busy.
     */
    static Incoming ahead(byte[] json, int length, boolean scan, boolean compressWhole, int zstdLevel, Executor executor) {
        if (length < AHEAD_MIN_SIZE || !(scan || compressWhole)) {
            return inline(json, length);
        }
        try {
            return new Incoming(json, length, null, CompletableFuture.supplyAsync(() -> new Ahead(
                    scan ? LayoutScanner.scan(json, length) : null,
                    compressWhole ? compressed(json, length, zstdLevel) : null), executor));
        } catch (RejectedExecutionException busy) {
            // another big backup has the helper thread: this one is prepared inline, as a small one is
            return inline(json, length);
        }
    }

    /**
     * A document still arriving in {@code array} (see {@link BackupStore#arriving}), compressed whole on
     * {@code executor} as {@code bytes} reads it in; null when the executor is busy. Its layout is set by
     * {@link #withLayout} once the document is valid.
     */
    static Incoming compressingAsItArrives(byte[] array, java.util.function.Supplier<java.io.InputStream> bytes, int level,
                                           Executor executor) {
        try {
            return new Incoming(array, array.length, null, CompletableFuture.supplyAsync(
                    () -> new Ahead(null, compressedAsItArrives(bytes, array.length, level)), executor));
        } catch (RejectedExecutionException busy) {
            return null;
        }
    }

    /**
     * This document with its layout as its validation found it (what a scan would find), or scanned when asked if
     * {@code layout} is null; the work started ahead is kept.
     */
    public Incoming withLayout(Layout layout) {
        return new Incoming(json, length, layout, ahead);
    }

    /**
     * The document's layout, computed ahead or now: for the store, and for a merge of the document, which
     * would otherwise scan it again (use it only once the document is validated).
     */
    public Layout layout() {
        if (known != null) {
            return known;
        }
        Ahead done = done();
        return done != null && done.layout() != null ? done.layout() : LayoutScanner.scan(json, length);
    }

    /** Writes the document's zstd frame (with its checksum) to {@code out}, compressed ahead or now. */
    void writeWhole(OutputStream out, int zstdLevel) throws IOException {
        Ahead done = done();
        if (done != null && done.wholeFrame() != null) {
            done.wholeFrame().writeTo(out);
        } else {
            VersionFile.compressTo(out, json, length, zstdLevel);
        }
    }

    /** What was computed ahead, or null when nothing was or it failed (the work is then simply done again). */
    private Ahead done() {
        if (ahead == null) {
            return null;
        }
        try {
            return ahead.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (ExecutionException e) {
            return null;
        }
    }

    /** The zstd frame of a document read as it arrives; fails (and is then made again when stored) if it is abandoned. */
    private static ByteArrayOutputStream compressedAsItArrives(java.util.function.Supplier<java.io.InputStream> bytes,
                                                               int length, int level) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(Math.max(4096, length / 6));
        byte[] piece = new byte[1 << 16];
        try (java.io.InputStream in = bytes.get(); OutputStream z = VersionFile.compressing(frame, level)) {
            for (int n = in.read(piece); n >= 0; n = in.read(piece)) {
                z.write(piece, 0, n);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return frame;
    }

    /** The version file's zstd frame, compressed by the helper thread alone: the other core is validating meanwhile. */
    private static ByteArrayOutputStream compressed(byte[] json, int length, int level) {
        ByteArrayOutputStream frame = new ByteArrayOutputStream(Math.max(4096, length / 6));
        try {
            VersionFile.compressTo(frame, json, length, level, 0);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return frame;
    }
}
