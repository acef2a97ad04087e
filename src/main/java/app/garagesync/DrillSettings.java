package app.garagesync;

import java.time.Duration;

/**
 * Restore drills ({@code garagesync.drill.*}): how often every copy is drilled (zero: never on a timer,
 * {@code POST /api/drill} still works), how old a copy's last passed drill may get before the webhook is
 * told, and how often that age is looked at.
 */
record DrillSettings(Duration interval, Duration maxAge, Duration watchInterval) {

    static DrillSettings read(SettingsReader keys) {
        Duration maxAge = keys.duration("garagesync.drill.max-age");
        Duration watch = keys.duration("garagesync.drill.watch-interval");
        if (maxAge.isZero() || maxAge.isNegative() || watch.isZero() || watch.isNegative()) {
            throw new IllegalArgumentException("garagesync.drill.max-age and garagesync.drill.watch-interval must be longer than zero");
        }
        return new DrillSettings(keys.duration("garagesync.drill.interval"), maxAge, watch);
    }
}
