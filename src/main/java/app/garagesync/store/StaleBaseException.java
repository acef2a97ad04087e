package app.garagesync.store;

/** A change-set was made against a version that is no longer the latest. */
public class StaleBaseException extends RuntimeException {

    private final Long latest;

    public StaleBaseException(long base, Long latest) {
        super("baseVersion " + base + " is not the latest version (" + (latest == null ? "none yet" : latest)
                + "): fetch the latest and send the changes again");
        this.latest = latest;
    }

    public Long latest() {
        return latest;
    }
}
