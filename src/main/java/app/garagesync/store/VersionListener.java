package app.garagesync.store;

/**
 * Told of each version this process stored (a backup, a change-set, a restore), once it is durable and
 * listed. Called on the thread that stored it, after the store released its lock: a listener must hand
 * any real work elsewhere and return at once. Versions other daemons write into a shared store are not
 * announced here; whoever needs them looks at {@link BackupStore#latest} now and then.
 */
@FunctionalInterface
public interface VersionListener {

    void stored(String user, long version);
}
