package app.garagesync.backup;

import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.store.RetentionPolicy;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the {@link RetentionPolicy} to a user after a backup, and to every user on a timer. */
public final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final BackupStore store;
    private final RetentionPolicy policy;
    private final int batch;

    /**
     * {@code batch}: after a backup, versions are removed only once at least this many can go. A shop past
     * keep-last would otherwise prune on every backup: rewrite a kept version whole, replace and fsync the
     * prune log, delete a file and fsync its folder, each time (measured: 64 clients of 20 KB backups went
     * from about 1,700 to 670 requests/s once every user had passed keep-last). The timer removes all.
     */
    public Retention(BackupStore store, RetentionPolicy policy, int batch) {
        this.store = store;
        this.policy = policy;
        this.batch = Math.max(1, batch);
    }

    /** Set by the backup endpoints to the id of the version a request stored (absent when it stored none). */
    public static final String NEW_VERSION = "garagesync.newVersion";

    /**
     * Whether the version just stored can have made one of the caller's versions removable. Ids grow
     * from 1 without reuse, so a new id within keep-last means at most keep-last versions, all kept: most
     * backups then skip the hand-off to the retention route, which cost about a tenth of a small backup.
     */
    public boolean isDue(Exchange exchange) {
        Long id = exchange.getProperty(NEW_VERSION, Long.class);
        return id != null && policy.mayRemoveWith(id, batch);
    }

    public void applyToCaller(Exchange exchange) {
        apply(exchange.getProperty(RequestIdentity.USER, String.class), batch);
    }

    public void applyToAll() {
        store.users().forEach(this::apply);
    }

    public Set<Long> apply(String user) {
        return apply(user, 1);
    }

    private Set<Long> apply(String user, int atLeast) {
        if (policy.keepsEverything()) {
            return Set.of();
        }
        Set<Long> removed = store.prune(user, policy::keep, atLeast);
        if (!removed.isEmpty()) {
            LOG.info("Retention removed {} version(s) of user {}: {}", removed.size(), user, removed);
        }
        return removed;
    }
}
