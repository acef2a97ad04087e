package app.garagesync.store;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Set;

/**
 * The bytes of a new blob as its writer streams them: in memory while they fit a pack record
 * ({@link PackFolder}), in a temporary file beside the blob's own path once they pass {@code bound} (a
 * whole 50 MB garage is stored in a file of its own, never held twice in memory). {@link #finish} fsyncs
 * that file; {@link #discard} removes it.
 */
final class BlobBuffer extends OutputStream {

    private final int bound;
    private final Path target;
    private byte[] bytes = new byte[1 << 14];
    private int size;
    private Path temp;
    private FileChannel channel;
    private OutputStream spill;

    BlobBuffer(int bound, Path target) {
        this.bound = bound;
        this.target = target;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (spill == null && (long) size + len > bound) {
            temp = DurableFiles.tempBeside(target);
            channel = FileChannel.open(temp, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE),
                    DurableFiles.privateFile());
            spill = new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16);
            spill.write(bytes, 0, size);
            bytes = null;
        }
        if (spill != null) {
            spill.write(b, off, len);
            size += len;
            return;
        }
        if (size + len > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.min(bound, Math.max(size + len, bytes.length * 2)));
        }
        System.arraycopy(b, off, bytes, size, len);
        size += len;
    }

    /** Ends the writing: a spilled blob's file is flushed and fsynced. */
    void finish() throws IOException {
        if (spill != null) {
            spill.flush();
            channel.force(true);
            DurableFiles.countFileSync();
            channel.close();
        }
    }

    /** Removes the temporary file, if any: for a blob that will not be stored. */
    void discard() throws IOException {
        if (channel != null) {
            channel.close();
        }
        if (temp != null) {
            Files.deleteIfExists(temp);
        }
    }

    boolean spilled() {
        return temp != null;
    }

    /** The temporary file, fsynced by {@link #finish}, when {@link #spilled()}. */
    Path temp() {
        return temp;
    }

    byte[] bytes() {
        return bytes;
    }

    int size() {
        return size;
    }
}
