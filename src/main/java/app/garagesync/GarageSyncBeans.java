package app.garagesync;

import app.garagesync.api.ApiErrors;
import app.garagesync.api.RequestBodies;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.auth.TokenFile;
import app.garagesync.backup.BackupApi;
import app.garagesync.backup.BackupReader;
import app.garagesync.ops.GarageMetrics;
import app.garagesync.ops.HealthReport;
import app.garagesync.store.DataDirectoryLock;
import app.garagesync.store.StoreBlobs;
import app.garagesync.store.LayoutIndexCache;
import app.garagesync.store.ReadPathWarmup;
import app.garagesync.store.VersionStore;
import app.garagesync.store.WatchedBlobStore;
import app.garagesync.sync.SyncBeans;
import app.garagesync.sync.SyncSettings;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.spi.Registry;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.apache.camel.spi.CamelEvent;

/**
 * Builds the beans the YAML routes call, from the {@code garagesync.*} keys of application.properties.
 * Route files refer to them by the names bound here.
 */
public final class GarageSyncBeans implements CamelConfiguration {

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(GarageSyncBeans.class);

    @Override
    public void configure(CamelContext context) throws Exception {
        Path dataDir = Path.of(property(context, "garagesync.data-dir"));
        long maxBackupSize = ConfigSizes.bytes(property(context, "garagesync.max-backup-size"));
        Clock clock = Clock.systemUTC();

        DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
        // watched: health probes the folders where the storage refused a write (HealthReport)
        WatchedBlobStore blobs = new WatchedBlobStore(StoreBlobs.create(dataDir, key -> property(context, key)));
        int zstdLevel = Integer.parseInt(property(context, "garagesync.store.zstd-level"));
        VersionStore.StoragePolicy storagePolicy = new VersionStore.StoragePolicy(
                Double.parseDouble(property(context, "garagesync.store.checkpoint-ratio")),
                Integer.parseInt(property(context, "garagesync.store.max-chain")));
        // a cache, never the only copy of anything: it lives beside the data (or the spool in S3 mode)
        VersionStore store = new VersionStore(blobs, clock, zstdLevel, storagePolicy,
                new LayoutIndexCache(dataDir.resolve("cache").resolve("layouts"), LayoutIndexCache.DEFAULT_MIN_SIZE),
                ConfigSizes.bytesOrHeapShare(property(context, "garagesync.store.layout-cache-size")));

        GarageMetrics metrics = new GarageMetrics();
        RequestBodies bodies = new RequestBodies(maxBackupSize);
        BackupReader reader = new BackupReader(
                Integer.parseInt(property(context, "garagesync.json.max-depth")),
                (int) Math.min(Integer.MAX_VALUE, maxBackupSize));
        SyncSettings syncSettings = new SyncSettings(dataDir,
                Boolean.parseBoolean(property(context, "garagesync.sync.default-enabled")));
        TokenFile tokens = new TokenFile(Path.of(property(context, "garagesync.auth.tokens-file")));

        Registry registry = context.getRegistry();
        // Camel's micrometer support picks up a registry bound under this name instead of making its own
        registry.bind("metricsRegistry", metrics.registry());
        registry.bind("metrics", metrics);
        // Camel's per-route exchange counts and times, in the registry /api/metrics serves
        org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory routeMetrics =
                new org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory();
        routeMetrics.setMeterRegistry(metrics.registry());
        context.addRoutePolicyFactory(routeMetrics);
        registry.bind("backupStore", store);
        registry.bind("identity", new RequestIdentity(property(context, "garagesync.auth.mode"), tokens));
        registry.bind("backupApi", new BackupApi(store, reader, bodies, metrics, clock,
                ConfigSizes.duration(property(context, "garagesync.http.send-stall-timeout"))));
        SyncBeans.bind(context, dataDir, clock, store, syncSettings, bodies, metrics);
        registry.bind("syncSettings", syncSettings);
        registry.bind("health", new HealthReport(dataDir,
                ConfigSizes.bytes(property(context, "garagesync.health.min-free-space")), blobs, store));
        registry.bind("apiErrors", new ApiErrors(metrics));
        registry.bind("retention", new app.garagesync.store.Retention(store, new app.garagesync.store.RetentionPolicy(
                Integer.parseInt(property(context, "garagesync.retention.keep-last")),
                Integer.parseInt(property(context, "garagesync.retention.keep-hourly")),
                Integer.parseInt(property(context, "garagesync.retention.keep-daily")),
                Integer.parseInt(property(context, "garagesync.retention.keep-weekly")),
                Integer.parseInt(property(context, "garagesync.retention.keep-monthly")),
                java.time.ZoneId.of(property(context, "garagesync.retention.time-zone"))),
                Integer.parseInt(property(context, "garagesync.retention.batch"))));
        registry.bind("adminApi", new app.garagesync.ops.AdminApi(store, new app.garagesync.store.StoreVerifier(store, reader),
                java.util.Set.copyOf(Arrays.stream(property(context, "garagesync.admin.users").split(","))
                        .map(String::trim).filter(s -> !s.isEmpty()).toList())));

        ReadPathWarmup warmup = new ReadPathWarmup(reader, zstdLevel, storagePolicy);
        int warmupRounds = Integer.parseInt(property(context, "garagesync.warmup.rounds"));
        metrics.gauge("garagesync.warmup.seconds", "Time the start-up warm-up of the store code took (-1 until done)",
                warmup::seconds);

        List<String> origins = Arrays.stream(property(context, "garagesync.cors.allowed-origins").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList();
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event.getType() == CamelEvent.Type.CamelContextStarted) {
                    HttpServerTuning.apply(context, origins, BodyAdmission.of(context, maxBackupSize));
                    if (warmupRounds > 0) {
                        // any exchange in flight (a request, a sync) comes first
                        warmup.startInBackground(warmupRounds, () -> context.getInflightRepository().size() > 0);
                    }
                }
            }
        });
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                try {
                    lock.close();
                } catch (java.io.IOException ignored) {
                    // the OS releases the lock with the process anyway
                }
                LOG.info("garage-sync stopped cleanly, data directory {} released", dataDir.toAbsolutePath());
            }
        });
    }

    static String property(CamelContext context, String key) {
        return context.resolvePropertyPlaceholders("{{" + key + "}}");
    }
}
