package app.garagesync;

import java.time.Duration;

/**
 * Sync to the off-site targets: whether it starts switched on, the encryption key, the replica token and
 * the redelivery of a failed delivery ({@code garagesync.sync.*}, {@code garagesync.encryption.key-file},
 * {@code garagesync.replica.token}). Attempts count the first try: 4 attempts = 3 redeliveries; each try
 * against an S3 target is cut at {@code s3AttemptTimeout}.
 */
record OffsiteSettings(boolean defaultEnabled, String keyFile, String replicaToken, int maxAttempts,
                       Duration initialDelay, double backoffMultiplier, Duration maxDelay, Duration s3AttemptTimeout) {

    static OffsiteSettings read(SettingsReader keys) {
        return new OffsiteSettings(
                keys.flag("garagesync.sync.default-enabled"),
                keys.text("garagesync.encryption.key-file"),
                keys.text("garagesync.replica.token"),
                keys.integer("garagesync.sync.redelivery.max-attempts", 1),
                keys.duration("garagesync.sync.redelivery.initial-delay"),
                keys.decimal("garagesync.sync.redelivery.backoff-multiplier"),
                keys.duration("garagesync.sync.redelivery.max-delay"),
                keys.duration("garagesync.sync.s3.attempt-timeout"));
    }
}
