package app.garagesync.store.delta;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Finds the entities of a backup: the arrays of {@code data} except {@code settings}, and the byte
 * span and id of each entity. Its result is only used on documents that passed validation, and it reads
 * bytes directly instead of through a JSON parser: on a 50 MB backup it is several times faster, and it
 * must be, since a read after a restart scans the checkpoint it rebuilds from. It may run while the
 * document is being validated, so on any bytes at all it must end, returning or throwing: each turn of
 * each of its loops consumes at least one byte.
 *
 * <p>Names and ids are compared as written. A name spelled with escapes ({@code "d\u0061ta"}) or an
 * id written two ways is only found less often, which makes deltas larger, never wrong: the split
 * into skeleton and items always puts back the exact bytes.
 */
public final class LayoutScanner {

    private static final byte[] DATA = "data".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] SETTINGS = "settings".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] ID = "id".getBytes(StandardCharsets.US_ASCII);

    private final byte[] doc;
    private final int length;
    private int pos;
    private final List<Layout.Region> regions = new ArrayList<>();

    private LayoutScanner(byte[] doc, int length) {
        this.doc = doc;
        this.length = length;
    }

    public static Layout scan(byte[] doc, int length) {
        return new LayoutScanner(doc, length).run();
    }

    /**
     * The id, as written, of the entity in {@code [from, to)} of {@code buffer}: an item of a layout, which
     * may begin with the separator before its entity; null when the entity is not an object or has no id.
     * For a layout whose ids were not kept (rebuilt from a delta or an index).
     */
    public static String entityId(byte[] buffer, int from, int to) {
        String leading = leadingId(buffer, Layout.entityStart(buffer, from, to), to);
        if (leading != null) {
            return leading;
        }
        LayoutScanner s = new LayoutScanner(buffer, to);
        s.pos = from;
        while (true) {
            s.ws();
            if (s.pos < to && buffer[s.pos] == ',') {
                s.pos++;
            } else {
                break;
            }
        }
        return s.pos < to ? s.entity() : null;
    }

    /**
     * The id of an entity that opens with it, {@code {"id":}, as the app writes them: read without walking the
     * rest of the entity (the first "id" member is the one {@link #entity} returns too). Null when the entity
     * does not open so, or the id is not a plain string or scalar.
     */
    private static String leadingId(byte[] b, int p, int to) {
        int v = p + 6;
        if (v >= to || b[p] != '{' || b[p + 1] != '"' || b[p + 2] != 'i' || b[p + 3] != 'd' || b[p + 4] != '"'
                || b[p + 5] != ':') {
            return null;
        }
        byte first = b[v];
        if (first == '"') {
            int end = stringEnd(b, v, to);
            return end < 0 ? null : new String(b, v, end - v, StandardCharsets.ISO_8859_1);
        }
        if (first == '{' || first == '[' || first == ' ' || first == '\n' || first == '\r' || first == '\t'
                || first == ',' || first == '}' || first == ']') {
            return null;
        }
        for (int i = v + 1; i < to; i++) {
            byte c = b[i];
            if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                return new String(b, v, i - v, StandardCharsets.ISO_8859_1);
            }
        }
        return null;
    }

    /** Past the closing quote of the string whose opening quote is at {@code quote}, looking before {@code to}; -1 if none. */
    static int stringEnd(byte[] b, int quote, int to) {
        for (int i = quote + 1; i < to; i++) {
            if (b[i] == '\\') {
                i++;
            } else if (b[i] == '"') {
                return i + 1;
            }
        }
        return -1;
    }

    private Layout run() {
        ws();
        if (pos < length && doc[pos] == '{') {
            pos++;
            object(true);
        }
        return Layout.over(doc, length, regions);
    }

    /** Members of an object whose '{' was consumed; at the top level, finds {@code data}. */
    private void object(boolean topLevel) {
        while (true) {
            ws();
            if (pos >= length || doc[pos] == '}') {
                pos++;
                return;
            }
            if (doc[pos] == ',') {
                pos++;
                continue;
            }
            int nameStart = pos + 1;
            string();
            int nameEnd = pos - 1;
            ws();
            pos++; // ':'
            ws();
            if (topLevel && is(nameStart, nameEnd, DATA) && doc[pos] == '{') {
                pos++;
                data();
            } else {
                value();
            }
        }
    }

    private void data() {
        while (true) {
            ws();
            if (pos >= length || doc[pos] == '}') {
                pos++;
                return;
            }
            if (doc[pos] == ',') {
                pos++;
                continue;
            }
            int nameStart = pos + 1;
            string();
            int nameEnd = pos - 1;
            ws();
            pos++; // ':'
            ws();
            if (doc[pos] == '[' && !is(nameStart, nameEnd, SETTINGS)) {
                collection(new String(doc, nameStart, nameEnd - nameStart, StandardCharsets.UTF_8));
            } else {
                value();
            }
        }
    }

    private void collection(String name) {
        int contentStart = ++pos;
        int[] ends = new int[16];
        String[] ids = new String[16];
        int n = 0;
        while (true) {
            ws();
            if (pos >= length || doc[pos] == ']') {
                break;
            }
            if (doc[pos] == ',') {
                pos++;
                continue;
            }
            if (n == ends.length) {
                ends = Arrays.copyOf(ends, n * 2);
                ids = Arrays.copyOf(ids, n * 2);
            }
            ids[n] = entity();
            ends[n] = pos;
            n++;
        }
        pos++; // ']'
        regions.add(Layout.Region.ofEnds(name, contentStart, ends, n, Arrays.copyOf(ids, n)));
    }

    /** Reads one entity object and returns its id as written (quotes included for a string), or null. */
    private String entity() {
        if (doc[pos] != '{') {
            value();
            return null;
        }
        pos++;
        String id = null;
        while (true) {
            ws();
            if (pos >= length || doc[pos] == '}') {
                pos++;
                return id;
            }
            if (doc[pos] == ',') {
                pos++;
                continue;
            }
            int nameStart = pos + 1;
            string();
            int nameEnd = pos - 1;
            ws();
            pos++; // ':'
            ws();
            int valueStart = pos;
            value();
            if (id == null && is(nameStart, nameEnd, ID)) {
                id = new String(doc, valueStart, pos - valueStart, StandardCharsets.ISO_8859_1);
            }
        }
    }

    private void value() {
        byte b = doc[pos];
        if (b == '"') {
            string();
        } else if (b == '{' || b == '[') {
            nested();
        } else {
            // a scalar's first byte is never a delimiter; taking it unseen also moves past a stray '}' in
            // bytes not validated yet (see Incoming), where staying put would loop forever
            pos++;
            while (pos < length) {
                byte c = doc[pos];
                if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    return;
                }
                pos++;
            }
        }
    }

    /** Skips an object or array, minding strings. */
    private void nested() {
        int depth = 0;
        while (pos < length) {
            byte c = doc[pos];
            if (c == '"') {
                string();
                continue;
            }
            pos++;
            if (c == '{' || c == '[') {
                depth++;
            } else if ((c == '}' || c == ']') && --depth == 0) {
                return;
            }
        }
    }

    /** Skips a string starting at its opening quote, leaving pos after the closing one. */
    private void string() {
        pos++;
        while (pos < length) {
            byte c = doc[pos++];
            if (c == '\\') {
                pos++;
            } else if (c == '"') {
                return;
            }
        }
    }

    private void ws() {
        while (pos < length) {
            byte c = doc[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    private boolean is(int from, int to, byte[] word) {
        return Arrays.equals(doc, from, to, word, 0, word.length);
    }
}
