package app.garagesync.records;

import app.garagesync.Json;
import java.io.ByteArrayOutputStream;

/**
 * A new document that differs from {@code base} by one record only, built by copying bytes as
 * {@code ChangeSetApplier} does for a PATCH: the record replaced in place, added at the end of its
 * collection (the collection added at the end of {@code data} if it has none), or removed with its comma.
 * Every other byte is the base's.
 */
final class RecordSplice {

    private RecordSplice() {
    }

    /** {@code record}: the record's new bytes, or null to remove it. Null when there is nothing to do. */
    static byte[] put(RecordSpans base, String collection, String key, byte[] record) {
        byte[] doc = base.doc;
        RecordSpans.Collection c = base.collections.get(collection);
        RecordSpans.Span at = c == null ? null : c.records().get(key);
        ByteArrayOutputStream out = new ByteArrayOutputStream(doc.length + (record == null ? 0 : record.length) + 64);
        if (at != null && record != null) {
            out.write(doc, 0, at.start());
            out.writeBytes(record);
            out.write(doc, at.end(), doc.length - at.end());
        } else if (at != null) {
            int from = at.start();
            int to = at.end();
            int before = previousSignificant(doc, from - 1);
            if (doc[before] == ',') {
                from = before; // not the first item: its comma before it goes with it
            } else {
                int after = nextSignificant(doc, to);
                if (doc[after] == ',') {
                    to = after + 1; // the first of several: the comma after it goes
                }
            }
            out.write(doc, 0, from);
            out.write(doc, to, doc.length - to);
        } else if (record == null) {
            return null;
        } else if (c != null) {
            int close = c.close();
            boolean empty = previousSignificant(doc, close - 1) == c.open();
            out.write(doc, 0, close);
            if (!empty) {
                out.write(',');
            }
            out.writeBytes(record);
            out.write(doc, close, doc.length - close);
        } else if (base.dataClose >= 0) {
            out.write(doc, 0, base.dataClose);
            if (base.dataHasMembers) {
                out.write(',');
            }
            out.writeBytes(Json.bytes(collection));
            out.write(':');
            out.write('[');
            out.writeBytes(record);
            out.write(']');
            out.write(doc, base.dataClose, doc.length - base.dataClose);
        } else {
            throw new IllegalStateException("the latest version has no data object to put the record in");
        }
        return out.toByteArray();
    }

    private static int previousSignificant(byte[] doc, int i) {
        while (i > 0 && isSpace(doc[i])) {
            i--;
        }
        return i;
    }

    private static int nextSignificant(byte[] doc, int i) {
        while (i < doc.length - 1 && isSpace(doc[i])) {
            i++;
        }
        return i;
    }

    private static boolean isSpace(byte b) {
        return b == ' ' || b == '\t' || b == '\n' || b == '\r';
    }
}
