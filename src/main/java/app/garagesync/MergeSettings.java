package app.garagesync;

import app.garagesync.backup.MergeMode;

/** What a write edited from an older version gets ({@code garagesync.merge.mode}: merge or reject). */
record MergeSettings(MergeMode mode) {

    static MergeSettings read(SettingsReader keys) {
        String text = keys.text("garagesync.merge.mode");
        try {
            return new MergeSettings(MergeMode.of(text));
        } catch (IllegalArgumentException e) {
            // worded as SettingsReader words every value that does not parse
            throw new IllegalArgumentException("garagesync.merge.mode = '" + text + "': not merge or reject");
        }
    }
}
