package app.garagesync.trust.drill;

import app.garagesync.trust.rules.Finding;
import app.garagesync.trust.rules.MeaningChecks;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The meaning checks run on a backup a drill restored. Every finding is a warning: the drill has already
 * proven the copy identical to what was sent, so a finding is true of the version itself (its own checks
 * list them all) and must not make a faithful copy look lost. The first {@link #NAMED} are named, then a count,
 * so a badly broken garage does not turn a drill result into megabytes.
 */
public final class MeaningCheckOnRestore implements RestoredBackupCheck {

    static final int NAMED = 20;

    private final MeaningChecks checks;

    public MeaningCheckOnRestore(MeaningChecks checks) {
        this.checks = Objects.requireNonNull(checks, "meaningChecks");
    }

    @Override
    public List<DrillProblem> check(byte[] json) {
        List<Finding> findings = checks.check(json);
        List<DrillProblem> problems = new ArrayList<>();
        for (Finding f : findings.subList(0, Math.min(NAMED, findings.size()))) {
            String where = f.id() == null ? f.collection() : f.collection() + " " + f.id();
            problems.add(DrillProblem.warning("meaning: " + f.rule(), where + ": " + f.message()));
        }
        if (findings.size() > NAMED) {
            problems.add(DrillProblem.warning("meaning: more findings",
                    (findings.size() - NAMED) + " more, listed by GET /api/backup/versions/{id}/checks"));
        }
        return problems;
    }
}
