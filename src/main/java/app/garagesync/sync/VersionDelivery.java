package app.garagesync.sync;

import app.garagesync.Json;
import app.garagesync.store.BackupStore;
import app.garagesync.store.StoredVersion;
import app.garagesync.store.VersionInfo;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the sync flows that need Java: load a version's stored form, record a confirmed delivery
 * in the ledger, and, as the dead letter of {@code sync-deliver}, write an undelivered object to the spool.
 */
public final class VersionDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(VersionDelivery.class);

    /** Exchange property a spooled delivery carries: why the target refused, for the history. */
    static final String FAILURE_CAUSE = "GarageSyncFailureCause";

    private final BackupStore store;
    private final SpoolFolder spool;
    private final SyncBoard board;
    private final SyncMetrics metrics;
    private final ProducerTemplate producer;
    private final TargetLedger ledger;

    public VersionDelivery(BackupStore store, SpoolFolder spool, SyncBoard board, SyncMetrics metrics,
                           ProducerTemplate producer, TargetLedger ledger) {
        this.ledger = ledger;
        this.store = store;
        this.spool = spool;
        this.board = board;
        this.metrics = metrics;
        this.producer = producer;
    }

    /**
     * The version's stored form as the body (a checkpoint, or a delta of its parent: what the target
     * keeps), and its index entry, with the SHA-256 of the document a restore will rebuild from it.
     */
    public void load(Exchange exchange) {
        String user = user(exchange);
        long id = exchange.getProperty(RemoteLayout.VERSION, Long.class);
        StoredVersion stored = store.stored(user, id);
        RemoteObject object = RemoteObject.of(stored, documentSha256(target(exchange), user, stored.info()));
        exchange.setProperty(RemoteLayout.ENTRY, RemoteLayout.entry(stored.info(), object));
        exchange.setProperty(RemoteLayout.OBJECT, stored.bytes());
        exchange.getMessage().setBody(stored.bytes());
    }

    /** Known from an object the target holds for the same version (one rewritten by a prune); else rebuilt. */
    private String documentSha256(String target, String user, VersionInfo v) {
        for (RemoteObject o : ledger.mark(target, user).objects().values()) {
            if (o.id() == v.id() && o.contentHash().equals(v.contentHash())) {
                return o.sha256();
            }
        }
        return store.document(user, v.id()).sha256();
    }

    /** The target confirmed the object: the ledger knows it is there (the index lists it later). */
    public void delivered(Exchange exchange) throws IOException {
        String target = target(exchange);
        String user = user(exchange);
        RemoteObject object = RemoteObject.fromMap(entry(exchange));
        ledger.update(target, user, m -> m.withObject(object.key(user), object));
        metrics.delivered(target, object.objectSize());
        exchange.setProperty(SyncRunner.OUTCOME, "delivered");
        if (board.succeeded(target)) {
            LOG.info("Target {} answers again", target);
            notice("recovered", target, null);
        }
    }

    /** Dead letter: every redelivery failed; keep the version, zipped, for the drain. */
    public void spool(Exchange exchange) {
        String target = target(exchange);
        String user = user(exchange);
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String error = describe(cause);
        metrics.failure(target);
        var file = spool.write(target, user, entry(exchange), exchange.getProperty(RemoteLayout.OBJECT, byte[].class), error);
        LOG.warn("Target {} did not take version {} of user {} ({}); kept in {}", target,
                exchange.getProperty(RemoteLayout.VERSION), user, error, file);
        exchange.setProperty(SyncRunner.OUTCOME, "spooled");
        exchange.setProperty("GarageSyncError", error);
        exchange.setProperty(FAILURE_CAUSE, FailureCause.of(cause));
        if (board.failed(target, error, FailureCause.of(cause))) {
            notice("failing", target, error);
        }
    }

    /** An operation outside a delivery (a replay, the index, a delete) failed after every redelivery. */
    public void failed(String target, Throwable cause) {
        String error = describe(cause);
        metrics.failure(target);
        if (board.failed(target, error, FailureCause.of(cause))) {
            notice("failing", target, error);
        }
    }

    /** Tells the optional webhook, in the background: a notice must never hold up or break a sync. */
    private void notice(String event, String target, String error) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("target", target);
        body.put("error", error);
        body.put("time", board.clock().instant().toString());
        body.put("text", "garage-sync: target " + target + (error == null ? " answers again" : " is failing: " + error));
        producer.sendBody("seda:sync-notify?multipleConsumers=true", Json.bytes(body));
    }

    static String describe(Throwable t) {
        if (t == null) {
            return "unknown error";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + (m.length() > 300 ? m.substring(0, 300) + "..." : m));
    }

    private static String target(Exchange e) {
        return e.getProperty(RemoteLayout.TARGET, String.class);
    }

    private static String user(Exchange e) {
        return e.getProperty(RemoteLayout.USER, String.class);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> entry(Exchange e) {
        return e.getProperty(RemoteLayout.ENTRY, Map.class);
    }
}
