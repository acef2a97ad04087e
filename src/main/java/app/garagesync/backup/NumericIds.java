package app.garagesync.backup;

import app.garagesync.api.ApiException;
import app.garagesync.store.NumberIdKeys;

/** The key of a numeric entity id in a backup being validated ({@link NumberIdKeys}), a 400 when it has none. */
public final class NumericIds {

    private NumericIds() {
    }

    public static String key(String text, String at) {
        try {
            return NumberIdKeys.key(text);
        } catch (NumberFormatException e) {
            throw ApiException.invalidBackup(at + ": the number " + abbreviate(text) + " is out of range");
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 30 ? s.substring(0, 30) + "..." : s;
    }
}
