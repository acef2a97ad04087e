package app.garagesync.store;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An OS lock on {@code <data-dir>/.lock}, held for the daemon's life: two daemons writing one data
 * directory would number versions independently and overwrite each other's view. The OS releases the
 * lock when the process dies, even by {@code kill -9}.
 */
public final class DataDirectoryLock implements AutoCloseable {

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static DataDirectoryLock acquire(Path dataDir) throws IOException {
        DurableFiles.createDirectories(dataDir);
        Path file = dataDir.resolve(".lock");
        FileChannel ch = FileChannel.open(file, java.util.Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE),
                DurableFiles.privateFile());
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException heldInThisJvm) {
            lock = null;
        }
        if (lock == null) {
            ch.close();
            throw new IllegalStateException("data directory " + dataDir.toAbsolutePath()
                    + " is in use by another garage-sync process (lock " + file + ")");
        }
        return new DataDirectoryLock(ch, lock);
    }

    @Override
    public void close() throws IOException {
        lock.release();
        channel.close();
    }
}
