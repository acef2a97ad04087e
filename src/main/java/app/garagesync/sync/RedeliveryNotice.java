package app.garagesync.sync;

import org.apache.camel.Exchange;
import org.apache.camel.Processor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Called by the target routes' error handler before each redelivery: logs the attempt (the operator sees
 * every try, not only the last), counts it, and shows the target as retrying.
 */
public final class RedeliveryNotice implements Processor {

    private static final Logger LOG = LoggerFactory.getLogger(RedeliveryNotice.class);

    private final SyncBoard board;
    private final SyncMetrics metrics;

    public RedeliveryNotice(SyncBoard board, SyncMetrics metrics) {
        this.board = board;
        this.metrics = metrics;
    }

    @Override
    public void process(Exchange exchange) {
        String target = exchange.getProperty(RemoteLayout.TARGET, String.class);
        if (target == null) {
            return; // a restore or an operator's own route: not a sync delivery
        }
        Throwable cause = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        if (cause == null) {
            cause = exchange.getException();
        }
        int attempt = exchange.getMessage().getHeader(Exchange.REDELIVERY_COUNTER, 0, Integer.class) + 1;
        int max = exchange.getMessage().getHeader(Exchange.REDELIVERY_MAX_COUNTER, 0, Integer.class) + 1;
        String error = VersionDelivery.describe(cause);
        LOG.warn("Target {}: attempt {} of {} for {} failed ({}), trying again", target, attempt - 1, max,
                exchange.getMessage().getHeader(RemoteLayout.KEY), error);
        metrics.attempt(target);
        board.retrying(target, error, FailureCause.of(cause));
    }
}
