package app.garagesync.backup;

import app.garagesync.api.ApiException;
import java.math.BigDecimal;

/**
 * The key of a numeric entity id, equal for equal values (1, 1.0 and 1e0 are one id). Built from the
 * unscaled digits and the scale, never from {@code toPlainString}: an id like {@code 1e999999999}
 * would otherwise expand to a billion characters (found by the fuzz test).
 */
final class NumericIds {

    private NumericIds() {
    }

    static String key(String text, String at) {
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (NumberFormatException | ArithmeticException e) {
            throw ApiException.invalidBackup(at + ": the number " + abbreviate(text) + " is out of range");
        }
        BigDecimal canonical = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        return "n:" + canonical.unscaledValue() + "e" + (-(long) canonical.scale());
    }

    private static String abbreviate(String s) {
        return s.length() > 30 ? s.substring(0, 30) + "..." : s;
    }
}
