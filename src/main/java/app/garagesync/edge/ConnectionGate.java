package app.garagesync.edge;

import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.impl.ConnectionBase;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Admits HTTP connections up to {@code garagesync.http.max-connections} and paces each one. At the limit
 * a new connection takes the place of the one that has waited longest without a request in progress
 * (idle, or still dribbling its headers): a thousand idle sockets can then no longer lock the garage's own
 * app out, and the process keeps file handles for its data (a full handle table once made the zstd
 * library fail to load). Only when every connection is busy with a request is the new one refused.
 */
public final class ConnectionGate {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionGate.class);

    /** Why the edge closed a connection. */
    public enum Reason { IDLE, SLOW_HEADERS, STALLED_BODY, EVICTED, REFUSED, AMBIGUOUS_LENGTH }

    private final EdgeLimits limits;
    private final Set<ConnectionPacing> open = ConcurrentHashMap.newKeySet();
    private final Map<Reason, AtomicLong> closed = new EnumMap<>(Reason.class);
    private volatile int maxConnections;

    public ConnectionGate(EdgeLimits limits) {
        this.limits = limits;
        this.maxConnections = limits.maxConnections();
        for (Reason r : Reason.values()) {
            closed.put(r, new AtomicLong());
        }
    }

    /** Called by the HTTP server on the new connection's event loop, before its first request. */
    void admit(HttpConnection connection, HttpServerOptions options) {
        ConnectionPacing pacing = new ConnectionPacing(((ConnectionBase) connection).channel(), limits, this);
        pacing.install(options);
        synchronized (this) {
            if (open.size() >= maxConnections) {
                ConnectionPacing victim = open.stream()
                        .filter(c -> c.phase() == ConnectionPacing.Phase.WAITING || c.phase() == ConnectionPacing.Phase.HEADERS)
                        .min(Comparator.comparingLong(ConnectionPacing::phaseSince))
                        .orElse(null);
                if (victim == null) {
                    LOG.warn("{} connections open, all busy with a request: a new one is refused", open.size());
                    pacing.close(Reason.REFUSED);
                    return;
                }
                victim.close(Reason.EVICTED);
            }
            open.add(pacing);
        }
        pacing.channel().closeFuture().addListener(f -> open.remove(pacing));
    }

    void closed(ConnectionPacing pacing, Reason reason) {
        if (open.remove(pacing) || reason == Reason.REFUSED || reason == Reason.AMBIGUOUS_LENGTH) {
            closed.get(reason).incrementAndGet();
        }
    }

    /**
     * Holds the limit under half of the file handles still free once the daemon has started (its jars,
     * logs and data files open): the other half stays for the data files, the class and native libraries
     * loaded later, and the connections to off-site targets. Returns the limit now in force.
     */
    public int fitFileHandles(long maxHandles, long openHandles) {
        long room = Math.max(16, (maxHandles - openHandles) / 2);
        if (room < maxConnections) {
            LOG.warn("garagesync.http.max-connections {} does not fit the file-handle limit ({} of {} in use): using {}",
                    maxConnections, openHandles, maxHandles, room);
            maxConnections = (int) room;
        }
        return maxConnections;
    }

    public int maxConnections() {
        return maxConnections;
    }

    public int openConnections() {
        return open.size();
    }

    /** Connections the edge closed for this reason since start. */
    public long closedFor(Reason reason) {
        return closed.get(reason).get();
    }

    public EdgeLimits limits() {
        return limits;
    }
}
