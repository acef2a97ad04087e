package app.garagesync.trust.drill;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;

/**
 * The drill gauges in /api/metrics: per target, when a drill of a copy there last passed (seconds since
 * the epoch, 0 when none has), and the age of the oldest "last verified restorable" over every copy
 * drilled, the number an operator alerts on (the webhook does at {@code garagesync.drill.max-age}).
 */
public final class DrillMetrics {

    private DrillMetrics() {
    }

    public static void register(MeterRegistry registry, Collection<String> targets, DrillResults results, Clock clock) {
        for (String target : targets) {
            Gauge.builder("garagesync.drill.last.success", results, r -> lastSuccess(r, target))
                    .tag("target", target).baseUnit("seconds")
                    .description("When a restore drill from the target last passed, in seconds since the epoch (0: never)")
                    .register(registry);
        }
        Gauge.builder("garagesync.drill.verified.age.max", results, r -> oldestAge(r, clock))
                .baseUnit("seconds")
                .description("Age of the oldest last-verified-restorable copy over every drilled copy (0: none drilled)")
                .register(registry);
    }

    private static double lastSuccess(DrillResults results, String target) {
        return results.all().values().stream().map(m -> m.get(target)).filter(Objects::nonNull)
                .map(DrillResult::lastOkAt).filter(Objects::nonNull).mapToLong(Instant::getEpochSecond).max().orElse(0);
    }

    private static double oldestAge(DrillResults results, Clock clock) {
        Instant now = clock.instant();
        return results.all().values().stream().map(Map::values).flatMap(Collection::stream)
                .filter(r -> !r.nothingSent())
                .mapToLong(r -> Duration.between(r.verifiedSince(), now).toSeconds()).max().orElse(0);
    }
}
