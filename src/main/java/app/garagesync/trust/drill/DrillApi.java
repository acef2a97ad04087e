package app.garagesync.trust.drill;

import app.garagesync.api.ApiException;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.camel.Exchange;

/**
 * {@code POST /api/drill}: drills the caller's copy on every target now and answers the results;
 * {@code GET /api/drill}: the last results. Both answer
 * {@code {targets: {name: {ok, version, checkedAt, bytesRead, problems, lastOkAt}}, lastVerifiedRestorableAt}},
 * the last being when every target last held a copy proven restorable (null while one never did).
 */
public final class DrillApi {

    private final DrillSteps steps;
    private final DrillResults results;

    public DrillApi(DrillSteps steps, DrillResults results) {
        this.steps = steps;
        this.results = results;
    }

    /** The caller's drills, one per target, as the body the flow splits; 409 while one is under way. */
    public void plan(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        List<DrillRun> runs = steps.claim(user).orElseThrow(() -> new ApiException(409, "conflict",
                "a restore drill of user '" + user + "' is under way; GET /api/drill shows its results when it ends"));
        exchange.getMessage().setBody(runs);
    }

    /** After the drills: the caller may be drilled again. */
    public void release(Exchange exchange) {
        steps.release(exchange.getProperty(RequestIdentity.USER, String.class));
    }

    /** The answer to POST, once every target was drilled. */
    public void answer(Exchange exchange) {
        Responses.json(exchange, 200, answerFor(exchange.getProperty(RequestIdentity.USER, String.class)));
    }

    public void results(Exchange exchange) {
        Responses.json(exchange, 200, answerFor(exchange.getProperty(RequestIdentity.USER, String.class)));
    }

    private Map<String, Object> answerFor(String user) {
        Map<String, DrillResult> byTarget = new TreeMap<>(results.of(user));
        Map<String, Object> targets = new LinkedHashMap<>();
        byTarget.forEach((t, r) -> targets.put(t, r.toMap()));
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("targets", targets);
        Instant verified = lastVerifiedRestorable(byTarget);
        answer.put("lastVerifiedRestorableAt", verified == null ? null : verified.toString());
        return answer;
    }

    /** The oldest of the targets' last passes: until then every copy was proven restorable; null if one never passed. */
    static Instant lastVerifiedRestorable(Map<String, DrillResult> byTarget) {
        Instant oldest = null;
        for (DrillResult r : byTarget.values()) {
            if (r.lastOkAt() == null) {
                return null;
            }
            oldest = oldest == null || r.lastOkAt().isBefore(oldest) ? r.lastOkAt() : oldest;
        }
        return oldest;
    }
}
