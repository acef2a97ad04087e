package app.garagesync;

import java.time.Duration;

/**
 * What several daemons on one shared store ({@code garagesync.store.type=s3}) share besides versions: how
 * stale a daemon's copy of the shared records (tokens, sync switches) may be, and the per-user sync lease
 * ({@code garagesync.shared.cache-ttl}, {@code garagesync.sync.lease-duration}, {@code garagesync.sync.lease-clock-skew}).
 */
record SharedStateSettings(Duration cacheTtl, Duration leaseDuration, Duration leaseClockSkew) {

    static SharedStateSettings read(SettingsReader keys) {
        // the cache's staleness is how long a replaced token still opens the door on another daemon: bounded
        return new SharedStateSettings(
                keys.duration("garagesync.shared.cache-ttl", "0s", "5m"),
                keys.duration("garagesync.sync.lease-duration", "1s", "1h"),
                keys.duration("garagesync.sync.lease-clock-skew", "0s", "10m"));
    }
}
