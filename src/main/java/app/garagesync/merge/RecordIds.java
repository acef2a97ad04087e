package app.garagesync.merge;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Record ids typed as the store types them: a string and a number are different ids ("1" is not 1),
 * while 1, 1.0 and 1e0 are one id. The numeric key is built from the unscaled digits and the scale,
 * never from {@code toPlainString}: an id like {@code 1e999999999} would expand to a billion characters.
 */
final class RecordIds {

    private RecordIds() {
    }

    /** The typed key of the id value at [start, end) of {@code doc}. */
    static String key(String document, byte[] doc, int start, int end) {
        if (doc[start] == '"') {
            String text = stringContent(document, doc, start, end);
            if (text.isEmpty()) {
                throw new MergeException(document + ": an empty record id at byte " + start);
            }
            return "s:" + text;
        }
        String text = new String(doc, start, end - start, StandardCharsets.ISO_8859_1);
        String integer = integerKey(text);
        if (integer != null) {
            return integer;
        }
        BigDecimal value = decimal(document, text, start);
        BigDecimal canonical = value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
        return "n:" + canonical.unscaledValue() + "e" + (-(long) canonical.scale());
    }

    /** The id as written, for a conflict: a String, or a Long, BigInteger or BigDecimal. */
    static Object value(String document, byte[] doc, int start, int end) {
        if (doc[start] == '"') {
            return stringContent(document, doc, start, end);
        }
        String text = new String(doc, start, end - start, StandardCharsets.ISO_8859_1);
        if (integerKey(text) != null) {
            return text.length() <= 18 ? (Object) Long.parseLong(text) : new BigInteger(text);
        }
        return decimal(document, text, start);
    }

    private static String stringContent(String document, byte[] doc, int start, int end) {
        for (int i = start + 1; i < end - 1; i++) {
            if (doc[i] == '\\') {
                return JsonValues.decodeString(document, doc, start, end);
            }
        }
        return new String(doc, start + 1, end - start - 2, StandardCharsets.UTF_8);
    }

    private static BigDecimal decimal(String document, String text, int at) {
        try {
            return new BigDecimal(text);
        } catch (NumberFormatException | ArithmeticException e) {
            throw new MergeException(document + ": the record id at byte " + at + " is neither a string nor a number in range");
        }
    }

    /** The key of a plain JSON integer of at most 18 digits (nearly every numeric id), without BigDecimal; else null. */
    private static String integerKey(String text) {
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
            return n - from == 1 ? "n:0e0" : null;
        }
        int end = n;
        while (text.charAt(end - 1) == '0') {
            end--;
        }
        return "n:" + text.substring(0, end) + "e" + (n - end);
    }
}
