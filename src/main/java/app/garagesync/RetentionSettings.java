package app.garagesync;

import app.garagesync.store.RetentionPolicy;

/** Which versions pruning keeps, and how many it removes per round ({@code garagesync.retention.*}). */
record RetentionSettings(RetentionPolicy policy, int batch) {

    static RetentionSettings read(SettingsReader keys) {
        return new RetentionSettings(new RetentionPolicy(
                keys.integer("garagesync.retention.keep-last"),
                keys.integer("garagesync.retention.keep-hourly"),
                keys.integer("garagesync.retention.keep-daily"),
                keys.integer("garagesync.retention.keep-weekly"),
                keys.integer("garagesync.retention.keep-monthly"),
                keys.zone("garagesync.retention.time-zone")),
                keys.integer("garagesync.retention.batch"));
    }
}
