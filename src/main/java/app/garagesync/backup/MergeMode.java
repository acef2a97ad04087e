package app.garagesync.backup;

import java.util.Locale;

/**
 * What a write edited from an older version gets ({@code garagesync.merge.mode}): merged onto the latest,
 * or refused with 409 and the conflicts a merge would have made, for operators who want every device to
 * fetch and redo its edits itself.
 */
public enum MergeMode {
    MERGE, REJECT;

    /** "merge" or "reject", any case; anything else is refused naming both. */
    public static MergeMode of(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "merge" -> MERGE;
            case "reject" -> REJECT;
            default -> throw new IllegalArgumentException(text);
        };
    }
}
