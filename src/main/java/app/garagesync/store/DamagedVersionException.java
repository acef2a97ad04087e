package app.garagesync.store;

/**
 * A stored version that no longer reads back whole: truncated, bit-flipped, or unreadable. It names the
 * damaged version and, when the store knows one, the newest version of the user that is not known to be
 * damaged, so that an answer can say what is still there.
 */
public class DamagedVersionException extends RuntimeException {

    private final long version;
    private final Long intactVersion;

    public DamagedVersionException(String user, long id, String why, Throwable cause) {
        this(user, id, why, null, cause);
    }

    public DamagedVersionException(String user, long id, String why, Long intactVersion, Throwable cause) {
        super("version " + id + " of user " + user + " is damaged: " + why, cause);
        this.version = id;
        this.intactVersion = intactVersion;
    }

    /** The damaged version's number. */
    public long version() {
        return version;
    }

    /** The newest version of the same user not known to be damaged; null when there is none. */
    public Long intactVersion() {
        return intactVersion;
    }
}
