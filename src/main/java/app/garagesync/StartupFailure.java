package app.garagesync;

import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * The one line an operator reads (in {@code journalctl}, in a terminal) when the daemon cannot start: what
 * failed, in words, instead of the stack trace of whichever wrapper Camel put around it. The process then
 * exits non-zero, so systemd's {@code Restart=on-failure} and any supervisor see the failure.
 */
final class StartupFailure {

    static final String PREFIX = "garage-sync cannot start: ";

    private StartupFailure() {
    }

    /** What went wrong, on one line: the innermost message that is more than a wrapper's copy of its cause. */
    static String describe(Throwable failure) {
        Throwable t = failure;
        while (t.getCause() != null && t.getCause() != t && isWrapper(t)) {
            t = t.getCause();
        }
        String text = t instanceof Exception e && t.getMessage() != null && !(t instanceof FileSystemException)
                ? t.getMessage()
                : reason(t);
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    /** An I/O failure in words: "no such file: /etc/garage-sync/offsite.key". */
    static String reason(Throwable e) {
        if (e instanceof NoSuchFileException f) {
            return "no such file: " + f.getFile();
        }
        if (e instanceof AccessDeniedException f) {
            return "permission denied: " + f.getFile();
        }
        if (e instanceof FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : f.getClass().getSimpleName());
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private static boolean isWrapper(Throwable t) {
        String message = t.getMessage();
        Throwable cause = t.getCause();
        return message == null || message.isBlank() || message.equals(cause.toString())
                || message.equals(cause.getMessage());
    }
}
