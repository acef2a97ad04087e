package app.garagesync.sync;

import app.garagesync.crypto.OffsiteCipher;
import app.garagesync.ConfigSizes;
import app.garagesync.api.RequestBodies;
import app.garagesync.ops.GarageMetrics;
import app.garagesync.store.BackupStore;
import app.garagesync.offsite.FolderTarget;
import app.garagesync.offsite.S3Listing;
import app.garagesync.offsite.TargetCatalog;
import app.garagesync.offsite.TargetConfig;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Set;
import java.util.function.Function;
import org.apache.camel.CamelContext;
import org.apache.camel.LoggingLevel;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.processor.errorhandler.RedeliveryPolicy;
import org.apache.camel.spi.Registry;

/** Builds and binds the beans of sync, targets, spool and restore that the YAML flows call. */
public final class SyncBeans {

    private SyncBeans() {
    }

    public static void bind(CamelContext context, Path dataDir, Clock clock, BackupStore store,
                            SyncSettings settings, RequestBodies bodies, GarageMetrics garageMetrics) {
        Function<String, String> property = key -> context.resolvePropertyPlaceholders("{{" + key + "}}");
        TargetCatalog targets = TargetCatalog.from(
                TargetCatalog.keysOf(context.getPropertiesComponent().loadProperties()), property);
        TargetLedger ledger = new TargetLedger(dataDir);
        SpoolFolder spool = new SpoolFolder(dataDir, clock);
        SyncBoard board = new SyncBoard(clock);
        SyncMetrics metrics = new SyncMetrics(garageMetrics.registry(),
                targets.all().stream().map(TargetConfig::name).toList(), spool);
        ProducerTemplate producer = context.createProducerTemplate();
        VersionDelivery delivery = new VersionDelivery(store, spool, board, metrics, producer, ledger);
        SyncRunner runner = new SyncRunner(targets, store, settings, ledger, spool, board, producer, delivery);

        Registry registry = context.getRegistry();
        registry.bind("targets", targets);
        registry.bind("folderTarget", new FolderTarget());
        registry.bind("s3Listing", new S3Listing());
        registry.bind("syncApi", new SyncApi(store, settings, bodies, targets, ledger, spool, board));
        registry.bind("syncRunner", runner);
        registry.bind("versionDelivery", delivery);
        String keyFile = property.apply("garagesync.encryption.key-file");
        OffsiteCipher cipher;
        try {
            cipher = keyFile.isBlank() ? OffsiteCipher.none() : OffsiteCipher.fromKeyFile(Path.of(keyFile));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("garagesync.encryption.key-file " + keyFile + " cannot be read: " + e, e);
        }
        registry.bind("remoteLayout", new RemoteLayout(cipher, metrics));
        // the users whose restores cover every user (a disaster restore), as for POST /api/admin/verify
        Set<String> admins = Set.copyOf(Arrays.stream(property.apply("garagesync.admin.users").split(","))
                .map(String::trim).filter(s -> !s.isEmpty()).toList());
        registry.bind("restoreApi", new RestoreApi(targets, store, bodies, producer, runner, cipher, admins));
        registry.bind("redeliveryNotice", new RedeliveryNotice(board, metrics));
        registry.bind("targetRedeliveryPolicy", redeliveryPolicy(property));
        registry.bind("inbox", new app.garagesync.inbox.InboxFiles(clock));
        registry.bind("replicaApi", new ReplicaApi(dataDir, property.apply("garagesync.replica.token"), bodies));
    }

    /**
     * Camel's redelivery is off unless configured, so every value is set here from the
     * {@code garagesync.sync.redelivery.*} keys. Attempts count the first try: 4 attempts = 3 redeliveries.
     */
    static RedeliveryPolicy redeliveryPolicy(Function<String, String> property) {
        int attempts = Integer.parseInt(property.apply("garagesync.sync.redelivery.max-attempts").trim());
        if (attempts < 1) {
            throw new IllegalArgumentException("garagesync.sync.redelivery.max-attempts must be at least 1");
        }
        RedeliveryPolicy p = new RedeliveryPolicy();
        p.setMaximumRedeliveries(attempts - 1);
        p.setRedeliveryDelay(ConfigSizes.duration(property.apply("garagesync.sync.redelivery.initial-delay")).toMillis());
        p.setBackOffMultiplier(Double.parseDouble(property.apply("garagesync.sync.redelivery.backoff-multiplier").trim()));
        p.setUseExponentialBackOff(true);
        p.setMaximumRedeliveryDelay(ConfigSizes.duration(property.apply("garagesync.sync.redelivery.max-delay")).toMillis());
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
}
