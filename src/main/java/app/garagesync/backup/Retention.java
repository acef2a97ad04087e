package app.garagesync.backup;

import app.garagesync.auth.RequestIdentity;
import app.garagesync.store.BackupStore;
import app.garagesync.store.RetentionPolicy;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies the {@link RetentionPolicy} to a user after a backup, and to every user on a timer, in restic's
 * two steps: versions outside the policy are forgotten at once (gone from lists, reads and syncs), and
 * their blobs are pruned in batches.
 */
public final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final BackupStore store;
    private final RetentionPolicy policy;
    private final int batch;

    /**
     * {@code batch}: after a backup, forgotten versions are pruned only once at least this many wait. A
     * shop past keep-last would otherwise prune on every backup: rewrite a kept version whole, delete a
     * file and fsync its folder, each time (measured: 64 clients of 20 KB backups went from about 1,700 to
     * 670 requests/s once every user had passed keep-last, forget and prune together). The timer prunes all.
     */
    public Retention(BackupStore store, RetentionPolicy policy, int batch) {
        this.store = store;
        this.policy = policy;
        this.batch = Math.max(1, batch);
    }

    /** Set by the backup endpoints to the id of the version a request stored (absent when it stored none). */
    public static final String NEW_VERSION = "garagesync.newVersion";

    /**
     * Whether the version just stored can have pushed one of the caller's versions out of the policy.
     * Ids grow from 1 without reuse, so a new id within keep-last means at most keep-last versions, all
     * kept: most backups then skip retention, which cost about a tenth of a small backup.
     */
    public boolean isDue(Exchange exchange) {
        Long id = exchange.getProperty(NEW_VERSION, Long.class);
        return id != null && policy.mayRemoveWith(id, 1);
    }

    /**
     * Forgets, before the backup's answer leaves, the caller's versions it pushed out of the policy. The
     * version is stored whatever happens here: a failure is logged, and the next backup or the timer
     * forgets them.
     */
    public void forgetForCaller(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        try {
            forget(user);
        } catch (RuntimeException e) {
            LOG.warn("Retention could not forget old versions of user {} now, it will try again: {}", user,
                    e.getMessage());
        }
    }

    /**
     * Whether a batch of the caller's forgotten versions waits, so that the background prune has work. Without
     * it, every backup past keep-last was handed, with a copy of its exchange, to another thread for a prune
     * that found nothing to do nine times in ten (batch 10).
     */
    public boolean isPruneDue(Exchange exchange) {
        return store.forgottenWaiting(exchange.getProperty(RequestIdentity.USER, String.class)) >= batch;
    }

    /** Prunes the caller's forgotten versions once a batch of them waits (in the background, after the answer). */
    public void pruneForCaller(Exchange exchange) {
        prune(exchange.getProperty(RequestIdentity.USER, String.class), batch);
    }

    public void applyToAll() {
        store.users().forEach(this::apply);
    }

    /** Forgets what the policy no longer keeps and prunes every forgotten version; answers the ids pruned. */
    public Set<Long> apply(String user) {
        if (policy.keepsEverything()) {
            return Set.of();
        }
        forget(user);
        return prune(user, 1);
    }

    private Set<Long> forget(String user) {
        if (policy.keepsEverything()) {
            return Set.of();
        }
        Set<Long> forgotten = store.forget(user, policy::keep);
        if (!forgotten.isEmpty()) {
            LOG.info("Retention forgot {} version(s) of user {}: {}", forgotten.size(), user, forgotten);
        }
        return forgotten;
    }

    private Set<Long> prune(String user, int atLeast) {
        Set<Long> removed = store.prune(user, atLeast);
        if (!removed.isEmpty()) {
            LOG.info("Retention pruned {} forgotten version(s) of user {}: {}", removed.size(), user, removed);
        }
        return removed;
    }
}
