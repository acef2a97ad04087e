package app.garagesync.trust.drill;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The last drill of one user's copy on one target: whether it passed, the version it restored, when,
 * the bytes it read from the target, what it found, and when a drill of this copy last passed (kept
 * across failures: it is what "last verified restorable" means).
 */
public record DrillResult(String target, boolean ok, Long version, Instant checkedAt, long bytesRead,
                          long durationMillis, List<DrillProblem> problems, Instant lastOkAt, Instant firstCheckedAt) {

    /** True when nothing was ever sent to the target: nothing to restore yet, which is no failure of the target. */
    public boolean nothingSent() {
        return !ok && problems.stream().anyMatch(p -> DrillProblem.NOTHING_SENT.equals(p.problem()));
    }

    /** Since when this copy has not been verified restorable: its last pass, or its first drill when none passed. */
    public Instant verifiedSince() {
        return lastOkAt != null ? lastOkAt : firstCheckedAt;
    }

    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ok", ok);
        m.put("version", version);
        m.put("checkedAt", checkedAt.toString());
        m.put("bytesRead", bytesRead);
        m.put("durationMillis", durationMillis);
        List<Map<String, Object>> ps = new ArrayList<>();
        problems.forEach(p -> ps.add(p.toMap()));
        m.put("problems", ps);
        m.put("lastOkAt", lastOkAt == null ? null : lastOkAt.toString());
        m.put("firstCheckedAt", firstCheckedAt.toString());
        return m;
    }

    static DrillResult fromMap(String target, Map<?, ?> m) {
        List<DrillProblem> problems = new ArrayList<>();
        if (m.get("problems") instanceof List<?> list) {
            list.forEach(p -> problems.add(DrillProblem.fromMap((Map<?, ?>) p)));
        }
        Instant checkedAt = Instant.parse((String) m.get("checkedAt"));
        return new DrillResult(target, Boolean.TRUE.equals(m.get("ok")),
                m.get("version") instanceof Number n ? n.longValue() : null, checkedAt,
                ((Number) m.get("bytesRead")).longValue(),
                m.get("durationMillis") instanceof Number d ? d.longValue() : 0, List.copyOf(problems),
                m.get("lastOkAt") instanceof String s ? Instant.parse(s) : null,
                m.get("firstCheckedAt") instanceof String f ? Instant.parse(f) : checkedAt);
    }
}
