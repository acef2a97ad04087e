package app.garagesync.store;

import java.time.DayOfWeek;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * Which versions to keep, in restic's terms: the last {@code keepLast} versions, and the newest
 * version of each of the last {@code keepHourly} hours, {@code keepDaily} days, {@code keepWeekly}
 * weeks and {@code keepMonthly} months that have versions. The latest version is always kept. A
 * policy with every count at 0 keeps everything.
 */
public record RetentionPolicy(int keepLast, int keepHourly, int keepDaily, int keepWeekly, int keepMonthly,
                              ZoneId zone) {

    public boolean keepsEverything() {
        return keepLast == 0 && keepHourly == 0 && keepDaily == 0 && keepWeekly == 0 && keepMonthly == 0;
    }

    /**
     * False when a user whose newest version has this id (so at most that many versions) cannot have
     * {@code atLeast} versions outside the policy: keep-last alone keeps all but {@code id - keepLast}.
     */
    public boolean mayRemoveWith(long newestId, int atLeast) {
        return !keepsEverything() && newestId - Math.max(1, keepLast) >= Math.max(1, atLeast);
    }

    /** The ids to keep among {@code newestFirst}. */
    public Set<Long> keep(List<VersionInfo> newestFirst) {
        Set<Long> keep = new HashSet<>();
        if (newestFirst.isEmpty()) {
            return keep;
        }
        if (keepsEverything()) {
            newestFirst.forEach(v -> keep.add(v.id()));
            return keep;
        }
        if (newestFirst.size() <= keepLast) {
            // runs after every backup: most users are inside keep-last, and then the calendar is moot
            newestFirst.forEach(v -> keep.add(v.id()));
            return keep;
        }
        keep.add(newestFirst.get(0).id());
        for (int i = 0; i < Math.min(keepLast, newestFirst.size()); i++) {
            keep.add(newestFirst.get(i).id());
        }
        bucket(newestFirst, keepHourly, t -> t.truncatedTo(ChronoUnit.HOURS), keep);
        bucket(newestFirst, keepDaily, t -> t.truncatedTo(ChronoUnit.DAYS), keep);
        bucket(newestFirst, keepWeekly, t -> t.truncatedTo(ChronoUnit.DAYS)
                .with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)), keep);
        bucket(newestFirst, keepMonthly, t -> t.truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1), keep);
        return keep;
    }

    private void bucket(List<VersionInfo> newestFirst, int count, Function<ZonedDateTime, ZonedDateTime> period,
                        Set<Long> keep) {
        ZonedDateTime last = null;
        int kept = 0;
        for (VersionInfo v : newestFirst) {
            if (kept >= count) {
                return;
            }
            ZonedDateTime p = period.apply(v.createdAt().atZone(zone));
            if (!p.equals(last)) {
                keep.add(v.id());
                kept++;
                last = p;
            }
        }
    }
}
