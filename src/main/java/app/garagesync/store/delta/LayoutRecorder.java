package app.garagesync.store.delta;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Builds a document's {@link Layout} from what a parser reports as it validates it, so that the store need not
 * scan the document again: the same regions and names {@link LayoutScanner} finds in a valid document, which
 * {@code LayoutRecorderTest} holds it to. The parser reports where things are; names are read here from the
 * bytes as written, as the scanner reads them. It keeps no ids: a layout is kept in memory as the user's
 * latest, and 300,000 id strings were 20 MB of a 50 MB backup's; whoever needs an id reads it from its record
 * ({@link Layout.Items#id}).
 */
public final class LayoutRecorder {

    private final List<Layout.Region> regions = new ArrayList<>();
    private String name;
    private int from;
    private int[] ends = new int[64];
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
        int close = LayoutScanner.stringEnd(doc, nameQuote, doc.length) - 1;
        name = new String(doc, nameQuote + 1, close - nameQuote - 1, StandardCharsets.UTF_8);
        from = bracket + 1;
        n = 0;
    }

    /** The next entity of the collection: its object closes with the {@code }} at {@code closingBrace}. */
    public void entity(int closingBrace) {
        if (n == ends.length) {
            ends = Arrays.copyOf(ends, n * 2);
        }
        ends[n] = closingBrace + 1;
        n++;
    }

    /** The collection's array closed. */
    public void endCollection() {
        regions.add(Layout.Region.ofEnds(name, from, ends, n, null));
    }

    /** The layout of the whole document, {@code length} bytes of {@code doc}, once it is all in; null when abandoned. */
    public Layout layout(byte[] doc, int length) {
        return abandoned ? null : Layout.over(doc, length, regions);
    }
}
