package app.garagesync.sync;

import app.garagesync.store.BackupStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.camel.Exchange;
import org.apache.camel.ProducerTemplate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of the sync flows that need Java: load a version's bytes, record a confirmed delivery, and,
 * as the dead letter of {@code sync-deliver}, write an undelivered version to the spool.
 */
public final class VersionDelivery {

    private static final Logger LOG = LoggerFactory.getLogger(VersionDelivery.class);

    private final BackupStore store;
    private final SpoolFolder spool;
    private final SyncBoard board;
    private final SyncMetrics metrics;
    private final ProducerTemplate producer;

    public VersionDelivery(BackupStore store, SpoolFolder spool, SyncBoard board, SyncMetrics metrics,
                           ProducerTemplate producer) {
        this.store = store;
        this.spool = spool;
        this.board = board;
        this.metrics = metrics;
        this.producer = producer;
    }

    /** The version's exact bytes as the body: what the target stores under the version's key. */
    public void load(Exchange exchange) {
        byte[] json = store.read(user(exchange), id(exchange));
        // recorded in the target's index: a restore checks every copy against it before storing it
        entry(exchange).put("sha256", RestoreApi.sha256(json));
        exchange.getMessage().setBody(json);
        metrics.attempt(target(exchange));
    }

    /** A spooled version is being replayed: one more attempt at its target. */
    public void replaying(Exchange exchange) {
        metrics.attempt(target(exchange));
    }

    public void delivered(Exchange exchange) {
        String target = target(exchange);
        metrics.delivered(target, ((Number) entry(exchange).get("size")).longValue());
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
        byte[] json = store.read(user, id(exchange));
        entry(exchange).put("sha256", RestoreApi.sha256(json));
        var file = spool.write(target, user, entry(exchange), json, error);
        LOG.warn("Target {} did not take version {} of user {} ({}); kept in {}", target, id(exchange), user, error, file);
        exchange.setProperty(SyncRunner.OUTCOME, "spooled");
        exchange.setProperty("GarageSyncError", error);
        if (board.failed(target, error)) {
            notice("failing", target, error);
        }
    }

    /** The drain could not replay a spooled version: the target is still down. */
    public void replayFailed(String target, Throwable cause) {
        String error = describe(cause);
        metrics.failure(target);
        if (board.failed(target, error)) {
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
        producer.sendBody("seda:sync-notify?multipleConsumers=true", app.garagesync.Json.bytes(body));
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

    private static long id(Exchange e) {
        return ((Number) entry(e).get("id")).longValue();
    }
}
