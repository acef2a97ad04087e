package app.garagesync.changes;

import app.garagesync.backup.NumericIds;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/**
 * What changed from one version of a backup to a later one, as the body of a {@code PATCH /api/backup}
 * (CouchDB's {@code _changes}, by record): {@code {from, to, exact, upserts: {collection: [records]},
 * deletes: {collection: [ids]}, garage?, settings?, timestamp?}}. Records, ids, {@code garage},
 * {@code settings} and {@code timestamp} are the exact bytes of the documents; a record whose bytes did not
 * change is not listed. Ids are matched as the store types them ({@code "1"} and {@code 1} differ, {@code 1}
 * and {@code 1.0} do not).
 *
 * <p>Applied to the older version the way a PATCH is applied (a replaced record keeps its place, a new one
 * goes at the end of its collection, a new collection at the end of {@code data}), the answer gives the
 * latest's JSON value; not its bytes (the older version's spacing and member order stay). {@code exact} is
 * false when even the value cannot be reached, because a PATCH cannot say it: records of a collection put in
 * another order, or a new record placed before existing ones; a member other than {@code timestamp},
 * {@code garage}, {@code data} changed or removed; a member of {@code data} that is neither a collection nor
 * {@code settings} changed; a collection, {@code garage}, {@code settings} or {@code timestamp} removed (its
 * records are listed as deleted). A client that needs those fetches the whole backup.
 *
 * <p>The documents must have passed the store's validation. Collections are found by {@link LayoutScanner},
 * which reads bytes without a JSON parser; only the skeleton (everything but the records) is parsed.
 */
public final class ChangesDiff {

    private static final JsonFactory FACTORY = new JsonFactory();

    /** The answer's bytes, and what it holds. */
    public record Changes(byte[] json, int upserts, int deletes, boolean exact) {
    }

    /** The fast path meets something only the full comparison handles: the caller reads the bytes instead. */
    private static final class CannotTell extends RuntimeException {
        CannotTell() {
            super(null, null, false, false);
        }
    }

    /** Below this many records (both versions) the collections are compared on the caller's thread alone. */
    private static final int PARALLEL_MIN = 50_000;

    /** Whether records are paired from their bytes first, for layouts that may not carry ids. */
    private final boolean fromLayouts;
    private ByteArrayOutputStream upserts = new ByteArrayOutputStream();
    private final ByteArrayOutputStream deletes = new ByteArrayOutputStream();
    private int upsertCount;
    private int deleteCount;
    private boolean exact = true;

    private ChangesDiff(boolean fromLayouts) {
        this.fromLayouts = fromLayouts;
    }

    /** The changes from {@code old} (version {@code from}) to {@code latest} (version {@code to}). */
    public static Changes between(long from, byte[] old, long to, byte[] latest) {
        return new ChangesDiff(false).run(from, old, to, latest);
    }

    /**
     * The same answer as {@link #between(long, byte[], long, byte[])}, from the store's layouts of the two
     * versions, without reading either document whole: a 1%-day on a 50 MB garage was 0.6 to 1.4 s of two
     * scans, where comparing the records' bytes takes milliseconds (and none for records the two layouts
     * share). Records are paired by equal bytes where they sit, and only the rest by id, read from the
     * layout or from the record's own bytes. Null when it cannot tell (a record without an id): the
     * caller then compares the documents.
     */
    public static Changes between(long from, Layout old, long to, Layout latest) {
        try {
            return new ChangesDiff(true).run(from, old, to, latest);
        } catch (CannotTell e) {
            return null;
        }
    }

    /** No change: the answer for {@code since} equal to the latest (longpoll's answer on timeout too). */
    public static Changes none(long version) {
        return new Changes(("{\"from\":" + version + ",\"to\":" + version
                + ",\"exact\":true,\"upserts\":{},\"deletes\":{}}").getBytes(StandardCharsets.US_ASCII), 0, 0, true);
    }

    private Changes run(long from, byte[] old, long to, byte[] latest) {
        // the two scans are most of the work (two 50 MB documents): side by side when a core is free
        CompletableFuture<Layout> oldScan = CompletableFuture.supplyAsync(() -> LayoutScanner.scan(old, old.length));
        Layout newLayout = LayoutScanner.scan(latest, latest.length);
        return run(from, oldScan.join(), to, newLayout);
    }

    private Changes run(long from, Layout oldLayout, long to, Layout newLayout) {
        Skeleton a = Skeleton.of(oldLayout.skeleton());
        Skeleton b = Skeleton.of(newLayout.skeleton());
        ByteArrayOutputStream members = new ByteArrayOutputStream();
        for (String name : new String[] {"garage", "timestamp"}) {
            member(name, a.top.get(name), b.top.get(name), members, name.equals("timestamp"));
        }
        member("settings", a.data.get("settings"), b.data.get("settings"), members, false);
        othersUnchanged(a.top, b.top, Set.of("garage", "timestamp", "data"));
        if (a.dataIsObject != b.dataIsObject) {
            exact = false;
        }
        collections(oldLayout, newLayout, a, b);

        ByteArrayOutputStream out = new ByteArrayOutputStream(upserts.size() + deletes.size() + members.size() + 96);
        ascii(out, "{\"from\":" + from + ",\"to\":" + to + ",\"exact\":" + exact + ",\"upserts\":{");
        copy(upserts, out);
        ascii(out, "},\"deletes\":{");
        copy(deletes, out);
        out.write('}');
        copy(members, out);
        out.write('}');
        return new Changes(out.toByteArray(), upsertCount, deleteCount, exact);
    }

    /** {@code garage}, {@code settings}, {@code timestamp}: the latest's value when it changed. */
    private void member(String name, Span old, Span now, ByteArrayOutputStream out, boolean scalar) {
        if (now == null) {
            exact &= old == null;
            return;
        }
        if (old != null && old.sameBytes(now)) {
            return;
        }
        // what a PATCH accepts there: a scalar timestamp; an object (or null) garage and settings
        byte first = now.bytes[now.start];
        boolean fits = scalar ? first != '{' && first != '[' : first == '{' || first == 'n';
        if (!fits) {
            exact = false;
            return;
        }
        ascii(out, ",\"" + name + "\":");
        out.write(now.bytes, now.start, now.end - now.start);
    }

    /** Members a PATCH cannot change must not have changed. */
    private void othersUnchanged(Map<String, Span> old, Map<String, Span> now, Set<String> patchable) {
        for (Map.Entry<String, Span> e : now.entrySet()) {
            if (!patchable.contains(e.getKey())) {
                Span before = old.get(e.getKey());
                exact &= before != null && before.sameBytes(e.getValue());
            }
        }
        for (String name : old.keySet()) {
            exact &= patchable.contains(name) || now.containsKey(name);
        }
    }

    private void collections(Layout oldLayout, Layout newLayout, Skeleton a, Skeleton b) {
        Map<String, Layout.Items> oldItems = byName(oldLayout);
        Map<String, Layout.Items> newItems = byName(newLayout);
        // a name LayoutScanner did not take as written (escaped) would be compared wrongly: not exact
        if (!oldItems.keySet().equals(a.collections.keySet()) || !newItems.keySet().equals(b.collections.keySet())) {
            exact = false;
        }
        Map<String, Span> otherOld = new LinkedHashMap<>(a.data);
        Map<String, Span> otherNew = new LinkedHashMap<>(b.data);
        otherOld.keySet().removeAll(a.collections.keySet());
        otherNew.keySet().removeAll(b.collections.keySet());
        othersUnchanged(otherOld, otherNew, Set.of("settings"));
        List<java.util.function.Consumer<ChangesDiff>> parts = new ArrayList<>();
        long records = 0;
        for (Map.Entry<String, Layout.Items> e : newItems.entrySet()) {
            Layout.Items before = oldItems.get(e.getKey());
            if (before == null && otherOld.containsKey(e.getKey())) {
                // a member that was not a collection: a PATCH would add a second member of that name
                exact = false;
                continue;
            }
            parts.add(part -> part.collection(e.getKey(), before, e.getValue()));
            records += e.getValue().start().length + (before == null ? 0 : before.start().length);
        }
        for (Map.Entry<String, Layout.Items> e : oldItems.entrySet()) {
            if (!newItems.containsKey(e.getKey())) {
                exact = false;
                Layout.Items gone = e.getValue();
                List<Integer> all = new ArrayList<>();
                for (int i = 0; i < gone.start().length; i++) {
                    all.add(i);
                }
                parts.add(part -> part.writeDeletes(e.getKey(), gone, all));
            }
        }
        // each collection on its own, on the cores there are when the garage is big (a 1%-day on a 50 MB garage
        // walks 300,000 records of each version, several collections of 64,000), then written in order
        java.util.stream.IntStream indexes = java.util.stream.IntStream.range(0, parts.size());
        List<ChangesDiff> done = (records >= PARALLEL_MIN ? indexes.parallel() : indexes).mapToObj(k -> {
            ChangesDiff part = new ChangesDiff(fromLayouts);
            parts.get(k).accept(part);
            return part;
        }).toList();
        for (ChangesDiff part : done) {
            append(part);
        }
    }

    /** A collection's changes, worked out on their own, appended after those of the collections before it. */
    private void append(ChangesDiff part) {
        exact &= part.exact;
        if (part.upsertCount > 0) {
            separator(upserts, upsertCount);
            copy(part.upserts, upserts);
            upsertCount += part.upsertCount;
        }
        if (part.deleteCount > 0) {
            separator(deletes, deleteCount);
            copy(part.deletes, deletes);
            deleteCount += part.deleteCount;
        }
    }

    private void collection(String name, Layout.Items old, Layout.Items now) {
        int oldCount = old == null ? 0 : old.start().length;
        // records the layouts' pairing found by equal bytes are not compared a second time (48 MB of a 50 MB garage)
        boolean[] equal = fromLayouts ? new boolean[now.start().length] : null;
        int[] pair = fromLayouts ? pairsByBytes(old, now, equal) : pairs(old == null ? new String[0] : old.ids(), now.ids());
        boolean[] kept = new boolean[oldCount];
        List<Integer> changed = new ArrayList<>();
        int lastOld = -1;
        boolean newSeen = false;
        for (int i = 0; i < pair.length; i++) {
            int j = pair[i];
            if (j < 0) {
                changed.add(i);
                newSeen = true;
                continue;
            }
            kept[j] = true;
            // a PATCH keeps the old order and puts new records last: anything else it cannot say
            exact &= !newSeen && j > lastOld;
            lastOld = j;
            if (!(equal != null && equal[i]) && !sameEntity(old, j, now, i)) {
                changed.add(i);
            }
        }
        if (!changed.isEmpty()) {
            if (upsertCount == 0) {
                // sized for what follows: a 1%-day lists half a megabyte, which a growing buffer copied several times
                long size = name.length() * 4L + 8;
                for (int i : changed) {
                    size += now.end()[i] - now.start()[i] + 1;
                }
                upserts = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 16, size));
            }
            separator(upserts, upsertCount);
            ascii(upserts, "\"");
            upserts.writeBytes(name.getBytes(StandardCharsets.UTF_8));
            ascii(upserts, "\":[");
            for (int k = 0; k < changed.size(); k++) {
                if (k > 0) {
                    upserts.write(',');
                }
                int i = changed.get(k);
                int start = now.entityStart(i);
                upserts.write(now.buffers()[i], start, now.end()[i] - start);
            }
            upserts.write(']');
            upsertCount += changed.size();
        }
        List<Integer> removed = new ArrayList<>();
        for (int j = 0; j < oldCount; j++) {
            if (!kept[j]) {
                removed.add(j);
            }
        }
        writeDeletes(name, old, removed);
    }

    /** How far ahead a record is looked for when the two lists stop matching one for one. */
    private static final int LOOKAHEAD = 8;

    /**
     * For each record of the latest, the index of the same record (same id) in the older version, or -1.
     * Most records of a day's work sit where they were: the lists are walked side by side comparing ids as
     * written, looking a few places ahead past an insert or a delete, and only the records left over are
     * matched through their typed keys (an id written 1 here and 1.0 there) in a hash map.
     */
    static int[] pairs(String[] old, String[] now) {
        return pair(old.length, now.length, (k, i) -> now[i].equals(old[k]), k -> key(old[k]), i -> key(now[i]), null);
    }

    /**
     * The same pairing as {@link #pairs}, for layouts that may lack ids: ids are unique in a stored version
     * (its validation refuses a duplicate), so a record whose bytes equal an older record's is that record.
     * Only the records left over have their ids read.
     */
    private static int[] pairsByBytes(Layout.Items old, Layout.Items now, boolean[] equal) {
        return pair(old == null ? 0 : old.start().length, now.start().length, (k, i) -> sameEntity(old, k, now, i),
                k -> key(idOf(old, k)), i -> key(idOf(now, i)), equal);
    }

    /** Whether older record k and latest record i are the same record without reading their ids. */
    private interface SameWhereTheySit {
        boolean test(int k, int i);
    }

    /**
     * The pairing itself: both lists walked side by side with {@code same}, a few places ahead past an insert
     * or a delete; the records left over then matched by typed key in a hash map. An older record left over
     * when every latest one is paired cannot share an id with a paired one: it was deleted. When
     * {@code bySame} is given, it says which latest records were paired by {@code same}.
     */
    private static int[] pair(int oldCount, int nowCount, SameWhereTheySit same,
                              IntFunction<String> oldKey, IntFunction<String> nowKey, boolean[] bySame) {
        int[] pair = new int[nowCount];
        boolean[] taken = new boolean[oldCount];
        int j = 0;
        int unpaired = 0;
        for (int i = 0; i < nowCount; i++) {
            pair[i] = -1;
            for (int k = j; k < oldCount && k < j + LOOKAHEAD; k++) {
                if (same.test(k, i)) {
                    pair[i] = k;
                    taken[k] = true;
                    if (bySame != null) {
                        bySame[i] = true;
                    }
                    j = k + 1;
                    break;
                }
            }
            if (pair[i] < 0) {
                unpaired++;
            }
        }
        if (unpaired == 0) {
            return pair;
        }
        Map<String, Integer> left = new HashMap<>();
        for (int k = 0; k < oldCount; k++) {
            if (!taken[k]) {
                left.put(oldKey.apply(k), k);
            }
        }
        for (int i = 0; i < nowCount && !left.isEmpty(); i++) {
            if (pair[i] < 0) {
                Integer k = left.remove(nowKey.apply(i));
                if (k != null) {
                    pair[i] = k;
                }
            }
        }
        return pair;
    }

    /** A record's id as written ({@link Layout.Items#id}); a record without one cannot be told here. */
    private static String idOf(Layout.Items items, int i) {
        String id = items.id(i);
        if (id == null) {
            throw new CannotTell();
        }
        return id;
    }

    private void writeDeletes(String name, Layout.Items old, List<Integer> removed) {
        if (removed.isEmpty()) {
            return;
        }
        separator(deletes, deleteCount);
        ascii(deletes, "\"");
        deletes.writeBytes(name.getBytes(StandardCharsets.UTF_8));
        ascii(deletes, "\":[");
        for (int k = 0; k < removed.size(); k++) {
            if (k > 0) {
                deletes.write(',');
            }
            // as written in the older version: LayoutScanner keeps an id's bytes one char per byte
            deletes.writeBytes(idOf(old, removed.get(k)).getBytes(StandardCharsets.ISO_8859_1));
        }
        deletes.write(']');
        deleteCount += removed.size();
    }

    private static void copy(ByteArrayOutputStream from, ByteArrayOutputStream to) {
        try {
            from.writeTo(to);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array takes any write
        }
    }

    private static void separator(ByteArrayOutputStream out, int countSoFar) {
        if (countSoFar > 0) {
            out.write(',');
        }
    }

    /**
     * An id as the store compares ids: a string by its characters (escapes read), a number by its value.
     * LayoutScanner gives ids as written, one char per byte; a string without escapes is its own key.
     */
    static String key(String written) {
        if (written.charAt(0) != '"') {
            return NumericIds.key(written, "id");
        }
        if (written.indexOf('\\') < 0) {
            return written;
        }
        try (JsonParser p = FACTORY.createParser(written.getBytes(StandardCharsets.ISO_8859_1))) {
            p.nextToken();
            // written back the way Jackson writes a string, which escapes only what must be escaped: the form
            // an id without escapes already has
            ByteArrayOutputStream out = new ByteArrayOutputStream(written.length());
            try (var g = FACTORY.createGenerator(out)) {
                g.writeString(p.getText());
            }
            return out.toString(StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException("an id of a stored version no longer parses", e);
        }
    }

    private static boolean sameEntity(Layout.Items a, int i, Layout.Items b, int j) {
        byte[] ba = a.buffers()[i];
        byte[] bb = b.buffers()[j];
        int ia = a.start()[i];
        int ib = b.start()[j];
        int ea = a.end()[i];
        int eb = b.end()[j];
        // one item both layouts share (a copy of the delta they were rebuilt from), or equal items (separator
        // and record): equal records, most of them, found without looking for where each record starts; only
        // items that differ are compared again without their separators
        if (ba == bb && ia == ib && ea == eb || Arrays.equals(ba, ia, ea, bb, ib, eb)) {
            return true;
        }
        int sa = a.entityStart(i);
        int sb = b.entityStart(j);
        return Arrays.equals(ba, sa, ea, bb, sb, eb);
    }

    private static Map<String, Layout.Items> byName(Layout layout) {
        Map<String, Layout.Items> byName = new LinkedHashMap<>();
        for (Layout.Items items : layout.items()) {
            byName.put(items.name(), items);
        }
        return byName;
    }

    private static void ascii(ByteArrayOutputStream out, String text) {
        out.writeBytes(text.getBytes(StandardCharsets.US_ASCII));
    }

    /** A value's bytes in a skeleton. */
    record Span(byte[] bytes, int start, int end) {
        boolean sameBytes(Span other) {
            return Arrays.equals(bytes, start, end, other.bytes, other.start, other.end);
        }
    }

    /**
     * The members of a skeleton, top level and in {@code data}, by name as written (a name with escapes
     * keeps them); collections are the arrays of {@code data} other than {@code settings}, as for the store.
     */
    record Skeleton(Map<String, Span> top, Map<String, Span> data, Map<String, Span> collections, boolean dataIsObject) {

        static Skeleton of(byte[] skeleton) {
            Map<String, Span> top = new LinkedHashMap<>();
            Map<String, Span> data = new LinkedHashMap<>();
            Map<String, Span> collections = new LinkedHashMap<>();
            boolean dataIsObject = false;
            try (JsonParser p = FACTORY.createParser(skeleton)) {
                if (p.nextToken() != JsonToken.START_OBJECT) {
                    return new Skeleton(top, data, collections, false);
                }
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String name = rawName(skeleton, p);
                    JsonToken v = p.nextToken();
                    int start = (int) p.currentTokenLocation().getByteOffset();
                    if (name.equals("data") && v == JsonToken.START_OBJECT) {
                        dataIsObject = true;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String member = rawName(skeleton, p);
                            JsonToken mv = p.nextToken();
                            Span span = span(skeleton, p, (int) p.currentTokenLocation().getByteOffset());
                            data.put(member, span);
                            if (mv == JsonToken.START_ARRAY && !member.equals("settings")) {
                                collections.put(member, span);
                            }
                        }
                        top.put(name, new Span(skeleton, start, start));
                    } else {
                        top.put(name, span(skeleton, p, start));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("a stored version no longer parses", e);
            }
            return new Skeleton(top, data, collections, dataIsObject);
        }

        private static Span span(byte[] skeleton, JsonParser p, int start) throws IOException {
            p.skipChildren();
            p.finishToken();
            return new Span(skeleton, start, (int) p.currentLocation().getByteOffset());
        }

        /** The name of the field the parser is on, as its bytes are written, like LayoutScanner reads names. */
        private static String rawName(byte[] skeleton, JsonParser p) {
            int quote = (int) p.currentTokenLocation().getByteOffset();
            int end = quote + 1;
            while (skeleton[end] != '"') {
                end += skeleton[end] == '\\' ? 2 : 1;
            }
            return new String(skeleton, quote + 1, end - quote - 1, StandardCharsets.UTF_8);
        }
    }
}
