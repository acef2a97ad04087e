package app.garagesync.store;

/** A stored version that no longer reads back whole: truncated, bit-flipped, or unreadable. */
public class DamagedVersionException extends RuntimeException {

    public DamagedVersionException(String user, long id, String why, Throwable cause) {
        super("version " + id + " of user " + user + " is damaged: " + why, cause);
    }
}
