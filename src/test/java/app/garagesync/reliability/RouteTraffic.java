package app.garagesync.reliability;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.service.ServiceHelper;

/**
 * Counts, inside a daemon running in this JVM, what its sync flows did: exchanges sent to each
 * endpoint, redeliveries and the highest attempt among them, and runs of the tick and of "sync now"
 * (each begins with a drain). Observation only: the same events {@code NotifyBuilder} listens to.
 */
final class RouteTraffic extends EventNotifierSupport {

    private final Map<String, AtomicLong> sends = new ConcurrentHashMap<>();
    private final AtomicLong redeliveries = new AtomicLong();
    private final AtomicInteger highestAttempt = new AtomicInteger();
    private final AtomicLong drainRuns = new AtomicLong();

    static RouteTraffic watch(CamelContext context) {
        RouteTraffic traffic = new RouteTraffic();
        // as NotifyBuilder does: a context started without notifiers skips exchange events otherwise
        context.getCamelContextExtension().setEventNotificationApplicable(true);
        context.getManagementStrategy().addEventNotifier(traffic);
        ServiceHelper.startService(traffic);
        return traffic;
    }

    @Override
    public void notify(CamelEvent event) {
        if (event instanceof CamelEvent.ExchangeSentEvent sent) {
            sends.computeIfAbsent(sent.getEndpoint().getEndpointKey(), k -> new AtomicLong()).incrementAndGet();
        } else if (event instanceof CamelEvent.ExchangeRedeliveryEvent redelivery) {
            redeliveries.incrementAndGet();
            highestAttempt.accumulateAndGet(redelivery.getAttempt(), Math::max);
        } else if (event instanceof CamelEvent.ExchangeCompletedEvent done) {
            String route = done.getExchange().getFromRouteId();
            if ("sync-tick".equals(route) || "sync-requests".equals(route)) {
                drainRuns.incrementAndGet();
            }
        }
    }

    long sends(String endpointKey) {
        AtomicLong n = sends.get(endpointKey);
        return n == null ? 0 : n.get();
    }

    long redeliveries() {
        return redeliveries.get();
    }

    int highestAttempt() {
        return highestAttempt.get();
    }

    long drainRuns() {
        return drainRuns.get();
    }
}
