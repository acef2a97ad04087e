package app.garagesync.merge;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Walks a JSON document's bytes to find members and records without building trees: a 50 MB backup
 * as a Jackson tree costs over 200 MB of heap, and the merge needs the trees of only the few records
 * both sides touched. It is given documents the validator accepted, yet on any bytes it ends with a
 * {@link MergeException}: every turn of every loop consumes a byte or throws.
 */
final class JsonCursor {

    private final String document;
    final byte[] doc;
    private final int length;
    int pos;

    JsonCursor(String document, byte[] doc, int pos) {
        this(document, doc, pos, doc.length);
    }

    /** A cursor over the first {@code length} bytes of {@code doc}: a request's buffer, read without trimming it. */
    JsonCursor(String document, byte[] doc, int pos, int length) {
        this.document = document;
        this.doc = doc;
        this.length = length;
        this.pos = pos;
    }

    MergeException malformed(String expected) {
        return new MergeException(document + ": not a backup document the merge can read: expected " + expected
                + " at byte " + pos);
    }

    byte at() {
        if (pos >= length) {
            throw malformed("more (the document ends early)");
        }
        return doc[pos];
    }

    void ws() {
        while (pos < length) {
            byte c = doc[pos];
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return;
            }
            pos++;
        }
    }

    /** Reads one member's value, leaving pos after it; given the member's name, with pos at the value. */
    @FunctionalInterface
    interface ValueReader {
        void read(String name);
    }

    /** The members of the object at pos, in order; pos ends after its '}'. */
    List<Member> members() {
        return members(name -> skipValue());
    }

    /**
     * The members of the object at pos, each value read by {@code reader}: the document is read once,
     * the reader descending into the values it indexes instead of skipping them first.
     */
    List<Member> members(ValueReader reader) {
        List<Member> members = new ArrayList<>();
        openObject();
        if (at() == '}') {
            pos++;
            return members;
        }
        while (true) {
            ws();
            int start = pos;
            String name = name();
            int valueStart = pos;
            reader.read(name);
            members.add(new Member(name, start, valueStart, pos));
            if (!nextMember()) {
                return members;
            }
        }
    }

    /** The records of the array at pos, in order; pos ends after its ']'. */
    List<Entity> entities(String collection) {
        List<Entity> entities = new ArrayList<>();
        ws();
        if (at() != '[') {
            throw malformed("an array for data." + collection);
        }
        pos++;
        ws();
        if (at() == ']') {
            pos++;
            return entities;
        }
        while (true) {
            ws();
            entities.add(entity(collection, entities.size(),
                    entities.isEmpty() ? -1 : entities.get(entities.size() - 1).end()));
            ws();
            byte b = at();
            pos++;
            if (b == ']') {
                return entities;
            }
            if (b != ',') {
                pos--;
                throw malformed("',' or ']' in data." + collection);
            }
        }
    }

    /** The record at pos (an object with an id), read whole; pos ends after it. */
    Entity entity(String collection, int index, int previousEnd) {
        int start = pos;
        openObject();
        int idStart = -1;
        int idEnd = -1;
        if (at() == '}') {
            pos++;
        } else {
            while (true) {
                ws();
                boolean isId = nameIsId();
                int valueStart = pos;
                skipValue();
                if (isId && idStart < 0) {
                    idStart = valueStart;
                    idEnd = pos;
                }
                if (!nextMember()) {
                    break;
                }
            }
        }
        if (idStart < 0) {
            throw new MergeException(document + ": data." + collection + "[" + index + "] has no id");
        }
        return new Entity(RecordIds.key(document, doc, idStart, idEnd), start, pos, idStart, idEnd, previousEnd);
    }

    /** Reads a member name and its ':'; true when the name is "id" (however it is spelled). */
    private boolean nameIsId() {
        if (at() != '"') {
            throw malformed("a member name");
        }
        int start = pos;
        boolean escaped = skipString();
        boolean isId = escaped ? JsonValues.decodeString(document, doc, start, pos).equals("id")
                : pos - start == 4 && doc[start + 1] == 'i' && doc[start + 2] == 'd';
        colon();
        return isId;
    }

    private void openObject() {
        ws();
        if (at() != '{') {
            throw malformed("'{'");
        }
        pos++;
        ws();
    }

    /** After a member's value: true when a ',' follows, false after the closing '}'. */
    private boolean nextMember() {
        ws();
        byte b = at();
        pos++;
        if (b == '}') {
            return false;
        }
        if (b != ',') {
            pos--;
            throw malformed("',' or '}'");
        }
        return true;
    }

    /** Reads a member name and its ':', leaving pos at the value. */
    private String name() {
        if (at() != '"') {
            throw malformed("a member name");
        }
        int start = pos;
        boolean escaped = skipString();
        String name = escaped ? JsonValues.decodeString(document, doc, start, pos)
                : new String(doc, start + 1, pos - start - 2, StandardCharsets.UTF_8);
        colon();
        return name;
    }

    private void colon() {
        ws();
        if (at() != ':') {
            throw malformed("':'");
        }
        pos++;
        ws();
    }

    void skipValue() {
        byte b = at();
        if (b == '"') {
            skipString();
        } else if (b == '{' || b == '[') {
            nested();
        } else if (b == ',' || b == '}' || b == ']' || b == ':') {
            throw malformed("a value");
        } else {
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

    private void nested() {
        int depth = 0;
        while (true) {
            byte c = at();
            if (c == '"') {
                skipString();
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

    /** Skips the string at pos (its opening quote), leaving pos after the closing one; true when it has escapes. */
    boolean skipString() {
        pos++;
        boolean escaped = false;
        while (true) {
            byte c = at();
            pos++;
            if (c == '\\') {
                escaped = true;
                pos++;
            } else if (c == '"') {
                return escaped;
            }
        }
    }
}
