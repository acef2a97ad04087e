package app.garagesync.sync;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the status and history endpoints show: each target's state (ok, retrying, failing) with its last
 * success and last error, which user+target syncs are running, and the last attempts. Kept in memory: a
 * restart starts with an empty history and targets shown ok until their first attempt.
 */
public final class SyncBoard {

    public enum State { ok, retrying, failing }

    /** One line of {@code GET /api/sync/history}. */
    public record Attempt(Instant time, String target, String user, List<Long> versions, long bytes,
                          long durationMs, String result, String error, FailureCause cause) {

        /** An attempt whose error, if any, says nothing the console could put in words. */
        public Attempt(Instant time, String target, String user, List<Long> versions, long bytes,
                       long durationMs, String result, String error) {
            this(time, target, user, versions, bytes, durationMs, result, error, error == null ? null : FailureCause.other);
        }
    }

    /** The live state of one target. */
    public static final class TargetState {
        volatile State state = State.ok;
        volatile Instant lastSuccess;
        volatile String lastError;
        volatile Instant lastErrorAt;
        volatile FailureCause lastCause;
    }

    private static final int HISTORY = 200;

    private final Clock clock;
    private final Map<String, TargetState> targets = new ConcurrentHashMap<>();
    private final Set<String> running = ConcurrentHashMap.newKeySet();
    private final Deque<Attempt> history = new ArrayDeque<>();

    public SyncBoard(Clock clock) {
        this.clock = clock;
    }

    public Clock clock() {
        return clock;
    }

    public TargetState target(String name) {
        return targets.computeIfAbsent(name, n -> new TargetState());
    }

    public void started(String target, String user) {
        running.add(target + "/" + user);
    }

    public void ended(String target, String user) {
        running.remove(target + "/" + user);
    }

    public boolean inProgress(String user) {
        return running.stream().anyMatch(k -> k.endsWith("/" + user));
    }

    /**
     * A redelivery is under way. A target already failing stays failing: only a success ends that, and
     * the success must still be announced as a recovery (a retry state here would swallow the notice).
     */
    public void retrying(String target, String error) {
        retrying(target, error, FailureCause.other);
    }

    public void retrying(String target, String error, FailureCause cause) {
        TargetState s = target(target);
        synchronized (s) {
            s.lastCause = telling(s, cause);
            if (s.state != State.failing) {
                s.state = State.retrying;
            }
            s.lastError = error;
            s.lastErrorAt = clock.instant();
        }
    }

    /** Returns true when the target was failing before: a recovery worth telling. */
    public boolean succeeded(String target) {
        TargetState s = target(target);
        synchronized (s) {
            // only a target that was failing recovers; a retry that worked was never announced as a failure
            boolean recovered = s.state == State.failing;
            s.state = State.ok;
            s.lastSuccess = clock.instant();
            return recovered;
        }
    }

    /** Returns true when the target was not failing before: a new failure worth telling. */
    public boolean failed(String target, String error) {
        return failed(target, error, FailureCause.other);
    }

    /** As {@link #failed(String, String)}, with why in a code the console can put in words. */
    public boolean failed(String target, String error, FailureCause cause) {
        TargetState s = target(target);
        synchronized (s) {
            s.lastCause = telling(s, cause);
            boolean fresh = s.state != State.failing;
            s.state = State.failing;
            s.lastError = error;
            s.lastErrorAt = clock.instant();
            return fresh;
        }
    }

    /**
     * The cause to show. A target that refuses (a missing bucket) often closes the connection before reading
     * the body, so the next try fails with a bare "broken pipe": while no try has succeeded since, the cause
     * already named says more than that. The raw text of the latest error is still the detail.
     */
    private static FailureCause telling(TargetState s, FailureCause cause) {
        boolean stillFailing = s.state != State.ok && s.lastCause != null;
        return cause == FailureCause.other && stillFailing ? s.lastCause : cause;
    }

    public synchronized void record(Attempt attempt) {
        history.addFirst(attempt);
        while (history.size() > HISTORY) {
            history.removeLast();
        }
    }

    /** The user's attempts, newest first. */
    public synchronized List<Map<String, Object>> history(String user, int limit) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Attempt a : history) {
            if (a.user().equals(user) && out.size() < limit) {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("time", a.time().toString());
                m.put("target", a.target());
                m.put("versions", a.versions());
                m.put("bytes", a.bytes());
                m.put("durationMs", a.durationMs());
                m.put("result", a.result());
                m.put("error", a.error());
                m.put("cause", a.cause() == null ? null : a.cause().name());
                out.add(m);
            }
        }
        return out;
    }
}
