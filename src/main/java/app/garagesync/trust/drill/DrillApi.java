package app.garagesync.trust.drill;

import app.garagesync.api.ApiException;
import app.garagesync.api.Responses;
import app.garagesync.auth.RequestIdentity;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.camel.Exchange;

/**
 * {@code POST /api/drill}: drills the caller's copy on every target now and answers the results;
 * {@code GET /api/drill}: the last results. Both answer
 * {@code {targets: {name: {ok, version, checkedAt, bytesRead, problems, lastOkAt}}, lastVerifiedRestorableAt}},
 * the last being when every target last held a copy proven restorable (null while one never did).
 */
public final class DrillApi {

    /** Exchange property: the drills of {@code ?users=*} (an admin's), what the answer and the release look at. */
    private static final String EVERYONE = "GarageSyncDrillEveryone";

    private final DrillSteps steps;
    private final DrillResults results;
    private final Set<String> admins;

    public DrillApi(DrillSteps steps, DrillResults results, Set<String> admins) {
        this.steps = steps;
        this.results = results;
        this.admins = Set.copyOf(admins);
    }

    /**
     * The caller's drills, one per target, as the body the flow splits; 409 while one is under way. With
     * {@code ?users=*}, a user named in {@code garagesync.admin.users} drills every user's copy on every
     * target it was sent to, as the timer does (users whose drill is under way are left to it).
     */
    public void plan(Exchange exchange) {
        String user = exchange.getProperty(RequestIdentity.USER, String.class);
        String users = exchange.getMessage().getHeader("users", String.class);
        if (users != null) {
            if (!"*".equals(users)) {
                throw ApiException.badRequest("users: only \"*\" (every user, for an admin); without it the caller's own copies are drilled");
            }
            if (!admins.contains(user)) {
                throw new ApiException(403, "forbidden", "only a user named in garagesync.admin.users drills every user");
            }
            steps.planAll(exchange);
            // kept apart: the body becomes the answer before the release
            exchange.setProperty(EVERYONE, exchange.getMessage().getBody(List.class));
            return;
        }
        List<DrillRun> runs = steps.claim(user).orElseThrow(() -> new ApiException(409, "conflict",
                "a restore drill of user '" + user + "' is under way; GET /api/drill shows its results when it ends"));
        exchange.getMessage().setBody(runs);
    }

    /** After the drills: their users may be drilled again. */
    public void release(Exchange exchange) {
        if (exchange.getProperty(EVERYONE) instanceof List<?> runs) {
            runs.forEach(r -> steps.release(((DrillRun) r).user()));
        } else {
            steps.release(exchange.getProperty(RequestIdentity.USER, String.class));
        }
    }

    /** The answer to POST, once every target was drilled; for {@code ?users=*} by user: {@code {users: {user: answer}}}. */
    public void answer(Exchange exchange) {
        if (exchange.getProperty(EVERYONE) instanceof List<?> runs) {
            Map<String, Object> byUser = new TreeMap<>();
            for (Object r : runs) {
                String user = ((DrillRun) r).user();
                byUser.computeIfAbsent(user, this::answerFor);
            }
            Responses.json(exchange, 200, Map.of("users", byUser));
            return;
        }
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
