package app.garagesync.backup;

import app.garagesync.api.ApiException;
import java.util.Collection;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code If-Match} header of a whole-document POST: the version this device's state was edited from,
 * as {@code GET /api/backup} gave it in its {@code ETag}. Only one strong ETag {@code "N"} names a base;
 * {@code *}, a weak ETag or a list would leave the merge guessing which version the device started from,
 * so they are refused rather than read loosely.
 */
final class IfMatch {

    static final String HEADER = "If-Match";
    private static final Pattern STRONG = Pattern.compile("\"([0-9]{1,18})\"");

    private IfMatch() {
    }

    /** The base version the header names, or empty when there is no header (a plain POST, as the seed sends). */
    static OptionalLong baseVersion(Object header) {
        if (header == null) {
            return OptionalLong.empty();
        }
        if (header instanceof Collection<?> many) {
            if (many.size() != 1) {
                throw refused("sent " + many.size() + " times; send it once");
            }
            header = many.iterator().next();
        }
        // optional white space around a field value is not part of it (RFC 9110, 5.5)
        String value = String.valueOf(header).strip();
        Matcher m = STRONG.matcher(value);
        if (m.matches()) {
            return OptionalLong.of(Long.parseLong(m.group(1)));
        }
        if (value.equals("*")) {
            throw refused("'*' names no version; send the ETag of the version this state was edited from");
        }
        if (value.startsWith("W/")) {
            throw refused("a weak ETag (" + abbreviate(value) + ") is not accepted; send it without W/, e.g. \"3\"");
        }
        if (value.contains(",")) {
            throw refused("a list (" + abbreviate(value) + ") is not accepted; send only the version this state was edited from");
        }
        throw refused("must be the version this state was edited from, in quotes as GET /api/backup's ETag gives it "
                + "(e.g. \"3\"), got '" + abbreviate(value) + "'");
    }

    private static ApiException refused(String why) {
        return ApiException.badRequest(HEADER + ": " + why);
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
