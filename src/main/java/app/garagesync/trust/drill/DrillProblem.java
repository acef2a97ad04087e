package app.garagesync.trust.drill;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One thing a drill found wrong, named so that a person and a program can tell cases apart
 * ({@code "object missing"}, {@code "hash differs"}, ...), with the detail: the version, the key.
 * An {@link #ERROR} fails the drill; a {@link #WARNING} is only reported.
 */
public record DrillProblem(String problem, String detail, String level) {

    public static final String ERROR = "error";
    public static final String WARNING = "warning";

    // the names a drill itself gives (the checks name their own)
    static final String NOTHING_SENT = "nothing sent yet";
    static final String TARGET_UNAVAILABLE = "target unavailable";
    static final String INDEX_MISSING = "index missing";
    static final String INDEX_UNREADABLE = "index unreadable";
    static final String VERSION_NOT_LISTED = "version not listed";
    static final String OBJECT_MISSING = "object missing";
    static final String HASH_DIFFERS = "hash differs";
    static final String CANNOT_DECRYPT = "cannot decrypt";
    static final String TOO_LARGE = "too large";
    static final String CANNOT_REBUILD = "cannot rebuild";
    static final String SCRATCH_FAILED = "scratch area failed";
    static final String CHECK_FAILED = "check failed";

    public static DrillProblem error(String problem, String detail) {
        return new DrillProblem(problem, detail, ERROR);
    }

    public static DrillProblem warning(String problem, String detail) {
        return new DrillProblem(problem, detail, WARNING);
    }

    boolean isError() {
        return !WARNING.equals(level);
    }

    Map<String, Object> toMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("problem", problem);
        m.put("detail", detail);
        m.put("level", level);
        return m;
    }

    static DrillProblem fromMap(Map<?, ?> m) {
        return new DrillProblem(String.valueOf(m.get("problem")), String.valueOf(m.get("detail")),
                m.get("level") == null ? ERROR : String.valueOf(m.get("level")));
    }
}
