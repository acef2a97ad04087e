package app.garagesync.store;

/** The outcome of offering a backup to the store. */
public sealed interface StoreResult {

    VersionInfo version();

    /** A new version was written and made durable. */
    record Stored(VersionInfo version) implements StoreResult {
    }

    /** The content equals the latest version's: nothing was written. */
    record Unchanged(VersionInfo version) implements StoreResult {
    }
}
