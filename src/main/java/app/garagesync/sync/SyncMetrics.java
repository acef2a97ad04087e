package app.garagesync.sync;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;

/** Per-target sync meters, in the daemon's one Prometheus registry. */
public final class SyncMetrics {

    private final MeterRegistry registry;

    public SyncMetrics(MeterRegistry registry, Collection<String> targets, SpoolFolder spool) {
        this.registry = registry;
        for (String target : targets) {
            Gauge.builder("garagesync.sync.spool.files", spool, s -> s.list(target).size()).tag("target", target)
                    .description("Versions waiting in the spool for this target").register(registry);
            Gauge.builder("garagesync.sync.spool.bytes", spool,
                            s -> s.list(target).stream().mapToLong(SpoolFolder.SpoolFile::bytes).sum())
                    .tag("target", target).baseUnit("bytes")
                    .description("Bytes of the spool files for this target").register(registry);
        }
    }

    /** Every try at a target, of every operation (object, index, delete): first tries and redeliveries. */
    public void attempt(String target) {
        counter("garagesync.sync.attempts", "Tries at the target, every operation, redeliveries included", target).increment();
    }

    public void failure(String target) {
        counter("garagesync.sync.failures", "Deliveries that failed after every redelivery", target).increment();
    }

    public void delivered(String target, long bytes) {
        Counter.builder("garagesync.sync.bytes").tag("target", target).baseUnit("bytes")
                .description("Bytes of version objects (stored form) the target confirmed").register(registry).increment(bytes);
    }

    private Counter counter(String name, String description, String target) {
        return Counter.builder(name).tag("target", target).description(description).register(registry);
    }
}
