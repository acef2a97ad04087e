package app.garagesync.trust.rules;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The few fields the rules look at, read from a backup in one streaming pass (Jackson's parser, never a
 * tree of the document: a 50 MB backup costs the values kept, not a copy of itself). For each collection
 * a rule names: each record's id and the named top-level fields, as text (a string's characters, a
 * number's digits); a null, an object or an array counts as absent.
 */
final class RecordFields {

    /** One record: its id (null when it has none) and the wanted fields it has. */
    record Row(String id, Map<String, String> fields) {
    }

    private static final JsonFactory FACTORY = new JsonFactory();

    private final Map<String, List<Row>> rows = new HashMap<>();

    private RecordFields() {
    }

    /** The rows of every collection in {@code wanted} (collection -> fields) that the backup holds. */
    static RecordFields read(byte[] json, Map<String, Set<String>> wanted) {
        RecordFields out = new RecordFields();
        try (JsonParser p = FACTORY.createParser(json)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IllegalArgumentException("a backup is a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                if (name.equals("data") && value == JsonToken.START_OBJECT) {
                    out.readData(p, wanted);
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new IllegalArgumentException("not a readable backup: " + e.getMessage(), e);
        }
        return out;
    }

    private void readData(JsonParser p, Map<String, Set<String>> wanted) throws IOException {
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String collection = p.currentName();
            JsonToken value = p.nextToken();
            Set<String> fields = wanted.get(collection);
            if (fields == null || value != JsonToken.START_ARRAY) {
                p.skipChildren();
                continue;
            }
            List<Row> list = rows.computeIfAbsent(collection, k -> new ArrayList<>());
            while (p.nextToken() != JsonToken.END_ARRAY) {
                if (p.currentToken() == JsonToken.START_OBJECT) {
                    list.add(row(p, fields));
                } else {
                    p.skipChildren();
                }
            }
        }
    }

    private static Row row(JsonParser p, Set<String> fields) throws IOException {
        String id = null;
        Map<String, String> values = new HashMap<>(4);
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken t = p.nextToken();
            boolean isId = name.equals("id");
            if ((isId || fields.contains(name)) && t.isScalarValue() && t != JsonToken.VALUE_NULL) {
                String text = p.getText();
                if (isId) {
                    id = text;
                }
                if (fields.contains(name)) {
                    values.put(name, text);
                }
            } else {
                p.skipChildren();
            }
        }
        return new Row(id, values);
    }

    /** Whether the backup has this collection as an array. */
    boolean has(String collection) {
        return rows.containsKey(collection);
    }

    List<Row> rows(String collection) {
        return rows.getOrDefault(collection, List.of());
    }
}
