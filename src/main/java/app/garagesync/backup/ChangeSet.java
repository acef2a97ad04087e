package app.garagesync.backup;

import app.garagesync.api.ApiException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A change-set upload, {@code PATCH /api/backup}: the entities to insert or replace and the ids to
 * delete, per collection, on top of {@code baseVersion}. Values are kept as spans of the request's
 * bytes, so the new version holds them exactly as the client wrote them.
 */
public final class ChangeSet {

    /** A span [start, end) of the request body. */
    record Span(int start, int end) {
    }

    final byte[] body;
    long baseVersion = -1;
    final Map<String, Map<String, Span>> upserts = new LinkedHashMap<>();
    final Map<String, Set<String>> deletes = new LinkedHashMap<>();
    Span garage;
    Span settings;
    Span timestamp;

    private ChangeSet(byte[] body) {
        this.body = body;
    }

    public long baseVersion() {
        return baseVersion;
    }

    /**
     * Reads a change-set with the limits and rules of a backup's validation ({@code factory}, see
     * {@link BackupReader#partsFactory()}): its records,
     * garage and settings become parts of a version, which is then known valid without being read whole.
     */
    static ChangeSet parse(byte[] body, int length, JsonFactory factory) {
        // Jackson checks UTF-8 only in the strings it decodes: the records' skipped values must be valid too
        long bad = Utf8.firstInvalidByte(body, length);
        if (bad >= 0) {
            throw ApiException.badRequest("$: invalid UTF-8 at byte offset " + bad);
        }
        ChangeSet cs = new ChangeSet(body);
        try (JsonParser p = factory.createParser(body, 0, length)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.badRequest("$: a change-set is a JSON object with baseVersion, upserts, deletes");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                int start = (int) p.currentTokenLocation().getByteOffset();
                switch (name) {
                    case "baseVersion" -> {
                        if (v != JsonToken.VALUE_NUMBER_INT || p.getLongValue() < 1) {
                            throw ApiException.badRequest("baseVersion: must be a version number");
                        }
                        cs.baseVersion = p.getLongValue();
                    }
                    case "upserts" -> readUpserts(p, v, cs);
                    case "deletes" -> readDeletes(p, v, cs);
                    case "garage", "settings" -> {
                        if (v != JsonToken.START_OBJECT && v != JsonToken.VALUE_NULL) {
                            throw ApiException.badRequest(name + ": must be an object");
                        }
                        p.skipChildren();
                        p.finishToken();
                        Span span = new Span(start, (int) p.currentLocation().getByteOffset());
                        if (name.equals("garage")) {
                            cs.garage = span;
                        } else {
                            cs.settings = span;
                        }
                    }
                    case "timestamp" -> {
                        if (!v.isScalarValue()) {
                            throw ApiException.badRequest("timestamp: must be a string");
                        }
                        p.finishToken();
                        cs.timestamp = new Span(start, (int) p.currentLocation().getByteOffset());
                    }
                    default -> throw ApiException.badRequest(name + ": unknown member of a change-set");
                }
            }
            if (p.nextToken() != null) {
                throw ApiException.badRequest("$: unexpected content after the change-set");
            }
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("$: not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.badRequest("$: unreadable JSON: " + e.getMessage());
        }
        if (cs.baseVersion < 1) {
            throw ApiException.badRequest("baseVersion: missing (the version these changes apply to)");
        }
        return cs;
    }

    private static void readUpserts(JsonParser p, JsonToken v, ChangeSet cs) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            throw ApiException.badRequest("upserts: must be an object of collections");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String collection = checkCollection(p.currentName(), "upserts");
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw ApiException.badRequest("upserts." + collection + ": must be an array of objects");
            }
            Map<String, Span> entities = cs.upserts.computeIfAbsent(collection, c -> new LinkedHashMap<>());
            int index = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                String at = "upserts." + collection + "[" + index + "]";
                if (t != JsonToken.START_OBJECT) {
                    throw ApiException.badRequest(at + ": must be an object");
                }
                int start = (int) p.currentTokenLocation().getByteOffset();
                String id = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    boolean isId = "id".equals(p.currentName());
                    JsonToken f = p.nextToken();
                    if (isId) {
                        id = idKey(p, f, at + ".id");
                    } else {
                        p.skipChildren();
                    }
                }
                if (id == null) {
                    throw ApiException.badRequest(at + ".id: missing");
                }
                if (entities.put(id, new Span(start, (int) p.currentLocation().getByteOffset())) != null) {
                    throw ApiException.badRequest(at + ".id: duplicate id in this change-set");
                }
            }
        }
    }

    private static void readDeletes(JsonParser p, JsonToken v, ChangeSet cs) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            throw ApiException.badRequest("deletes: must be an object of collections");
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String collection = checkCollection(p.currentName(), "deletes");
            if (p.nextToken() != JsonToken.START_ARRAY) {
                throw ApiException.badRequest("deletes." + collection + ": must be an array of ids");
            }
            Set<String> ids = cs.deletes.computeIfAbsent(collection, c -> new LinkedHashSet<>());
            int index = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                ids.add(idKey(p, t, "deletes." + collection + "[" + index + "]"));
            }
        }
    }

    private static String checkCollection(String name, String where) {
        if ("settings".equals(name)) {
            throw ApiException.badRequest(where + ".settings: settings is not a collection, send it as 'settings'");
        }
        return name;
    }

    /** The same typed key validation uses: "s:" for strings, "n:" for numbers, 1 and 1.0 alike. */
    static String idKey(JsonParser p, JsonToken t, String at) throws IOException {
        return switch (t) {
            case VALUE_STRING -> {
                if (p.getTextLength() == 0) {
                    throw ApiException.badRequest(at + ": must not be empty");
                }
                yield "s:" + p.getText();
            }
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> NumericIds.key(p.getText(), at);
            default -> throw ApiException.badRequest(at + ": must be a string or a number");
        };
    }
}
