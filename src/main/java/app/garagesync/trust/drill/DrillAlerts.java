package app.garagesync.trust.drill;

import app.garagesync.Json;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Tells the webhook (the sync-notify flow, {@code garagesync.notify.webhook-url}) when a drill fails, and
 * when a copy has gone longer than {@code garagesync.drill.max-age} without a drill that passed: once per
 * copy as the age passes the limit, again only after a pass brought it back under.
 */
public final class DrillAlerts {

    private final Consumer<byte[]> webhook;
    private final Clock clock;
    private final Duration maxAge;
    private DrillResults results;
    /** Copies ({@code target/user}) already reported as overdue. */
    private final Set<String> overdue = ConcurrentHashMap.newKeySet();

    /** @param webhook hands a notice to the webhook flow, in the background */
    public DrillAlerts(Consumer<byte[]> webhook, Clock clock, Duration maxAge) {
        this.webhook = webhook;
        this.clock = clock;
        this.maxAge = maxAge;
    }

    public void watch(DrillResults watched) {
        this.results = watched;
    }

    void failed(String user, DrillResult r) {
        String what = r.problems().stream().filter(DrillProblem::isError).map(p -> p.problem() + " (" + p.detail() + ")")
                .findFirst().orElse("unknown problem");
        Map<String, Object> body = notice("drill-failed", user, r);
        body.put("problems", r.problems().stream().map(DrillProblem::toMap).toList());
        body.put("text", "garage-sync: the restore test of user " + user + " from target " + r.target() + " failed"
                + (r.version() == null ? "" : " for version " + r.version()) + ": " + what);
        webhook.accept(Json.bytes(body));
    }

    /** Called on the watch timer: every copy whose last pass is older than the limit is reported once. */
    public void checkAge() {
        if (results == null) {
            return;
        }
        Instant now = clock.instant();
        results.all().forEach((user, byTarget) -> byTarget.values().forEach(r -> {
            if (r.nothingSent()) {
                return;
            }
            String copy = r.target() + "/" + user;
            Duration age = Duration.between(r.verifiedSince(), now);
            if (age.compareTo(maxAge) <= 0) {
                overdue.remove(copy);
            } else if (overdue.add(copy)) {
                Map<String, Object> body = notice("drill-overdue", user, r);
                body.put("ageSeconds", age.toSeconds());
                body.put("maxAgeSeconds", maxAge.toSeconds());
                body.put("text", "garage-sync: the copy of user " + user + " on target " + r.target()
                        + (r.lastOkAt() == null ? " has never passed a restore test" : " last passed a restore test at " + r.lastOkAt())
                        + ", more than " + maxAge.toHours() + "h ago (garagesync.drill.max-age)");
                webhook.accept(Json.bytes(body));
            }
        }));
    }

    private Map<String, Object> notice(String event, String user, DrillResult r) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("event", event);
        body.put("target", r.target());
        body.put("user", user);
        body.put("version", r.version());
        body.put("lastOkAt", r.lastOkAt() == null ? null : r.lastOkAt().toString());
        body.put("time", clock.instant().toString());
        return body;
    }
}
