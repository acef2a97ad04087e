package app.garagesync.store;

/** A create-only write found the version already there; versions are never replaced. */
public class VersionExistsException extends RuntimeException {

    public VersionExistsException(String user, long id) {
        super("version " + id + " of user " + user + " already exists");
    }
}
