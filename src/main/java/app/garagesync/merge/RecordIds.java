package app.garagesync.merge;

import app.garagesync.store.NumberIdKeys;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * Record ids typed as the store types them ({@link NumberIdKeys} for numbers): a string and a number are different ids ("1" is not 1),
 * while 1, 1.0 and 1e0 are one id.
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
        try {
            return NumberIdKeys.key(text);
        } catch (NumberFormatException e) {
            throw notANumber(document, start);
        }
    }

    /** The id as written, for a conflict: a String, or a Long, BigInteger or BigDecimal. */
    static Object value(String document, byte[] doc, int start, int end) {
        if (doc[start] == '"') {
            return stringContent(document, doc, start, end);
        }
        String text = new String(doc, start, end - start, StandardCharsets.ISO_8859_1);
        if (NumberIdKeys.integerKey(text) != null) {
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
            throw notANumber(document, at);
        }
    }

    private static MergeException notANumber(String document, int at) {
        return new MergeException(document + ": the record id at byte " + at + " is neither a string nor a number in range");
    }
}
