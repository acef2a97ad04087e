package app.garagesync.store;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NotDirectoryException;

/**
 * The storage under the store cannot take this operation now: a folder that cannot be written (read-only
 * file system, not a folder, permission), a full disk, an S3 store that cannot be reached or refuses.
 * Not the caller's fault and not damage: nothing was written, and the same request can succeed once the
 * storage is back. The HTTP edge answers 503 (507 when {@link #full()}) with Retry-After.
 */
public final class StoreUnavailableException extends IOException {

    private final boolean full;
    private final String reason;

    public StoreUnavailableException(String message, String reason, boolean full, Throwable cause) {
        super(message, cause);
        this.reason = reason;
        this.full = full;
    }

    /** A failed file operation on {@code what} (a path, for the log), classified from the OS's answer. */
    public static StoreUnavailableException of(String what, IOException e) {
        if (e instanceof StoreUnavailableException already) {
            return already;
        }
        String reason = reason(e);
        return new StoreUnavailableException("cannot " + what + ": " + reason, reason, isFull(e), e);
    }

    /** True when the disk (or the user's quota) is full: the answer is 507, and freeing space is the cure. */
    public boolean full() {
        return full;
    }

    /** The cause in a few words, without a path ("Read-only file system", "No space left on device"). */
    public String reason() {
        return reason;
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof NotDirectoryException) {
            return "Not a directory";
        }
        if (e instanceof FileSystemException fs) {
            // without a reason its message is only the path
            return fs.getReason() != null ? fs.getReason() : e.getClass().getSimpleName();
        }
        // FileChannel.write and friends put the OS's text (strerror) as the whole message
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    private static boolean isFull(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            String text = c instanceof FileSystemException fs ? fs.getReason() : c.getMessage();
            if (text != null && (text.contains("No space left on device") || text.contains("Disk quota exceeded"))) {
                return true;
            }
        }
        return false;
    }
}
