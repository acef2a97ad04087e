package app.garagesync.trust.drill;

/** Ends a drill at the step that found {@link #problem()}: the steps after it have nothing sound to work on. */
final class DrillStop extends RuntimeException {

    private final transient DrillProblem problem;

    DrillStop(String problem, String detail) {
        super(problem + ": " + detail, null, false, false);
        this.problem = DrillProblem.error(problem, detail);
    }

    DrillProblem problem() {
        return problem;
    }
}
