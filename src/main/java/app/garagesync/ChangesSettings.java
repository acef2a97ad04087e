package app.garagesync;

import java.time.Duration;

/** The changes feed's waits and bounds ({@code garagesync.changes.*}, docs/api.md). */
record ChangesSettings(Duration timeout, Duration maxTimeout, Duration heartbeat, int maxListeners, Duration pollInterval) {

    static ChangesSettings read(SettingsReader keys) {
        return new ChangesSettings(
                keys.duration("garagesync.changes.timeout"),
                keys.duration("garagesync.changes.max-timeout"),
                keys.duration("garagesync.changes.heartbeat"),
                keys.integer("garagesync.changes.max-listeners", 0),
                keys.duration("garagesync.changes.poll-interval"));
    }
}
