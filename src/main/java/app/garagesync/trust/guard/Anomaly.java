package app.garagesync.trust.guard;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A version that dropped too many records of at least one collection compared with the version before it:
 * stored like any other, but flagged until the owner confirms the deletions were meant.
 *
 * @param version      the flagged version
 * @param comparedWith the version it was compared with (the one before it when it was stored)
 * @param drops        each collection that lost too much, with its counts before and after
 * @param flaggedAt    when the guard saw it
 * @param confirmedAt  when the owner confirmed it; null while it waits
 * @param resolvedBy   a later version that has the lost records back (a restore of the version before): the
 *                     loss is undone without the owner confirming it; 0 while none has
 */
public record Anomaly(long version, long comparedWith, Map<String, Drop> drops, Instant flaggedAt, Instant confirmedAt,
                      long resolvedBy) {

    /** Records of one collection before and after. */
    public record Drop(int before, int after) {

        /** The share lost, in whole percent, rounded down (never 100 unless the collection is empty). */
        public int percent() {
            return before == 0 ? 0 : (int) ((before - after) * 100L / before);
        }
    }

    public boolean confirmed() {
        return confirmedAt != null;
    }

    /** Still waiting for the owner: neither confirmed nor undone by a later version. */
    public boolean open() {
        return confirmedAt == null && resolvedBy == 0;
    }

    Anomaly confirm(Instant at) {
        return new Anomaly(version, comparedWith, drops, flaggedAt, at, resolvedBy);
    }

    Anomaly resolvedBy(long later) {
        return new Anomaly(version, comparedWith, drops, flaggedAt, confirmedAt, later);
    }

    /** One line of English, for logs, the status error and the webhook's text. */
    public String describe() {
        StringBuilder b = new StringBuilder("version " + version + " dropped ");
        boolean first = true;
        for (Map.Entry<String, Drop> e : drops.entrySet()) {
            Drop d = e.getValue();
            b.append(first ? "" : ", ").append(d.before() - d.after()).append(" of ").append(d.before()).append(' ')
                    .append(e.getKey()).append(" (").append(d.percent()).append("%)");
            first = false;
        }
        return b.append(" compared with version ").append(comparedWith).toString();
    }

    /** The JSON shape of {@code anomaly} in the versions list, the status and the webhook. */
    public Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", version);
        m.put("comparedWith", comparedWith);
        Map<String, Object> collections = new LinkedHashMap<>();
        drops.forEach((name, d) -> {
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("before", d.before());
            c.put("after", d.after());
            c.put("droppedPercent", d.percent());
            collections.put(name, c);
        });
        m.put("collections", collections);
        m.put("flaggedAt", flaggedAt.toString());
        m.put("confirmed", confirmed());
        m.put("confirmedAt", confirmedAt == null ? null : confirmedAt.toString());
        m.put("resolvedBy", resolvedBy == 0 ? null : resolvedBy);
        m.put("message", describe());
        return m;
    }
}
