package app.garagesync.store;

import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

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
        Periods periods = new Periods(newestFirst, zone.getRules());
        bucket(newestFirst, keepHourly, periods::hour, keep);
        bucket(newestFirst, keepDaily, periods::day, keep);
        bucket(newestFirst, keepWeekly, periods::week, keep);
        bucket(newestFirst, keepMonthly, periods::month, keep);
        return keep;
    }

    private static void bucket(List<VersionInfo> newestFirst, int count, java.util.function.IntToLongFunction period,
                               Set<Long> keep) {
        long last = Long.MIN_VALUE;
        int kept = 0;
        for (int i = 0; i < newestFirst.size() && kept < count; i++) {
            long p = period.applyAsLong(i);
            if (p != last) {
                keep.add(newestFirst.get(i).id());
                kept++;
                last = p;
            }
        }
    }

    /**
     * The period of each version as a number: the hour, calendar day, week (from Monday) and month of its
     * time on the zone's clock, as restic's policy reads them (the hour a DST change repeats is one hour of
     * the clock). It runs after every backup past keep-last, over every version: a ZonedDateTime per version
     * and period was half of what retention cost a small backup (JFR, 64 clients); this is arithmetic on
     * epoch seconds and the zone's offsets.
     */
    private static final class Periods {
        private static final long SECONDS_PER_DAY = 86_400;
        private final List<VersionInfo> versions;
        private final java.time.zone.ZoneRules rules;
        private final long[] localSeconds;
        private int known;
        private long monthDay = Long.MIN_VALUE;
        private long monthOfDay;

        Periods(List<VersionInfo> versions, java.time.zone.ZoneRules rules) {
            this.versions = versions;
            this.rules = rules;
            this.localSeconds = new long[versions.size()];
        }

        long hour(int i) {
            return Math.floorDiv(local(i), 3600);
        }

        long day(int i) {
            return Math.floorDiv(local(i), SECONDS_PER_DAY);
        }

        long week(int i) {
            long day = day(i);
            return day - Math.floorMod(day + 3, 7); // the epoch's first day, 1970-01-01, was a Thursday
        }

        long month(int i) {
            long day = day(i);
            if (day != monthDay) {
                java.time.LocalDate date = java.time.LocalDate.ofEpochDay(day);
                monthDay = day;
                monthOfDay = date.getYear() * 12L + date.getMonthValue();
            }
            return monthOfDay;
        }

        private long local(int i) {
            while (known <= i) {
                java.time.Instant at = versions.get(known).createdAt();
                localSeconds[known] = at.getEpochSecond() + offsetAt(at);
                known++;
            }
            return localSeconds[i];
        }

        // the offset is the same from one transition of the zone to the next: looked up once per stretch
        // between two transitions, not once per version (a lookup was most of what retention still cost)
        private long offsetFrom = Long.MAX_VALUE;
        private long offsetUntil = Long.MIN_VALUE;
        private int offset;

        private int offsetAt(java.time.Instant at) {
            long second = at.getEpochSecond();
            if (second >= offsetFrom && second < offsetUntil) {
                return offset;
            }
            offset = rules.getOffset(at).getTotalSeconds();
            if (rules.isFixedOffset()) {
                offsetFrom = Long.MIN_VALUE;
                offsetUntil = Long.MAX_VALUE;
                return offset;
            }
            // the last transition at or before this instant (the one strictly before the next second), and
            // the first one after it: between them, this offset holds
            java.time.zone.ZoneOffsetTransition since = rules.previousTransition(at.plusSeconds(1));
            java.time.zone.ZoneOffsetTransition next = rules.nextTransition(at);
            offsetFrom = since == null ? Long.MIN_VALUE : since.toEpochSecond();
            offsetUntil = next == null ? Long.MAX_VALUE : next.toEpochSecond();
            return offset;
        }
    }
}
