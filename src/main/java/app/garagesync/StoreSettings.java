package app.garagesync;

import app.garagesync.store.StoreBlobs;
import java.nio.file.Path;

/**
 * The local store's settings ({@code garagesync.data-dir}, {@code garagesync.store.*}, its warm-up and
 * free-space floor). {@code s3} is read only when {@code type} is {@code s3}, else null: the S3 keys of a
 * file store are not its business.
 */
record StoreSettings(Path dataDir, String type, StoreBlobs.S3Location s3, int zstdLevel, double checkpointRatio,
                     int maxChain, long layoutCacheSize, long minFreeSpace, int warmupRounds) {

    static StoreSettings read(SettingsReader keys) {
        String type = keys.text("garagesync.store.type");
        return new StoreSettings(
                keys.path("garagesync.data-dir"),
                type,
                "s3".equals(type) ? s3(keys) : null,
                keys.integer("garagesync.store.zstd-level"),
                keys.decimal("garagesync.store.checkpoint-ratio"),
                keys.integer("garagesync.store.max-chain"),
                keys.bytesOrHeapShare("garagesync.store.layout-cache-size"),
                keys.bytes("garagesync.health.min-free-space"),
                keys.integer("garagesync.warmup.rounds"));
    }

    private static StoreBlobs.S3Location s3(SettingsReader keys) {
        return new StoreBlobs.S3Location(
                keys.text("garagesync.store.s3.bucket"),
                keys.text("garagesync.store.s3.prefix"),
                keys.text("garagesync.store.s3.region"),
                keys.text("garagesync.store.s3.endpoint"),
                keys.text("garagesync.store.s3.access-key"),
                keys.text("garagesync.store.s3.secret-key"),
                Boolean.parseBoolean(keys.text("garagesync.store.s3.path-style")),
                keys.integer("garagesync.store.s3.max-attempts"));
    }
}
