package app.garagesync.edge;

import java.time.Duration;

/**
 * The bounds the HTTP edge holds every connection to, read once at start from the
 * {@code garagesync.http.*} keys: how long a connection may sit idle between requests, how long a request
 * line and headers may take to arrive, how long a body may stop arriving, how many connections may be open
 * at once, how many bytes of request bodies may be held in memory together, and the largest header block.
 */
public record EdgeLimits(Duration idleTimeout, Duration headerTimeout, Duration bodyStallTimeout,
        int maxConnections, long bodyMemory, int maxHeaderSize) {

    public EdgeLimits {
        if (maxConnections < 1) {
            throw new IllegalArgumentException("garagesync.http.max-connections must be at least 1, got " + maxConnections);
        }
        for (Duration d : new Duration[] {idleTimeout, headerTimeout, bodyStallTimeout}) {
            if (d.isZero() || d.isNegative()) {
                throw new IllegalArgumentException("garagesync.http timeouts must be positive, got " + d);
            }
        }
    }
}
