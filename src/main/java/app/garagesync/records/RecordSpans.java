package app.garagesync.records;

import app.garagesync.backup.NumericIds;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each record of a stored backup is, as byte spans of the document, found by one streaming pass:
 * per collection (an array under {@code data}, {@code settings} excepted) its brackets and its records by
 * typed id key, the same keys validation and change-sets use ({@code "s:"} strings, {@code "n:"} numbers).
 * A record is read, compared and copied as those exact bytes, never re-serialized.
 */
final class RecordSpans {

    // the document was validated when it was stored: limits here only keep the parser from refusing it
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(10_000)
                    .maxStringLength(Integer.MAX_VALUE).maxNumberLength(100_000).maxNameLength(Integer.MAX_VALUE).build())
            .build();

    /** One record: {@code [start, end)} of the document. */
    record Span(int start, int end) {
    }

    /** One collection: the offsets of its {@code [} and {@code ]}, and its records by key, in order. */
    record Collection(int open, int close, Map<String, Span> records) {
    }

    final byte[] doc;
    /** offset of the closing brace of {@code data}, -1 when the document has no data object */
    int dataClose = -1;
    /** whether {@code data} has at least one member */
    boolean dataHasMembers;
    final Map<String, Collection> collections = new LinkedHashMap<>();

    private RecordSpans(byte[] doc) {
        this.doc = doc;
    }

    static RecordSpans of(byte[] doc) {
        RecordSpans s = new RecordSpans(doc);
        try (JsonParser p = FACTORY.createParser(doc)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return s;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                if (name.equals("data") && v == JsonToken.START_OBJECT) {
                    s.data(p);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("a stored version no longer parses", e);
        }
        return s;
    }

    private void data(JsonParser p) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            dataHasMembers = true;
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.START_ARRAY && !name.equals("settings")) {
                int open = offset(p);
                Map<String, Span> records = new LinkedHashMap<>();
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    int start = offset(p);
                    String key = t == JsonToken.START_OBJECT ? idKey(p) : null;
                    if (t != JsonToken.START_OBJECT) {
                        p.skipChildren();
                    }
                    p.finishToken();
                    int end = (int) p.currentLocation().getByteOffset();
                    if (key != null) {
                        records.putIfAbsent(key, new Span(start, end)); // validation refuses duplicates anyway
                    }
                }
                collections.putIfAbsent(name, new Collection(open, offset(p), records));
            } else {
                p.skipChildren();
            }
        }
        dataClose = offset(p);
    }

    /** The typed id key of the record {@code [start, end)} of {@code buffer}; null when it is no object with an id. */
    static String idKey(byte[] buffer, int start, int end) {
        try (JsonParser p = FACTORY.createParser(buffer, start, end - start)) {
            return p.nextToken() == JsonToken.START_OBJECT ? idKey(p) : null;
        } catch (IOException e) {
            throw new UncheckedIOException("a stored record no longer parses", e);
        }
    }

    private static String idKey(JsonParser p) throws IOException {
        String key = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isId = "id".equals(p.currentName());
            JsonToken v = p.nextToken();
            if (isId && v == JsonToken.VALUE_STRING && p.getTextLength() > 0) {
                key = "s:" + p.getText();
            } else if (isId && v.isNumeric()) {
                key = NumericIds.key(p.getText(), "id");
            } else {
                p.skipChildren();
            }
        }
        return key;
    }

    private static int offset(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    /** The record's exact bytes, or null when the collection or the record is not there. */
    byte[] record(String collection, String key) {
        Collection c = collections.get(collection);
        Span s = c == null ? null : c.records().get(key);
        return s == null ? null : java.util.Arrays.copyOfRange(doc, s.start(), s.end());
    }

    /** The records of a collection as {key, bytes} in document order; empty when it is not there. */
    List<Map.Entry<String, Span>> records(String collection) {
        Collection c = collections.get(collection);
        return c == null ? List.of() : new ArrayList<>(c.records().entrySet());
    }
}
