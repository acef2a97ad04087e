package app.garagesync.store;

import app.garagesync.auth.RequestIdentity;
import java.util.Set;
import org.apache.camel.Exchange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Applies the {@link RetentionPolicy} to a user after a backup, and to every user on a timer. */
public final class Retention {

    private static final Logger LOG = LoggerFactory.getLogger(Retention.class);

    private final BackupStore store;
    private final RetentionPolicy policy;

    public Retention(BackupStore store, RetentionPolicy policy) {
        this.store = store;
        this.policy = policy;
    }

    public void applyToCaller(Exchange exchange) {
        apply(exchange.getProperty(RequestIdentity.USER, String.class));
    }

    public void applyToAll() {
        store.users().forEach(this::apply);
    }

    public Set<Long> apply(String user) {
        if (policy.keepsEverything()) {
            return Set.of();
        }
        Set<Long> removed = store.prune(user, policy::keep);
        if (!removed.isEmpty()) {
            LOG.info("Retention removed {} version(s) of user {}: {}", removed.size(), user, removed);
        }
        return removed;
    }
}
