package app.garagesync;

import java.nio.file.Path;

/** The local store's settings ({@code garagesync.data-dir}, {@code garagesync.store.*}, its warm-up and free-space floor). */
record StoreSettings(Path dataDir, int zstdLevel, double checkpointRatio, int maxChain, long layoutCacheSize,
                     long minFreeSpace, int warmupRounds) {

    static StoreSettings read(SettingsReader keys) {
        return new StoreSettings(
                keys.path("garagesync.data-dir"),
                keys.integer("garagesync.store.zstd-level"),
                keys.decimal("garagesync.store.checkpoint-ratio"),
                keys.integer("garagesync.store.max-chain"),
                keys.bytesOrHeapShare("garagesync.store.layout-cache-size"),
                keys.bytes("garagesync.health.min-free-space"),
                keys.integer("garagesync.warmup.rounds"));
    }
}
