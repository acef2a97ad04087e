package app.garagesync.merge;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.util.Arrays;
import java.util.Comparator;

/**
 * Values of a backup as trees, for the few fields the merge compares or reports. Its own mapper, not
 * {@code app.garagesync.Json}'s: that one is for the daemon's small documents, and a backup may hold
 * strings and nesting beyond Jackson's defaults that the validator's configured limits let through.
 */
final class JsonValues {

    private static final ObjectMapper MAPPER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(10_000).maxStringLength(Integer.MAX_VALUE).maxNumberLength(100_000)
                            .maxNameLength(Integer.MAX_VALUE).build())
                    .build())
            // amounts stay exact in the conflicts a client reads (1.10 is not 1.1000000000000000888)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();

    /** Numbers compare by value (1.5 and 1.50 are one amount, as they are to the app), everything else exactly. */
    private static final Comparator<JsonNode> SAME = (a, b) -> {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue());
        }
        return a.equals(b) ? 0 : 1;
    };

    private JsonValues() {
    }

    /** The value at [start, end) of {@code doc} as a tree. */
    static JsonNode tree(String document, byte[] doc, int start, int end) {
        try {
            return MAPPER.readTree(doc, start, end - start);
        } catch (IOException | RuntimeException e) {
            throw new MergeException(document + ": the value at byte " + start + " does not parse as JSON", e);
        }
    }

    /**
     * Whether two values mean the same: the same bytes, or the same JSON value whatever the spacing,
     * the members' order or the spelling of numbers and escapes (a device re-serializing what it
     * loaded has changed nothing).
     */
    static boolean same(String da, byte[] a, int aStart, int aEnd, String db, byte[] b, int bStart, int bEnd) {
        if (Arrays.equals(a, aStart, aEnd, b, bStart, bEnd)) {
            return true;
        }
        return tree(da, a, aStart, aEnd).equals(SAME, tree(db, b, bStart, bEnd));
    }

    /** The text of the JSON string at [start, end) (quotes included), its escapes decoded. */
    static String decodeString(String document, byte[] doc, int start, int end) {
        try (JsonParser p = MAPPER.getFactory().createParser(doc, start, end - start)) {
            p.nextToken();
            return p.getText();
        } catch (IOException | RuntimeException e) {
            throw new MergeException(document + ": the string at byte " + start + " does not parse as JSON", e);
        }
    }
}
