package app.garagesync.store;

import java.math.BigDecimal;

/**
 * The typed key of a numeric entity id ({@code "n:<digits>e<exponent>"}), equal for equal values: 1, 1.0
 * and 1e0 are one id, and never equal to the string "1" (whose key is {@code "s:1"}). One definition for
 * validation, merging, the changes feed and the records, so that they all agree on what "the same record" is.
 * Built from the unscaled digits and the scale, never from {@code toPlainString}: an id like
 * {@code 1e999999999} would otherwise expand to a billion characters (found by the fuzz test).
 */
public final class NumberIdKeys {

    private NumberIdKeys() {
    }

    /**
     * The key of a JSON number as written.
     *
     * @throws NumberFormatException when the text is not a number, or one out of BigDecimal's range
     */
    public static String key(String text) {
        String integer = integerKey(text);
        if (integer != null) {
            return integer;
        }
        BigDecimal value;
        try {
            value = new BigDecimal(text);
        } catch (ArithmeticException e) {
            throw new NumberFormatException("out of range: " + e.getMessage());
        }
        BigDecimal canonical = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        return "n:" + canonical.unscaledValue() + "e" + (-(long) canonical.scale());
    }

    /**
     * The same key, without BigDecimal, for a plain JSON integer of at most 18 digits (nearly every
     * numeric id): its digits without trailing zeros, and their count as the exponent. Null otherwise.
     */
    public static String integerKey(String text) {
        int from = text.startsWith("-") ? 1 : 0;
        int n = text.length();
        if (n - from < 1 || n - from > 18) {
            return null;
        }
        for (int i = from; i < n; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
        }
        if (text.charAt(from) == '0') {
            // JSON allows a leading zero only in 0 itself (and -0)
            return n - from == 1 ? "n:0e0" : null;
        }
        int end = n;
        while (text.charAt(end - 1) == '0') {
            end--;
        }
        return "n:" + text.substring(0, end) + "e" + (n - end);
    }
}
