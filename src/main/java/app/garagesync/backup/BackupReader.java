package app.garagesync.backup;

import app.garagesync.api.ApiException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Validates a backup document in one streaming pass, without building a tree: a 50 MB backup as a
 * Jackson tree costs over 200 MB of heap, while the token stream costs almost nothing. The bytes
 * themselves are what gets stored, so numbers and text come back exactly as they were sent.
 *
 * <p>Rules: the top level is an object with a {@code data} object; {@code garage} and
 * {@code data.settings} are objects (or null); every other member of {@code data} is a collection,
 * an array of objects each with an {@code id} (string or number) unique within the collection.
 */
public final class BackupReader {

    private final JsonFactory factory;
    private final int maxNestingDepth;

    public BackupReader(int maxNestingDepth, int maxStringLength) {
        this.maxNestingDepth = maxNestingDepth;
        this.factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(maxNestingDepth)
                        .maxStringLength(maxStringLength)
                        .maxNumberLength(1000)
                        .maxNameLength(10_000)
                        .build())
                // duplicate member names would make "what comes back" ambiguous: refuse them
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
    }

    public int maxDepth() {
        return maxNestingDepth;
    }

    public BackupSummary read(byte[] json) {
        return read(json, json.length);
    }

    public BackupSummary read(byte[] json, int length) {
        if (length == 0) {
            throw ApiException.invalidBackup("$: the body is empty, expected a JSON object");
        }
        // Jackson checks UTF-8 only in the strings it decodes; skipped values must be valid too
        long bad = Utf8.firstInvalidByte(json, length);
        if (bad >= 0) {
            throw ApiException.invalidBackup("$: invalid UTF-8 at byte offset " + bad);
        }
        try (JsonParser p = factory.createParser(json, 0, length)) {
            return new Pass(p, json, length).run();
        } catch (JsonProcessingException e) {
            // limit violations (nesting depth, string length) come without a location
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw ApiException.invalidBackup("$: not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalidBackup("$: unreadable JSON: " + e.getMessage());
        }
    }

    /** One validation pass over one document. */
    private static final class Pass {
        private final JsonParser p;
        private final byte[] json;
        private final int length;
        private final Map<String, Integer> counts = new LinkedHashMap<>();
        private String backupTimestamp;
        private long timestampValueStart = -1;
        private long timestampValueEnd = -1;
        private boolean sawData;

        Pass(JsonParser p, byte[] json, int length) {
            this.p = p;
            this.json = json;
            this.length = length;
        }

        BackupSummary run() throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.invalidBackup("$: must be a JSON object with a 'data' object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken value = p.nextToken();
                switch (name) {
                    case "data" -> readData(value);
                    case "garage" -> requireObjectOrNull(value, "garage");
                    case "timestamp" -> readTimestamp(value);
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw ApiException.invalidBackup("$: unexpected content after the top-level object");
            }
            if (!sawData) {
                throw ApiException.invalidBackup("data: missing (a backup must have a 'data' object)");
            }
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            return new BackupSummary(total, java.util.Collections.unmodifiableMap(counts), backupTimestamp, contentHash(), length,
                    timestampValueStart);
        }

        private void readTimestamp(JsonToken value) throws IOException {
            timestampValueStart = p.currentTokenLocation().getByteOffset();
            if (value.isScalarValue()) {
                backupTimestamp = value == JsonToken.VALUE_NULL ? null : p.getText();
            } else {
                p.skipChildren();
            }
            timestampValueEnd = p.currentLocation().getByteOffset();
        }

        private void readData(JsonToken value) throws IOException {
            if (value != JsonToken.START_OBJECT) {
                throw ApiException.invalidBackup("data: must be an object, got " + describe(value));
            }
            sawData = true;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String collection = p.currentName();
                JsonToken v = p.nextToken();
                if ("settings".equals(collection)) {
                    requireObjectOrNull(v, "data.settings");
                } else {
                    counts.put(collection, readCollection(collection, v));
                }
            }
        }

        private int readCollection(String collection, JsonToken value) throws IOException {
            String path = "data." + collection;
            if (value != JsonToken.START_ARRAY) {
                throw ApiException.invalidBackup(path + ": must be an array of objects, got " + describe(value));
            }
            Set<String> ids = new HashSet<>();
            int index = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                String at = path + "[" + index + "]";
                if (t != JsonToken.START_OBJECT) {
                    throw ApiException.invalidBackup(at + ": must be an object, got " + describe(t));
                }
                String id = readEntityId(at);
                if (!ids.add(id)) {
                    throw ApiException.invalidBackup(at + ".id: duplicate id " + abbreviate(idText)
                            + " (ids must be unique within '" + collection + "')");
                }
            }
            return index;
        }

        /** The id of the entity last read, as written, for messages. */
        private String idText;

        /** Reads one entity, returns its id as a typed key ("s:" string, "n:" number). */
        private String readEntityId(String at) throws IOException {
            String id = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean isId = "id".equals(p.currentName());
                JsonToken v = p.nextToken();
                if (!isId) {
                    p.skipChildren();
                    continue;
                }
                id = switch (v) {
                    case VALUE_STRING -> {
                        if (p.getTextLength() == 0) {
                            throw ApiException.invalidBackup(at + ".id: must not be empty");
                        }
                        yield "s:" + p.getText();
                    }
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> NumericIds.key(p.getText(), at + ".id");
                    default -> throw ApiException.invalidBackup(
                            at + ".id: must be a string or a number, got " + describe(v));
                };
                idText = p.getText();
                p.skipChildren();
            }
            if (id == null) {
                throw ApiException.invalidBackup(at + ".id: missing");
            }
            return id;
        }

        private void requireObjectOrNull(JsonToken value, String path) throws IOException {
            if (value != JsonToken.START_OBJECT && value != JsonToken.VALUE_NULL) {
                throw ApiException.invalidBackup(path + ": must be an object, got " + describe(value));
            }
            p.skipChildren();
        }

        private String contentHash() {
            return BackupReader.contentHash(json, length, timestampValueStart, timestampValueEnd);
        }

    }

    /** SHA-256 of the document without the timestamp value at [start, end) (none when start is -1). */
    static String contentHash(byte[] json, int length, long start, long end) {
        MessageDigest d = digest();
        if (start < 0) {
            d.update(json, 0, length);
        } else {
            d.update(json, 0, (int) start);
            d.update(json, (int) end, length - (int) end);
        }
        return HexFormat.of().formatHex(d.digest());
    }

    static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 60 ? s.substring(0, 60) + "..." : s;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.toString();
        };
    }
}
