package app.garagesync.store.delta;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a document's {@link Layout} from what a parser reports as it validates it, so that the store need not
 * scan the document again: the same regions, names and ids {@link LayoutScanner} finds in a valid document,
 * which {@code LayoutRecorderTest} holds it to. The parser reports where things are; the names and ids are
 * read here from the bytes as written, as the scanner reads them.
 */
public final class LayoutRecorder {

    private final List<Layout.Region> regions = new ArrayList<>();
    private String name;
    private int from;
    private int[] ends = new int[64];
    private String[] ids = new String[64];
    private int n;
    private boolean abandoned;

    /** The layout will not be made (the parser reported something this cannot place): the store scans instead. */
    public void abandon() {
        abandoned = true;
    }

    /**
     * A collection whose member name opens with the quote at {@code nameQuote} of {@code doc}, and whose array's
     * {@code [} is at {@code bracket}.
     */
    public void collection(byte[] doc, int nameQuote, int bracket) {
        int close = stringEnd(doc, nameQuote) - 1;
        name = new String(doc, nameQuote + 1, close - nameQuote - 1, StandardCharsets.UTF_8);
        from = bracket + 1;
        n = 0;
    }

    /** The next entity of the collection: its object closes with the {@code }} at {@code closingBrace}; its id as written, or null. */
    public void entity(int closingBrace, String id) {
        if (n == ends.length) {
            ends = Arrays.copyOf(ends, n * 2);
            ids = Arrays.copyOf(ids, n * 2);
        }
        ends[n] = closingBrace + 1;
        ids[n] = id;
        n++;
    }

    /** The collection's array closed. */
    public void endCollection() {
        regions.add(Layout.Region.ofEnds(name, from, ends, n, Arrays.copyOf(ids, n)));
    }

    /** The layout of the whole document, {@code length} bytes of {@code doc}, once it is all in; null when abandoned. */
    public Layout layout(byte[] doc, int length) {
        return abandoned ? null : Layout.over(doc, length, regions);
    }

    /**
     * The id of an entity as the scanner keeps it (quotes included for a string), whose scalar value starts at
     * {@code valueStart}, when its member is written plainly {@code "id"}; null when the name is spelled with
     * escapes, as the scanner, which compares names as written, would not take it either.
     */
    public static String idAt(byte[] doc, int valueStart) {
        int q = valueStart - 1;
        while (q > 0 && (doc[q] == ' ' || doc[q] == '\n' || doc[q] == '\r' || doc[q] == '\t' || doc[q] == ':')) {
            q--;
        }
        // the decoded name is "id"; written so, it ends with these four bytes, and any escape would take more
        if (q < 3 || doc[q] != '"' || doc[q - 1] != 'd' || doc[q - 2] != 'i' || doc[q - 3] != '"') {
            return null;
        }
        int end;
        if (doc[valueStart] == '"') {
            end = stringEnd(doc, valueStart);
        } else {
            end = valueStart + 1;
            while (end < doc.length) {
                byte c = doc[end];
                if (c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    break;
                }
                end++;
            }
        }
        return new String(doc, valueStart, end - valueStart, StandardCharsets.ISO_8859_1);
    }

    /** Past the closing quote of the string whose opening quote is at {@code quote}. */
    private static int stringEnd(byte[] doc, int quote) {
        for (int i = quote + 1; i < doc.length; i++) {
            if (doc[i] == '\\') {
                i++;
            } else if (doc[i] == '"') {
                return i + 1;
            }
        }
        return doc.length;
    }
}
