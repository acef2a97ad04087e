package app.garagesync.backup;

import app.garagesync.api.ApiException;
import app.garagesync.api.ArrivingBody;
import app.garagesync.merge.MergeProgress;
import app.garagesync.merge.MergedShape;
import app.garagesync.store.BackupSummary;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutRecorder;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.base.ParserBase;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
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
    private final JsonFactory partsFactory;
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
                // duplicate member names would make "what comes back" ambiguous: the pass refuses them
                // itself (MemberNames); Jackson's own detection allocates a set for every object of more
                // than two members, one per entity, and was a third of a 50 MB backup's validation
                .enable(StreamReadFeature.INCLUDE_SOURCE_IN_LOCATION)
                .build();
        this.partsFactory = factory.rebuild().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    }

    public int maxDepth() {
        return maxNestingDepth;
    }

    /**
     * A parser factory with the limits of a backup's validation, refusing a member name given twice: for
     * parts of a backup sent on their own (a change-set's records), which must meet the same rules.
     */
    JsonFactory partsFactory() {
        return partsFactory;
    }

    public BackupSummary read(byte[] json) {
        return read(json, json.length);
    }

    public BackupSummary read(byte[] json, int length) {
        return validate(json, length, false).summary();
    }

    /** A backup that passed validation: its summary, and its layout as the store's scanner finds it (null if not made). */
    public record Validated(BackupSummary summary, Layout layout) {
    }

    /**
     * Validates as {@link #read(byte[], int)} does, noting on the way where its collections and entities are: the
     * store takes that layout instead of scanning the document again.
     */
    public Validated validate(byte[] json, int length) {
        return validate(json, length, true);
    }

    private Validated validate(byte[] json, int length, boolean withLayout) {
        if (length == 0) {
            throw ApiException.invalidBackup("$: the body is empty, expected a JSON object");
        }
        // JSON text must not start with a BOM (RFC 8259 section 8.1); Jackson skips it silently, and the
        // bytes stored would then differ from every copy the app writes itself
        if (startsWithBom(json, length)) {
            throw ApiException.invalidBackup("$: the file starts with a UTF-8 byte-order mark (BOM); save it as UTF-8 without BOM");
        }
        // Jackson checks UTF-8 only in the strings it decodes; skipped values must be valid too
        long bad = Utf8.firstInvalidByte(json, length);
        if (bad >= 0) {
            throw ApiException.invalidBackup("$: invalid UTF-8 at byte offset " + bad);
        }
        try {
            return pass(json, length, false, withLayout);
        } catch (SuspectedDuplicate s) {
            // two ids of a collection share a hash: the ids themselves say whether they are the same
            return pass(json, length, true, withLayout);
        }
    }

    /**
     * The summary of a merged document, from what the merge knows of it ({@link MergedShape}) instead of a
     * second validation: a three-way merge of valid backups is one (see ThreeWayMerge), and its inputs were
     * validated when they arrived. The timestamp's text and the content hash are read from the bytes.
     */
    public BackupSummary summaryOfMerge(byte[] json, int length, MergedShape shape) {
        return summaryOfMerge(json, length, shape, null);
    }

    /**
     * Like {@link #summaryOfMerge(byte[], int, MergedShape)}, with the content hash when it was made as the merge
     * wrote the document ({@link #contentHash(MergeProgress)}); null: made now.
     */
    public BackupSummary summaryOfMerge(byte[] json, int length, MergedShape shape, String contentHash) {
        String timestamp = null;
        if (shape.timestampStart() >= 0) {
            try (JsonParser p = factory.createParser(json, shape.timestampStart(), shape.timestampEnd() - shape.timestampStart())) {
                JsonToken t = p.nextToken();
                timestamp = t != null && t.isScalarValue() && t != JsonToken.VALUE_NULL ? p.getText() : null;
            } catch (IOException e) {
                throw new IllegalStateException("the merge wrote a timestamp that does not parse", e);
            }
        }
        int total = shape.recordsByCollection().values().stream().mapToInt(Integer::intValue).sum();
        return new BackupSummary(total, shape.recordsByCollection(), timestamp,
                contentHash != null ? contentHash : contentHash(json, length, shape.timestampStart(), shape.timestampEnd()),
                length, shape.timestampStart());
    }

    /**
     * The content hash of the document a merge is writing, made as it writes it (see {@link MergeProgress});
     * null when the merge wrote none of its own.
     */
    public static String contentHash(MergeProgress progress) throws InterruptedException {
        MessageDigest d = digest();
        return progress.follow((buffer, from, to) -> d.update(buffer, from, to - from))
                ? HexFormat.of().formatHex(d.digest()) : null;
    }

    private Validated pass(byte[] json, int length, boolean exactIds, boolean withLayout) {
        try (JsonParser p = factory.createParser(json, 0, length)) {
            Pass pass = new Pass(p, json, length, exactIds);
            pass.layout = withLayout ? new LayoutRecorder() : null;
            BackupSummary summary = pass.run();
            return new Validated(summary, withLayout ? pass.layout.layout(json, length) : null);
        } catch (JsonProcessingException e) {
            // limit violations (nesting depth, string length) come without a location
            String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr();
            throw ApiException.invalidBackup("$: not valid JSON" + where + ": " + e.getOriginalMessage());
        } catch (IOException e) {
            throw ApiException.invalidBackup("$: unreadable JSON: " + e.getMessage());
        }
    }

    /**
     * Validates a body while it arrives (see {@link EarlyValidation}), with the answer {@link #read(byte[], int)}
     * gives once it is whole. The parser reads the body as it comes in; the checks that need the whole body
     * (the byte-order mark, UTF-8 outside strings, the content hash) run after its last byte, or as it
     * arrives on another thread ({@link ContentHashAhead}). Any refusal
     * is made again by {@link #read(byte[], int)} on the whole body, so that which error is reported, and
     * how, never depends on how the bytes arrived.
     */
    public BackupSummary read(ArrivingBody body) {
        return read(body, null).summary();
    }

    /** As {@link #read(ArrivingBody)}, with the UTF-8 check and the content hash made meanwhile elsewhere when {@code ahead} is not null. */
    Validated read(ArrivingBody body, java.util.concurrent.CompletableFuture<ContentHashAhead.Ahead> ahead) {
        byte[] json = body.array();
        BackupSummary summary;
        LayoutRecorder layout = new LayoutRecorder();
        try (JsonParser p = factory.createParser(body.stream())) {
            Pass pass = new Pass(p, json, json.length, false);
            pass.ahead = ahead;
            pass.layout = layout;
            summary = pass.run();
        } catch (ApiException | IOException | SuspectedDuplicate e) {
            summary = null;
        }
        try {
            if (!body.awaitComplete()) {
                throw new IllegalStateException("the body did not arrive whole");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while receiving a backup", e);
        }
        ContentHashAhead.Ahead checked = ahead == null ? null : ahead.join();
        boolean wellFormed = checked != null ? checked.wellFormedUtf8() : Utf8.firstInvalidByte(json, json.length) < 0;
        if (body.length() != json.length) {
            // fewer bytes than announced (the HTTP server does not let that happen): validated as they are
            return validate(json, body.length());
        }
        if (summary == null || startsWithBom(json, json.length) || !wellFormed) {
            return validate(json, json.length);
        }
        return new Validated(summary, layout.layout(json, json.length));
    }

    private static boolean startsWithBom(byte[] json, int length) {
        return length >= 3 && (json[0] & 0xFF) == 0xEF && (json[1] & 0xFF) == 0xBB && (json[2] & 0xFF) == 0xBF;
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
        private final MemberNames names = new MemberNames();
        /** Ids compared as they are (a suspected duplicate is being looked at), or by their hashes. */
        private final boolean exactIds;
        private final Set<String> ids;
        private final IdHashes idHashes;
        /** The key ("s:" string, "n:" number) or the hash of the id of the entity last read. */
        private String idKey;
        private long idHash;
        /** Notes where the collections and entities are, as the store's scanner would find them; null when not wanted. */
        LayoutRecorder layout;
        /** Whether the top-level member being read is {@code data} written so (the scanner's collections are only there). */
        private boolean plainData;

        Pass(JsonParser p, byte[] json, int length, boolean exactIds) {
            this.exactIds = exactIds;
            this.ids = exactIds ? new HashSet<>() : null;
            this.idHashes = exactIds ? null : new IdHashes();
            this.p = p;
            this.json = json;
            this.length = length;
        }

        BackupSummary run() throws IOException {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ApiException.invalidBackup("$: must be a JSON object with a 'data' object");
            }
            names.open();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = member();
                if (layout != null && "data".equals(name)) {
                    plainData = isWritten(p.currentTokenLocation().getByteOffset(), "\"data\"");
                }
                JsonToken value = p.nextToken();
                switch (name) {
                    case "data" -> readData(value);
                    case "garage" -> requireObjectOrNull(value, "garage");
                    case "timestamp" -> readTimestamp(value);
                    default -> value(value);
                }
            }
            names.close();
            if (p.nextToken() != null) {
                throw ApiException.invalidBackup("$: unexpected content after the top-level object");
            }
            if (!sawData) {
                throw ApiException.invalidBackup("data: missing (a backup must have a 'data' object)");
            }
            int total = counts.values().stream().mapToInt(Integer::intValue).sum();
            return new BackupSummary(total, Collections.unmodifiableMap(counts), backupTimestamp, contentHash(), length,
                    timestampValueStart);
        }

        private void readTimestamp(JsonToken value) throws IOException {
            timestampValueStart = p.currentTokenLocation().getByteOffset();
            if (value.isScalarValue()) {
                backupTimestamp = value == JsonToken.VALUE_NULL ? null : p.getText();
            } else {
                value(value);
            }
            timestampValueEnd = p.currentLocation().getByteOffset();
        }

        private void readData(JsonToken value) throws IOException {
            if (value != JsonToken.START_OBJECT) {
                throw ApiException.invalidBackup("data: must be an object, got " + describe(value));
            }
            sawData = true;
            names.open();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String collection = member();
                boolean recorded = plainData && !"settings".equals(collection);
                long nameQuote = recorded ? nameQuote() : -1;
                JsonToken v = p.nextToken();
                if (recorded && nameQuote < 0) {
                    layout.abandon(); // a name the parser found where no quote is: leave the layout to the scanner
                }
                if ("settings".equals(collection)) {
                    requireObjectOrNull(v, "data.settings");
                } else {
                    counts.put(collection, readCollection(collection, v, nameQuote));
                }
            }
            names.close();
        }

        private int readCollection(String collection, JsonToken value, long nameQuote) throws IOException {
            String path = "data." + collection;
            if (value != JsonToken.START_ARRAY) {
                throw ApiException.invalidBackup(path + ": must be an array of objects, got " + describe(value));
            }
            LayoutRecorder recorder = nameQuote >= 0 ? layout : null;
            if (recorder != null) {
                recorder.collection(json, (int) nameQuote, tokenStart());
            }
            // one set for every collection, emptied in between: it keeps its capacity, so the next
            // collection of a similar size grows it no more
            if (exactIds) {
                ids.clear();
            } else {
                idHashes.clear();
            }
            int index = 0;
            for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), index++) {
                // the entity's path is spelled out only for an error: building it for each of 300,000
                // entities cost more than checking them
                if (t != JsonToken.START_OBJECT) {
                    throw ApiException.invalidBackup(path + "[" + index + "]: must be an object, got " + describe(t));
                }
                readEntityId(path, index);
                if (recorder != null) {
                    recorder.entity(tokenStart());
                }
                if (!exactIds && !idHashes.add(idHash)) {
                    throw SuspectedDuplicate.INSTANCE;
                }
                if (exactIds && !ids.add(idKey)) {
                    throw ApiException.invalidBackup(path + "[" + index + "].id: duplicate id " + abbreviate(idText)
                            + " (ids must be unique within '" + collection + "')");
                }
            }
            if (recorder != null) {
                recorder.endCollection();
            }
            return index;
        }

        /** The id of the entity last read, as written, for messages. */
        private String idText;

        /** Reads one entity, leaves its id in {@link #idKey} or {@link #idHash}. */
        private void readEntityId(String path, int index) throws IOException {
            boolean found = false;
            names.open();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                boolean isId = "id".equals(member());
                JsonToken v = p.nextToken();
                if (!isId) {
                    value(v);
                    continue;
                }
                switch (v) {
                    case VALUE_STRING -> {
                        if (p.getTextLength() == 0) {
                            throw ApiException.invalidBackup(path + "[" + index + "].id: must not be empty");
                        }
                        if (exactIds) {
                            idKey = "s:" + p.getText();
                        } else {
                            idHash = IdHashes.ofString(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                        }
                    }
                    case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> {
                        // a plain integer's key is hashed from its digits, without building the key: on a
                        // 50 MB garage, building them was a fifth of the validation
                        long plain = exactIds || v != JsonToken.VALUE_NUMBER_INT ? 0
                                : IdHashes.ofIntegerText(p.getTextCharacters(), p.getTextOffset(), p.getTextLength());
                        if (plain != 0) {
                            idHash = plain;
                        } else {
                            String key = NumericIds.key(p.getText(), path + "[" + index + "].id");
                            if (exactIds) {
                                idKey = key;
                            } else {
                                idHash = IdHashes.ofNumberKey(key);
                            }
                        }
                    }
                    default -> throw ApiException.invalidBackup(
                            path + "[" + index + "].id: must be a string or a number, got " + describe(v));
                }
                if (exactIds) {
                    idText = p.getText();
                }
                found = true;
            }
            names.close();
            if (!found) {
                throw ApiException.invalidBackup(path + "[" + index + "].id: missing");
            }
        }

        private void requireObjectOrNull(JsonToken value, String path) throws IOException {
            if (value != JsonToken.START_OBJECT && value != JsonToken.VALUE_NULL) {
                throw ApiException.invalidBackup(path + ": must be an object, got " + describe(value));
            }
            value(value);
        }

        /** Walks a value whatever it holds, refusing a member name given twice in any of its objects. */
        private void value(JsonToken t) throws IOException {
            if (t == JsonToken.START_OBJECT) {
                names.open();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    member();
                    value(p.nextToken());
                }
                names.close();
            } else if (t == JsonToken.START_ARRAY) {
                for (JsonToken e = p.nextToken(); e != JsonToken.END_ARRAY; e = p.nextToken()) {
                    if (e == null) {
                        throw ApiException.invalidBackup("$: not valid JSON: the document ends inside an array");
                    }
                    value(e);
                }
            }
        }

        /** The current member name, once it is known to be new in its object. */
        private String member() throws IOException {
            String name = p.currentName();
            if (!names.add(name)) {
                // worded as Jackson's own check did, which clients may have matched on
                throw ApiException.invalidBackup("$: not valid JSON at line " + p.currentLocation().getLineNr()
                        + ", column " + p.currentLocation().getColumnNr() + ": Duplicate field '" + abbreviate(name) + "'");
            }
            return name;
        }

        /**
         * Where the current token starts in the document, without the location object {@code currentTokenLocation}
         * makes: once per entity, that was garbage of a 50 MB backup's own size. Jackson's byte parsers count the
         * token's offset from 1 here; {@code LayoutRecorderTest} holds the result to the scanner's.
         */
        private int tokenStart() {
            return (int) (((ParserBase) p).getTokenCharacterOffset() - 1);
        }

        /** Where the opening quote of the current member's name is (a member of {@code data}); -1 when not written plainly. */
        private long nameQuote() {
            long at = p.currentTokenLocation().getByteOffset();
            return at >= 0 && at < length && json[(int) at] == '"' ? at : -1;
        }

        /** Whether the bytes at {@code at} are {@code text} as written. */
        private boolean isWritten(long at, String text) {
            if (at < 0 || at + text.length() > length) {
                return false;
            }
            for (int i = 0; i < text.length(); i++) {
                if (json[(int) at + i] != text.charAt(i)) {
                    return false;
                }
            }
            return true;
        }

        /** What was checked and hashed while the body arrived ({@link ContentHashAhead}), or null. */
        private java.util.concurrent.CompletableFuture<ContentHashAhead.Ahead> ahead;

        private String contentHash() {
            ContentHashAhead.Ahead done = ahead == null ? null : ahead.join();
            ContentHashAhead.Hash hash = done == null ? null : done.hash();
            if (hash != null && hash.start() == timestampValueStart && hash.end() == timestampValueEnd) {
                return hash.hex();
            }
            return BackupReader.contentHash(json, length, timestampValueStart, timestampValueEnd);
        }

    }

    /** Two ids of a collection have the same hash: the pass is made again comparing the ids themselves. */
    private static final class SuspectedDuplicate extends RuntimeException {
        static final SuspectedDuplicate INSTANCE = new SuspectedDuplicate();

        private SuspectedDuplicate() {
            super("two ids share a hash", null, false, false);
        }
    }

    /**
     * The member names of each object open along the path being read. Jackson hands out canonical
     * (interned) name strings, so a name is mostly found again by identity; an object with many members
     * moves to a hash set, kept per depth and reused.
     */
    static final class MemberNames {
        private static final int SMALL = 16;
        private String[][] names = new String[8][];
        private int[] counts = new int[8];
        @SuppressWarnings("unchecked")
        private Set<String>[] large = new Set[8];
        private int depth = -1;

        void open() {
            depth++;
            if (depth == names.length) {
                names = Arrays.copyOf(names, depth * 2);
                counts = Arrays.copyOf(counts, depth * 2);
                large = Arrays.copyOf(large, depth * 2);
            }
            if (names[depth] == null) {
                names[depth] = new String[SMALL];
            }
            counts[depth] = 0;
            if (large[depth] != null) {
                large[depth].clear();
            }
        }

        void close() {
            depth--;
        }

        /** False when the object being read already has a member of that name. */
        boolean add(String name) {
            int n = counts[depth];
            if (n < SMALL) {
                String[] seen = names[depth];
                // names are mostly canonical, so the same name is the same String; the cached hash codes
                // tell most different names apart without comparing their characters
                int hash = name.hashCode();
                for (int i = 0; i < n; i++) {
                    String other = seen[i];
                    if (other == name || (other.hashCode() == hash && other.equals(name))) {
                        return false;
                    }
                }
                seen[n] = name;
                counts[depth] = n + 1;
                return true;
            }
            if (n == SMALL) {
                if (large[depth] == null) {
                    large[depth] = new HashSet<>();
                }
                Collections.addAll(large[depth], names[depth]);
                counts[depth] = n + 1;
            }
            return large[depth].add(name);
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
