package app.garagesync.ops;

import app.garagesync.store.DurableFiles;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus registry. It is bound as Camel's {@code metricsRegistry}, so Camel's own
 * route and exchange metrics land beside ours in one scrape at {@code /api/metrics}, with Prometheus'
 * snake_case label names ({@link SnakeCaseLabels}) and a help text on every family.
 */
public final class GarageMetrics {

    /** Camel's build information meter (MicrometerConstants.APP_INFO_METER_NAME). */
    private static final String APP_INFO = "app.info";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final Counter backupsStored;
    private final Counter backupsUnchanged;
    private final Counter backupBytes;
    private final Counter storedBytes;
    private final Timer storeLatency;

    public GarageMetrics() {
        registry.config().namingConvention(new SnakeCaseLabels());
        // Camel registers app.info (its version, the context's name) without a description: a family
        // without help text is a promtool warning, and a reader of the scrape wonders what it is
        registry.config().meterFilter(new MeterFilter() {
            @Override
            public Meter.Id map(Meter.Id id) {
                if (APP_INFO.equals(id.getName()) && id.getDescription() == null) {
                    return new Meter.Id(id.getName(), Tags.of(id.getTagsAsIterable()), id.getBaseUnit(),
                            "The Camel context, runtime and version this daemon runs, as labels (value always 1)", id.getType());
                }
                return id;
            }
        });
        backupsStored = Counter.builder("garagesync.backups.stored")
                .description("Backups stored as new versions").register(registry);
        backupsUnchanged = Counter.builder("garagesync.backups.unchanged")
                .description("Backups identical to the latest version, nothing stored").register(registry);
        backupBytes = Counter.builder("garagesync.backup.bytes")
                .description("JSON bytes of the backups stored").baseUnit("bytes").register(registry);
        storedBytes = Counter.builder("garagesync.backup.stored.bytes")
                .description("Bytes written to disk for new versions, compressed").baseUnit("bytes").register(registry);
        storeLatency = Timer.builder("garagesync.backup.store")
                .description("Time to validate and durably store a backup").publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        FunctionCounter.builder("garagesync.fsync", this, m -> DurableFiles.fileSyncs())
                .tag("kind", "file").description("fsync calls on files").register(registry);
        FunctionCounter.builder("garagesync.fsync", this, m -> DurableFiles.directorySyncs())
                .tag("kind", "directory").description("fsync calls on directories").register(registry);
        FunctionCounter.builder("garagesync.directory.commits", this, m -> DurableFiles.directoryCommits())
                .description("Directory entries made durable; above the directory fsyncs when concurrent writers shared one (group commit)")
                .register(registry);
        FunctionCounter.builder("garagesync.pack.commits", this, m -> DurableFiles.packCommits())
                .description("Pack records (versions, deletions) made durable; above the pack fsyncs when concurrent writers shared one (group commit)")
                .register(registry);
    }

    public void gauge(String name, String description, Supplier<Number> value) {
        io.micrometer.core.instrument.Gauge.builder(name, value).description(description).register(registry);
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    public void stored(long jsonBytes, long diskBytes, long nanos) {
        backupsStored.increment();
        backupBytes.increment(jsonBytes);
        storedBytes.increment(diskBytes);
        storeLatency.record(Duration.ofNanos(nanos));
    }

    public void unchanged(long nanos) {
        backupsUnchanged.increment();
        storeLatency.record(Duration.ofNanos(nanos));
    }

    /** A stored backup sent to a client: sent, client_gone or cut_off (it stopped reading). */
    public void sent(String outcome) {
        Counter.builder("garagesync.backups.sent").tag("outcome", outcome)
                .description("Backups sent to clients, by how the sending ended").register(registry).increment();
    }

    public void rejected(String reason) {
        Counter.builder("garagesync.requests.rejected").tag("reason", reason)
                .description("Requests refused, by reason").register(registry).increment();
    }

    public String scrape() {
        return registry.scrape();
    }

    /** GET /api/metrics in the Prometheus text format. */
    public void serve(org.apache.camel.Exchange exchange) {
        org.apache.camel.Message m = exchange.getMessage();
        m.removeHeaders("*");
        m.setHeader(org.apache.camel.Exchange.HTTP_RESPONSE_CODE, 200);
        m.setHeader(org.apache.camel.Exchange.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        m.setBody(scrape());
    }
}
