package app.garagesync;

import app.garagesync.api.ApiErrors;
import app.garagesync.api.RequestBodies;
import app.garagesync.auth.RequestIdentity;
import app.garagesync.auth.SharedTokens;
import app.garagesync.auth.TokenFile;
import app.garagesync.auth.Tokens;
import app.garagesync.backup.BackupApi;
import app.garagesync.backup.EarlyValidation;
import app.garagesync.backup.Retention;
import app.garagesync.backup.BackupReader;
import app.garagesync.changes.ChangesApi;
import app.garagesync.changes.ChangesEventStream;
import app.garagesync.changes.VersionWatch;
import app.garagesync.crypto.OffsiteCipher;
import app.garagesync.edge.BodyBudget;
import app.garagesync.edge.ConnectionGate;
import app.garagesync.edge.EdgeVertx;
import app.garagesync.inbox.InboxFiles;
import app.garagesync.offsite.FolderTarget;
import app.garagesync.offsite.S3Listing;
import app.garagesync.offsite.TargetCatalog;
import app.garagesync.offsite.TargetConfig;
import app.garagesync.records.RecordIndex;
import app.garagesync.records.RecordsApi;
import app.garagesync.ops.AdminApi;
import app.garagesync.ops.StoreVerifier;
import app.garagesync.ops.GarageMetrics;
import app.garagesync.ops.HealthReport;
import app.garagesync.store.DataDirectoryLock;
import app.garagesync.store.LayoutIndexCache;
import app.garagesync.store.SharedRecords;
import app.garagesync.store.StoreBlobs;
import app.garagesync.store.VersionStore;
import app.garagesync.store.WatchedBlobStore;
import app.garagesync.sync.RedeliveryNotice;
import app.garagesync.sync.RemoteLayout;
import app.garagesync.sync.ReplicaApi;
import app.garagesync.sync.RestoreApi;
import app.garagesync.sync.SpoolFolder;
import app.garagesync.sync.SyncApi;
import app.garagesync.sync.SyncBoard;
import app.garagesync.sync.SyncLeases;
import app.garagesync.sync.SyncMetrics;
import app.garagesync.sync.SyncRunner;
import app.garagesync.sync.SyncSettings;
import app.garagesync.sync.TargetLedger;
import app.garagesync.sync.VersionDelivery;
import app.garagesync.trust.drill.DrillAlerts;
import app.garagesync.trust.drill.DrillApi;
import app.garagesync.trust.drill.DrillMetrics;
import app.garagesync.trust.drill.DrillResults;
import app.garagesync.trust.drill.DrillSteps;
import app.garagesync.trust.drill.MeaningCheckOnRestore;
import app.garagesync.trust.drill.RestoredBackupCheck;
import app.garagesync.trust.posture.PostureApi;
import app.garagesync.trust.guard.GuardApi;
import app.garagesync.trust.guard.MassDeletionGuard;
import app.garagesync.trust.rules.MeaningChecks;
import app.garagesync.trust.rules.VersionChecks;
import app.garagesync.web.ConsoleHeaderFilter;
import app.garagesync.web.StaticFiles;
import com.sun.management.UnixOperatingSystemMXBean;
import io.micrometer.core.instrument.FunctionCounter;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.camel.CamelConfiguration;
import org.apache.camel.CamelContext;
import org.apache.camel.LoggingLevel;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.StartupListener;
import org.apache.camel.component.micrometer.routepolicy.MicrometerRoutePolicyFactory;
import org.apache.camel.component.platform.http.vertx.VertxPlatformHttpRouter;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.LifecycleStrategySupport;
import org.apache.camel.support.SimpleEventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every bean the YAML routes (and the HTTP edge) find by name, built here from the {@code garagesync.*}
 * keys, which are read once into one settings record per area; a key that does not parse stops the start
 * naming it. docs/routes.md lists the same names (BeanListTest holds the two together).
 */
public final class GarageSyncBeans implements CamelConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GarageSyncBeans.class);
    /** Registry names of the HTTP edge's parts (health, metrics and the body admission read them). */
    static final String BODY_BUDGET = "bodyBudget";
    static final String CONNECTION_GATE = "connectionGate";

    private final Set<String> bound = new LinkedHashSet<>();

    @Override
    public void configure(CamelContext context) throws Exception {
        SettingsReader keys = SettingsReader.of(context);
        StoreSettings storeSettings = StoreSettings.read(keys);
        HttpSettings http = HttpSettings.read(keys);
        AccessSettings access = AccessSettings.read(keys);
        RetentionSettings retention = RetentionSettings.read(keys);
        OffsiteSettings offsite = OffsiteSettings.read(keys);
        MergeSettings merge = MergeSettings.read(keys);
        ChangesSettings changes = ChangesSettings.read(keys);
        TrustSettings trust = TrustSettings.read(keys);
        SharedStateSettings sharedState = SharedStateSettings.read(keys);
        Path dataDir = storeSettings.dataDir();
        Clock clock = Clock.systemUTC();

        DataDirectoryLock lock = DataDirectoryLock.acquire(dataDir);
        // watched: health probes the folders where the storage refused a write (HealthReport)
        WatchedBlobStore blobs = new WatchedBlobStore(StoreBlobs.create(dataDir, storeSettings.type(), storeSettings.s3()));
        VersionStore.StoragePolicy storagePolicy = new VersionStore.StoragePolicy(
                storeSettings.checkpointRatio(), storeSettings.maxChain());
        // a cache, never the only copy of anything: it lives beside the data (or the spool in S3 mode)
        VersionStore store = new VersionStore(blobs, clock, storeSettings.zstdLevel(), storagePolicy,
                new LayoutIndexCache(dataDir.resolve("cache").resolve("layouts"), LayoutIndexCache.DEFAULT_MIN_SIZE),
                storeSettings.layoutCacheSize());

        GarageMetrics metrics = new GarageMetrics();
        RequestBodies bodies = new RequestBodies(http.maxBackupSize());
        BackupReader reader = new BackupReader(http.jsonMaxDepth(), (int) Math.min(Integer.MAX_VALUE, http.maxBackupSize()));
        // several daemons on one bucket: tokens, sync switches and sync leases live there too (docs/storage.md)
        SharedRecords shared = blobs.shared() ? new SharedRecords(blobs, sharedState.cacheTtl()) : null;
        SyncSettings syncSettings = new SyncSettings(dataDir, shared, offsite.defaultEnabled());
        Tokens tokens = tokens(access, shared);
        SyncLeases leases = new SyncLeases(shared == null ? null : blobs, sharedState.leaseDuration(),
                sharedState.leaseClockSkew(), clock);

        // Camel's micrometer support picks up a registry bound under this name instead of making its own
        bind(context, "metricsRegistry", metrics.registry());
        bind(context, "metrics", metrics);
        // Camel's per-route exchange counts and times, in the registry /api/metrics serves
        MicrometerRoutePolicyFactory routeMetrics = new MicrometerRoutePolicyFactory();
        routeMetrics.setMeterRegistry(metrics.registry());
        context.addRoutePolicyFactory(routeMetrics);
        bind(context, "backupStore", store);
        bind(context, "identity", new RequestIdentity(access.authMode(), tokens));
        MassDeletionGuard guard = bindGuard(context, dataDir, clock, store, trust);
        EarlyValidation earlyValidation = new EarlyValidation(reader, store);
        bind(context, "earlyValidation", earlyValidation);
        bind(context, "backupApi", new BackupApi(store, reader, bodies, metrics, clock, http.sendStallTimeout(),
                merge.mode(), guard, earlyValidation));
        bindSync(context, dataDir, clock, store, syncSettings, bodies, metrics, offsite, access,
                DrillSettings.read(keys), http.maxBackupSize(), guard, leases);
        bind(context, "syncSettings", syncSettings);
        bind(context, "health", new HealthReport(dataDir, storeSettings.minFreeSpace(), blobs, store));
        bind(context, "apiErrors", new ApiErrors(metrics));
        bind(context, "retention", new Retention(store, retention.policy(), retention.batch()));
        RecordIndex records = new RecordIndex(store, dataDir.resolve("cache").resolve("records"));
        bind(context, "recordIndex", records);
        bind(context, "recordsApi", new RecordsApi(store, records, reader, bodies));
        bind(context, "adminApi", new AdminApi(store, new StoreVerifier(store, reader), access.adminUsers()));
        bind(context, "staticFiles", new StaticFiles());
        bind(context, "consoleHeaderFilter", new ConsoleHeaderFilter());
        bindHttpEdge(context, http);
        ChangesEventStream changesStream = bindChanges(context, store, changes);

        ReadPathWarmup warmup = new ReadPathWarmup(reader, storeSettings.zstdLevel(), storagePolicy);
        metrics.gauge("garagesync.warmup.seconds", "Time the start-up warm-up of the store code took (-1 until done)",
                warmup::seconds);
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event.getType() == CamelEvent.Type.CamelContextStarted) {
                    HttpServerTuning.apply(context, http.corsOrigins(), BodyAdmission.of(context, http.maxBackupSize()));
                    VertxPlatformHttpRouter router = VertxPlatformHttpRouter.lookup(context, VertxPlatformHttpRouter
                            .getRouterNameFromPort(Integer.parseInt(context.resolvePropertyPlaceholders("{{camel.server.port}}"))));
                    if (router != null) {
                        changesStream.mountOn(router);
                    }
                    if (storeSettings.warmupRounds() > 0) {
                        // any exchange in flight (a request, a sync) comes first
                        warmup.startInBackground(storeSettings.warmupRounds(),
                                () -> context.getInflightRepository().size() > 0);
                    }
                }
            }
        });
        context.addLifecycleStrategy(new LifecycleStrategySupport() {
            @Override
            public void onContextStopped(CamelContext stopped) {
                try {
                    lock.close();
                } catch (IOException ignored) {
                    // the OS releases the lock with the process anyway
                }
                LOG.info("garage-sync stopped cleanly, data directory {} released", dataDir.toAbsolutePath());
            }
        });
    }

    /**
     * The changes feed: the watch the store tells of each new version, the bean of the changes route, and the
     * event stream, which the HTTP server's router gets once Camel has started it.
     */
    private ChangesEventStream bindChanges(CamelContext context, VersionStore store, ChangesSettings changes) {
        // one thread looks at the latest versions and ends long-polls, for every listener together
        ScheduledExecutorService watchThread = context.getExecutorServiceManager()
                .newSingleThreadScheduledExecutor(this, "changes-watch");
        VersionWatch watch = new VersionWatch(store, changes.maxListeners(), changes.pollInterval(), watchThread);
        store.addListener(watch);
        // a stopping daemon answers its long-polls at once instead of waiting out their timeouts
        context.getManagementStrategy().addEventNotifier(new SimpleEventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event.getType() == CamelEvent.Type.CamelContextStopping) {
                    watch.endAll();
                }
            }
        });
        // a woken long-poll computes its changes here, not on the thread that stored the version
        ExecutorService work = context.getExecutorServiceManager().newFixedThreadPool(this, "changes", 2);
        bind(context, "versionWatch", watch);
        bind(context, "changesApi", new ChangesApi(store, watch, watchThread, work, changes.timeout(), changes.maxTimeout()));
        return new ChangesEventStream(context.getRegistry().lookupByNameAndType("identity", RequestIdentity.class),
                watch, changes.heartbeat());
    }

    /**
     * The meaning checks (rules read now: a bad rules file stops the start, naming its line) and the
     * mass-deletion guard, both told of each new version; the guard's notices go to the webhook flow.
     */
    private MassDeletionGuard bindGuard(CamelContext context, Path dataDir, Clock clock, VersionStore store,
                                        TrustSettings trust) {
        MeaningChecks meaningChecks = MeaningChecks.fromFile(trust.rulesFile());
        ProducerTemplate notices = context.createProducerTemplate();
        MassDeletionGuard guard = new MassDeletionGuard(store, dataDir, trust.maxDrop(), trust.holdOffsite(), clock,
                body -> notices.sendBody("seda:sync-notify?multipleConsumers=true", Json.bytes(body)));
        store.addListener(guard);
        // one version's checks at a time, off the request threads, once a user's latest has stood a moment
        java.util.concurrent.ScheduledExecutorService checksThread =
                context.getExecutorServiceManager().newSingleThreadScheduledExecutor(this, "meaning-checks");
        VersionChecks versionChecks = new VersionChecks(store, meaningChecks, checksThread);
        store.addListener(versionChecks);
        bind(context, "meaningChecks", meaningChecks);
        bind(context, "versionChecks", versionChecks);
        bind(context, "guard", guard);
        bind(context, "guardApi", new GuardApi(store, guard));
        return guard;
    }

    /** The token file, or with a shared store the token records in it, which every daemon on that store reads. */
    private static Tokens tokens(AccessSettings access, SharedRecords shared) {
        if (shared == null) {
            return new TokenFile(access.tokensFile());
        }
        SharedTokens tokens = new SharedTokens(shared);
        if (Files.exists(access.tokensFile())) {
            // a daemon moved to a shared store keeps its users signed in: their hashes join the store's
            try {
                int adopted = tokens.adopt(new TokenFile(access.tokensFile()).hashByUser());
                LOG.info("Tokens are read from the shared store; {} user(s) of {} brought into it", adopted,
                        access.tokensFile().toAbsolutePath());
            } catch (IOException e) {
                // the store is down at start: requests answer 503 until it is back; the next start brings them in
                LOG.warn("The users of {} could not be brought into the shared store ({}); restart once it answers",
                        access.tokensFile().toAbsolutePath(), e.getMessage());
            }
        }
        return tokens;
    }

    /** The names this configuration bound, in binding order: the list docs/routes.md must match. */
    Set<String> boundNames() {
        return Collections.unmodifiableSet(bound);
    }

    private void bind(CamelContext context, String name, Object bean) {
        context.getRegistry().bind(name, bean);
        bound.add(name);
    }

    /** The beans of sync, targets, spool and restore that the sync flows call. */
    private void bindSync(CamelContext context, Path dataDir, Clock clock, VersionStore store, SyncSettings settings,
                          RequestBodies bodies, GarageMetrics garageMetrics, OffsiteSettings offsite, AccessSettings access,
                          DrillSettings drill, long maxBackupSize, MassDeletionGuard guard, SyncLeases leases) {
        TargetCatalog targets = TargetCatalog.from(
                TargetCatalog.keysOf(context.getPropertiesComponent().loadProperties()),
                key -> context.resolvePropertyPlaceholders("{{" + key + "}}"), offsite.s3AttemptTimeout());
        TargetLedger ledger = new TargetLedger(dataDir);
        SpoolFolder spool = new SpoolFolder(dataDir, clock);
        SyncBoard board = new SyncBoard(clock);
        SyncMetrics metrics = new SyncMetrics(garageMetrics.registry(),
                targets.all().stream().map(TargetConfig::name).toList(), spool);
        ProducerTemplate producer = context.createProducerTemplate();
        VersionDelivery delivery = new VersionDelivery(store, spool, board, metrics, producer, ledger);
        SyncRunner runner = new SyncRunner(targets, store, settings, ledger, spool, board, producer, delivery, guard,
                leases);

        bind(context, "targets", targets);
        bind(context, "folderTarget", new FolderTarget());
        bind(context, "s3Listing", new S3Listing());
        bind(context, "syncApi", new SyncApi(store, settings, bodies, targets, ledger, spool, board, guard));
        bind(context, "syncRunner", runner);
        bind(context, "versionDelivery", delivery);
        OffsiteCipher cipher = cipher(offsite.keyFile());
        bind(context, "remoteLayout", new RemoteLayout(cipher, metrics));
        // the users whose restores cover every user (a disaster restore), as for POST /api/admin/verify
        bind(context, "restoreApi", new RestoreApi(targets, store, bodies, producer, runner, cipher, access.adminUsers()));
        bind(context, "redeliveryNotice", new RedeliveryNotice(board, metrics));
        bind(context, "targetRedeliveryPolicy", redeliveryPolicy(offsite));
        bind(context, "inbox", new InboxFiles(clock));
        bind(context, "replicaApi", new ReplicaApi(dataDir, offsite.replicaToken(), bodies));
        bindDrills(context, dataDir, clock, store, targets, ledger, spool, cipher, producer, garageMetrics, drill, maxBackupSize,
                access.adminUsers());
    }

    /**
     * Restore drills and the posture (routes/drill.camel.yaml). A restored backup goes through the meaning
     * checks bound by {@link #bindGuard}, their findings reported as warnings (docs/trust.md).
     */
    private void bindDrills(CamelContext context, Path dataDir, Clock clock, VersionStore store, TargetCatalog targets,
                           TargetLedger ledger, SpoolFolder spool, OffsiteCipher cipher, ProducerTemplate producer,
                           GarageMetrics garageMetrics, DrillSettings drill, long maxBackupSize, Set<String> admins) {
        List<RestoredBackupCheck> checks = List.of(
                new MeaningCheckOnRestore(context.getRegistry().lookupByNameAndType("meaningChecks", MeaningChecks.class)));
        DrillResults results = new DrillResults(dataDir);
        DrillAlerts alerts = new DrillAlerts(notice -> producer.sendBody("seda:sync-notify?multipleConsumers=true", notice),
                clock, drill.maxAge());
        alerts.watch(results);
        DrillSteps steps = new DrillSteps(targets, ledger, store, cipher, producer, checks, results, alerts, clock,
                dataDir, maxBackupSize);
        DrillMetrics.register(garageMetrics.registry(), targets.all().stream().map(TargetConfig::name).toList(), results, clock);
        bind(context, "drillSteps", steps);
        bind(context, "drillAlerts", alerts);
        bind(context, "drillApi", new DrillApi(steps, results, admins));
        bind(context, "postureApi", new PostureApi(store, targets, steps, results, spool, cipher.enabled(), clock));
    }

    private static OffsiteCipher cipher(String keyFile) {
        try {
            return keyFile.isBlank() ? OffsiteCipher.none() : OffsiteCipher.fromKeyFile(Path.of(keyFile));
        } catch (IOException e) {
            throw new IllegalStateException("garagesync.encryption.key-file " + keyFile + " cannot be read: " + e, e);
        }
    }

    /**
     * Camel's redelivery is off unless configured, so every value is set here from the
     * {@code garagesync.sync.redelivery.*} keys. Attempts count the first try: 4 attempts = 3 redeliveries.
     */
    static RedeliveryPolicy redeliveryPolicy(OffsiteSettings offsite) {
        RedeliveryPolicy p = new RedeliveryPolicy();
        p.setMaximumRedeliveries(offsite.maxAttempts() - 1);
        p.setRedeliveryDelay(offsite.initialDelay().toMillis());
        p.setBackOffMultiplier(offsite.backoffMultiplier());
        p.setUseExponentialBackOff(true);
        p.setMaximumRedeliveryDelay(offsite.maxDelay().toMillis());
        p.setUseCollisionAvoidance(false);
        p.setAsyncDelayedRedelivery(false);
        // our RedeliveryNotice logs each attempt with the target's name; Camel logs the exhausted one
        p.setRetryAttemptedLogLevel(LoggingLevel.DEBUG);
        p.setLogRetryAttempted(false);
        p.setRetriesExhaustedLogLevel(LoggingLevel.WARN);
        p.setLogExhausted(true);
        p.setLogStackTrace(false);
        p.setLogRetryStackTrace(false);
        p.setLogHandled(false);
        p.setLogExhaustedMessageHistory(false);
        return p;
    }

    /**
     * The HTTP server is created from the Vert.x instance bound here (camel-platform-http-vertx takes the
     * one it finds in the registry), which paces connections within the garagesync.http.* limits.
     */
    private void bindHttpEdge(CamelContext context, HttpSettings http) throws Exception {
        ConnectionGate gate = new ConnectionGate(http.edge());
        BodyBudget budget = new BodyBudget(http.edge().bodyMemory());
        bind(context, CONNECTION_GATE, gate);
        bind(context, BODY_BUDGET, budget);
        bind(context, "edgeVertx", new EdgeVertx(Vertx.vertx(), gate));
        // once the routes are started and their files open: the limit is fitted to the handles left
        context.addStartupListener(new StartupListener() {
            @Override
            public void onCamelContextStarted(CamelContext started, boolean alreadyStarted) {
            }

            @Override
            public void onCamelContextFullyStarted(CamelContext started, boolean alreadyStarted) {
                afterStart(context, gate, budget);
            }
        });
    }

    /** Once everything the start needed is open, the connection limit is fitted to the file handles left. */
    private static void afterStart(CamelContext context, ConnectionGate gate, BodyBudget budget) {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean unix) {
            gate.fitFileHandles(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
        }
        GarageMetrics metrics = context.getRegistry().lookupByNameAndType("metrics", GarageMetrics.class);
        metrics.gauge("garagesync.http.connections.open", "HTTP connections open now", gate::openConnections);
        metrics.gauge("garagesync.http.connections.limit", "Connections open at most (garagesync.http.max-connections, fitted to the file handles)",
                gate::maxConnections);
        for (ConnectionGate.Reason reason : ConnectionGate.Reason.values()) {
            String name = reason.name().toLowerCase(Locale.ROOT);
            FunctionCounter.builder("garagesync.http.connections.closed", gate, g -> g.closedFor(reason))
                    .tag("reason", name).description("Connections the HTTP edge closed, by reason")
                    .register(metrics.registry());
        }
        metrics.gauge("garagesync.http.body.memory.reserved", "Bytes reserved by request bodies being received", budget::reserved);
        metrics.gauge("garagesync.http.body.memory.refused", "Requests refused with 503 because garagesync.http.body-memory was full",
                budget::refused);
    }
}
