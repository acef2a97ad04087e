package app.garagesync.backup;

import app.garagesync.Json;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Builds the document of a new version from its base and a {@link ChangeSet}, copying bytes: every
 * member and entity the change-set does not touch is the base's bytes, every one it brings is the
 * request's bytes. Replaced entities keep their place; new ones go at the end of their collection.
 *
 * <p>The base comes as its layout (the store keeps it, or it is scanned): only its skeleton is parsed, and
 * its records are copied from the layout's slices, their ids read where the layout has none. Parsing the
 * whole 50 MB base to find the records a 1% change-set touches was a third of a stale PATCH.
 */
final class ChangeSetApplier {

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(10_000).maxStringLength(Integer.MAX_VALUE).maxNumberLength(100_000).build())
            .build();
    private static final byte[] ID_FIRST = "{\"id\":".getBytes(StandardCharsets.US_ASCII);

    /**
     * The new document, the first {@code length} bytes of {@code buffer} (the output's own array: trimming a
     * 50 MB document to its length would copy it), what the change-set did, and the document's layout (where
     * its records were written, which a merge would otherwise scan 50 MB to find), or null.
     */
    record Result(byte[] buffer, int length, int replaced, int inserted, int deleted, Layout layout) {

        /** The new document in an array of its own length: a copy, for callers that need one. */
        byte[] document() {
            return length == buffer.length ? buffer : java.util.Arrays.copyOf(buffer, length);
        }
    }

    private final byte[] base;
    private final Map<Integer, Layout.Items> collectionsAt = new HashMap<>();
    private final ChangeSet cs;
    private final Output out;
    private int replaced;
    private int inserted;
    private int deleted;
    /** Where the output's collections and records are, while every collection was written from the layout. */
    private List<Layout.Region> regions = new ArrayList<>();

    private ChangeSetApplier(Layout base, ChangeSet cs) {
        this.base = base.skeleton();
        for (Layout.Items items : base.items()) {
            collectionsAt.put(items.skeletonOffset(), items);
        }
        this.cs = cs;
        this.out = new Output((int) Math.min(Integer.MAX_VALUE - 16, base.size() + cs.body.length));
    }

    static Result apply(byte[] base, ChangeSet cs) {
        return apply(LayoutScanner.scan(base, base.length), cs);
    }

    /** The change-set applied to the version whose layout is {@code base}. */
    static Result apply(Layout base, ChangeSet cs) {
        ChangeSetApplier a = new ChangeSetApplier(base, cs);
        try (JsonParser p = FACTORY.createParser(a.base)) {
            a.document(p);
        } catch (IOException e) {
            throw new UncheckedIOException("the base version no longer parses", e);
        }
        Layout layout = a.regions == null ? null : Layout.over(a.out.buffer(), a.out.size(), a.regions);
        return new Result(a.out.buffer(), a.out.size(), a.replaced, a.inserted, a.deleted, layout);
    }

    private void document(JsonParser p) throws IOException {
        p.nextToken();
        out.write('{');
        boolean first = true;
        boolean timestampDone = false;
        boolean garageDone = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            int nameStart = offset(p);
            JsonToken v = p.nextToken();
            int valueStart = offset(p);
            first = separator(first);
            if (name.equals("timestamp") && cs.timestamp != null) {
                copyBase(nameStart, valueStart);
                copyRequest(cs.timestamp);
                skip(p);
                timestampDone = true;
            } else if (name.equals("garage") && cs.garage != null) {
                copyBase(nameStart, valueStart);
                copyRequest(cs.garage);
                skip(p);
                garageDone = true;
            } else if (name.equals("data") && v == JsonToken.START_OBJECT) {
                copyBase(nameStart, valueStart);
                data(p);
            } else {
                skip(p);
                copyBase(nameStart, end(p));
            }
        }
        if (cs.timestamp != null && !timestampDone) {
            first = separator(first);
            member("timestamp", cs.timestamp);
        }
        if (cs.garage != null && !garageDone) {
            separator(first);
            member("garage", cs.garage);
        }
        out.write('}');
    }

    private void data(JsonParser p) throws IOException {
        out.write('{');
        boolean first = true;
        boolean settingsDone = false;
        Set<String> seen = new HashSet<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            int nameStart = offset(p);
            JsonToken v = p.nextToken();
            int valueStart = offset(p);
            first = separator(first);
            if (name.equals("settings") && cs.settings != null) {
                copyBase(nameStart, valueStart);
                copyRequest(cs.settings);
                skip(p);
                settingsDone = true;
            } else if (!name.equals("settings") && v == JsonToken.START_ARRAY) {
                seen.add(name);
                copyBase(nameStart, valueStart + 1);
                Layout.Items items = collectionsAt.get(valueStart + 1);
                if (items != null) {
                    collection(items, name);
                    skip(p);
                } else {
                    // records the layout did not cut out of the skeleton (a "data" spelled with escapes)
                    regions = null;
                    collection(p, name);
                }
                out.write(']');
            } else {
                skip(p);
                copyBase(nameStart, end(p));
            }
        }
        for (Map.Entry<String, Map<String, ChangeSet.Span>> e : cs.upserts.entrySet()) {
            if (!seen.contains(e.getKey())) {
                first = separator(first);
                out.writeBytes(Json.bytes(e.getKey()));
                out.write(':');
                out.write('[');
                // a collection the base lacks: every upsert is new (a delete names nothing in it)
                new CollectionEdit(e.getValue(), Set.of(), new Cut(asWritten(e.getKey()))).finish();
                out.write(']');
            }
        }
        if (cs.settings != null && !settingsDone) {
            separator(first);
            member("settings", cs.settings);
        }
        out.write('}');
    }

    /** A collection of the base from its layout: records copied from its slices, found by their ids. */
    private void collection(Layout.Items items, String name) {
        CollectionEdit edit = new CollectionEdit(cs.upserts.getOrDefault(name, Map.of()),
                cs.deletes.getOrDefault(name, Set.of()), new Cut(items.name()));
        boolean touched = !edit.upserts.isEmpty() || !edit.deletes.isEmpty();
        int[] named = touched ? namedStrings(edit.upserts.keySet(), edit.deletes) : null;
        for (int i = 0; i < items.start().length; i++) {
            byte[] buffer = items.buffers()[i];
            int start = items.entityStart(i);
            int end = items.end()[i];
            String id = touched && mayBeNamed(buffer, start, end, named)
                    ? typedKey(items.id(i)) : null;
            edit.record(id, buffer, start, end);
        }
        edit.finish();
    }

    /**
     * One collection being written: each record of the base kept, replaced by its upsert or dropped by its
     * delete, then the upserts that replaced nothing, at the end; its place noted in {@code cut} (null when
     * the output's layout is not kept).
     */
    private final class CollectionEdit {
        final Map<String, ChangeSet.Span> upserts;
        final Set<String> deletes;
        private final Set<String> used = new HashSet<>();
        private final Cut cut;
        private boolean first = true;

        CollectionEdit(Map<String, ChangeSet.Span> upserts, Set<String> deletes, Cut cut) {
            this.upserts = upserts;
            this.deletes = deletes;
            this.cut = cut;
        }

        /** The base's record {@code [start, end)} of {@code source}, whose typed id is {@code id} (null: none named). */
        void record(String id, byte[] source, int start, int end) {
            if (id != null && deletes.contains(id)) {
                deleted++;
                return;
            }
            first = separator(first);
            ChangeSet.Span replacement = id == null ? null : upserts.get(id);
            if (replacement != null) {
                copyRequest(replacement);
                used.add(id);
                replaced++;
            } else {
                out.write(source, start, end - start);
            }
            entityWritten();
        }

        /** The upserts that replaced nothing: new records, at the end of the collection. */
        void finish() {
            for (Map.Entry<String, ChangeSet.Span> e : upserts.entrySet()) {
                if (!used.contains(e.getKey()) && !deletes.contains(e.getKey())) {
                    first = separator(first);
                    copyRequest(e.getValue());
                    inserted++;
                    entityWritten();
                }
            }
            if (cut != null) {
                cut.done();
            }
        }

        private void entityWritten() {
            if (cut != null) {
                cut.entityEnds();
            }
        }
    }

    /** The region of one collection in the output, noted as its records are written (see {@link Layout.Region}). */
    private final class Cut {
        private final String name;
        private final int from = out.size();
        private int[] ends = new int[16];
        private int n;

        Cut(String name) {
            this.name = name;
        }

        void entityEnds() {
            if (n == ends.length) {
                ends = java.util.Arrays.copyOf(ends, n * 2);
            }
            ends[n++] = out.size();
        }

        void done() {
            if (regions == null) {
                return;
            }
            regions.add(Layout.Region.ofEnds(name, from, ends, n, null));
        }
    }

    /** A collection's name as a layout names it: as written between its quotes. */
    private static String asWritten(String name) {
        byte[] json = Json.bytes(name);
        return new String(json, 1, json.length - 2, StandardCharsets.UTF_8);
    }

    /**
     * The hashes ({@link #hash}) of the string ids the change-set names, sorted: a record whose id is a string
     * written without escapes, as nearly all are, is looked up by the hash of its bytes, and its id decoded
     * only when that hash is one of these. Reading the typed id of each of 300,000 records was most of the
     * applier's time.
     */
    private static int[] namedStrings(Set<String> upserted, Set<String> deleted) {
        int[] hashes = new int[upserted.size() + deleted.size()];
        int n = 0;
        for (Set<String> keys : List.of(upserted, deleted)) {
            for (String key : keys) {
                if (key.startsWith("s:")) {
                    byte[] utf8 = key.substring(2).getBytes(StandardCharsets.UTF_8);
                    hashes[n++] = hash(utf8, 0, utf8.length);
                }
            }
        }
        hashes = java.util.Arrays.copyOf(hashes, n);
        java.util.Arrays.sort(hashes);
        return hashes;
    }

    /**
     * False only when the record at {@code [start, end)} surely has none of the ids the change-set names: its
     * first member is a string id without escapes whose hash is not among {@code named}. A number, an escape,
     * an id that is not the first member: the id is decoded.
     */
    private static boolean mayBeNamed(byte[] buffer, int start, int end, int[] named) {
        int at = start + ID_FIRST.length;
        if (at >= end || buffer[at] != '"'
                || !java.util.Arrays.equals(buffer, start, at, ID_FIRST, 0, ID_FIRST.length)) {
            return true;
        }
        for (int i = at + 1; i < end; i++) {
            byte b = buffer[i];
            if (b == '\\') {
                return true;
            }
            if (b == '"') {
                return java.util.Arrays.binarySearch(named, hash(buffer, at + 1, i)) >= 0;
            }
        }
        return true;
    }

    private static int hash(byte[] b, int from, int to) {
        int h = 1;
        for (int i = from; i < to; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }

    /**
     * The typed key ({@link ChangeSet#idKey}) of an entity whose id is {@code written} as written
     * ({@link Layout.Items#id}), or null.
     */
    private static String typedKey(String written) {
        if (written == null || written.isEmpty()) {
            return null;
        }
        if (written.charAt(0) != '"') {
            try {
                return app.garagesync.store.NumberIdKeys.key(written);
            } catch (NumberFormatException e) {
                return null; // not an id the change-set can name: the record is kept as it is
            }
        }
        byte[] bytes = written.getBytes(StandardCharsets.ISO_8859_1);
        if (written.indexOf('\\') < 0) {
            return bytes.length > 2 ? "s:" + new String(bytes, 1, bytes.length - 2, StandardCharsets.UTF_8) : null;
        }
        // escapes: decoded as validation decodes them
        try (JsonParser p = FACTORY.createParser(bytes)) {
            JsonToken t = p.nextToken();
            return t == JsonToken.VALUE_STRING ? ChangeSet.idKey(p, t, "id") : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private void collection(JsonParser p, String name) throws IOException {
        CollectionEdit edit = new CollectionEdit(cs.upserts.getOrDefault(name, Map.of()),
                cs.deletes.getOrDefault(name, Set.of()), null);
        while (p.nextToken() == JsonToken.START_OBJECT) {
            int start = offset(p);
            String id = entityId(p);
            edit.record(id, base, start, end(p));
        }
        edit.finish();
    }

    private static String entityId(JsonParser p) throws IOException {
        String id = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            boolean isId = "id".equals(p.currentName());
            JsonToken v = p.nextToken();
            if (isId && (v == JsonToken.VALUE_STRING || v.isNumeric())) {
                id = ChangeSet.idKey(p, v, "id");
            } else {
                p.skipChildren();
            }
        }
        return id;
    }

    private boolean separator(boolean first) {
        if (!first) {
            out.write(',');
        }
        return false;
    }

    private void member(String name, ChangeSet.Span value) {
        out.writeBytes(Json.bytes(name));
        out.write(':');
        copyRequest(value);
    }

    private static void skip(JsonParser p) throws IOException {
        p.skipChildren();
        p.finishToken();
    }

    private void copyBase(int from, int to) {
        out.write(base, from, to - from);
    }

    private void copyRequest(ChangeSet.Span span) {
        out.write(cs.body, span.start(), span.end() - span.start());
    }

    private static int offset(JsonParser p) {
        return (int) p.currentTokenLocation().getByteOffset();
    }

    private static int end(JsonParser p) throws IOException {
        p.finishToken();
        return (int) p.currentLocation().getByteOffset();
    }

    /** The output, handed over as its buffer: the document is the first {@link #size()} bytes. */
    private static final class Output extends ByteArrayOutputStream {
        Output(int size) {
            super(size);
        }

        byte[] buffer() {
            return buf;
        }
    }
}
