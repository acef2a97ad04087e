package app.garagesync.records;

import app.garagesync.api.ApiException;
import app.garagesync.backup.NumericIds;
import com.fasterxml.jackson.databind.util.RawValue;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.regex.Pattern;

/**
 * Collection names and record ids as they come in a URL or a request body, checked and turned into the
 * store's typed keys. The one rule for ids in a path: a segment written as a JSON number ({@code 42},
 * {@code -7}, {@code 1.5}) means that number (42 and 42.0 alike, as everywhere); anything else is a
 * string id; a string id that looks like a number is written in double quotes ({@code "42"}, sent as
 * {@code %2242%22}).
 */
final class RecordId {

    /** Longer names and ids are refused: they only ever come from a mistake or an attack. */
    static final int MAX_LENGTH = 200;
    private static final Pattern NUMBER = Pattern.compile("-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?");

    private RecordId() {
    }

    /** A collection name from a request: 1 to 200 characters, no control character, not {@code settings}. */
    static String collection(String name, String where) {
        if (name == null || name.isEmpty()) {
            throw ApiException.badRequest(where + ": a collection name is required, e.g. customers");
        }
        check(name, where);
        if (name.equals("settings")) {
            throw ApiException.badRequest(where + ": settings is an object, not a collection of records");
        }
        return name;
    }

    /** The typed key of an id written in a URL path (see the class comment). */
    static String keyOfPath(String segment, String where) {
        if (segment == null || segment.isEmpty()) {
            throw ApiException.badRequest(where + ": a record id is required");
        }
        check(segment, where);
        if (segment.length() >= 2 && segment.startsWith("\"") && segment.endsWith("\"")) {
            return "s:" + segment.substring(1, segment.length() - 1);
        }
        if (NUMBER.matcher(segment).matches()) {
            return NumericIds.key(segment, where);
        }
        return "s:" + segment;
    }

    /** The typed key of an id given as a JSON value in a request body: a non-empty string or a number. */
    static String keyOfValue(Object id, String where) {
        if (id instanceof String s && !s.isEmpty()) {
            check(s, where);
            return "s:" + s;
        }
        if (id instanceof Number n) {
            return NumericIds.key(n instanceof BigDecimal b ? b.toString() : n.toString(), where);
        }
        throw ApiException.badRequest(where + ": must be a non-empty string or a number");
    }

    private static void check(String s, String where) {
        if (s.length() > MAX_LENGTH) {
            throw ApiException.badRequest(where + ": longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < s.length(); i++) {
            if (Character.isISOControl(s.charAt(i))) {
                throw ApiException.badRequest(where + ": contains a control character (position " + i + ")");
            }
        }
    }

    /** The id of a typed key as the JSON value it was in the backup: a string, or the number. */
    static Object value(String key) {
        if (key.startsWith("s:")) {
            return key.substring(2);
        }
        String body = key.substring(2);
        int e = body.lastIndexOf('e');
        long exponent = Long.parseLong(body.substring(e + 1));
        if (Math.abs(exponent) <= 40) {
            return new RawValue(new BigDecimal(new BigInteger(body.substring(0, e)), (int) -exponent).toPlainString());
        }
        return new RawValue(body); // still a JSON number: digits, 'e', exponent
    }
}
