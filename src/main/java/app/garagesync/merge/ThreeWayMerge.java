package app.garagesync.merge;

import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The three-way merge of a device's whole backup onto the store's latest, by record and field. It is
 * the reference for how several devices' changes meet (docs/devices.md retells it for owners).
 *
 * <p>Inputs: {@code base}, the version the device started from; {@code latest}, the store's latest
 * (number {@code latestVersion}); {@code device}, the device's whole state edited from base. What each
 * side changed is what differs from base; a value is unchanged when its bytes are equal or, failing
 * that, when it is the same JSON value (spacing, member order, escapes and number spelling aside: 1.5
 * and 1.50 are one amount).
 *
 * <ol>
 * <li>Records: every array under {@code data} except {@code settings} is a collection; a record is
 *     matched by its {@code id}, typed as the store types it (string "1" and number 1 are two records;
 *     1 and 1.0 one). A collection missing on a side has no records there.</li>
 * <li>Only one side touched a record (edited, added or deleted it): that side's record, its exact bytes
 *     (or its deletion).</li>
 * <li>Both touched it: merged field by field over the record's top-level fields (a nested object such as
 *     {@code address} is one field). A field only one side changed takes that side's value; the same
 *     field changed differently by both takes the device's value (the device's request is the later one)
 *     and is listed as a conflict: {@code kept} the device's value, {@code overwritten} the latest's,
 *     {@code overwrittenIn} = latestVersion (either may be null: the field absent or removed). Both
 *     changed it the same way: no conflict.</li>
 * <li>Deleted on one side, edited on the other: kept with the edit, listed as a conflict with field null,
 *     {@code kept} the edited record and {@code overwritten} null (the deletion).</li>
 * <li>Deleted on both: deleted. Added on both with one id: merged as both edited from an empty record.</li>
 * <li>{@code garage} and {@code data.settings}: merged field by field like a record (collection
 *     "garage" or "settings", id null); a null or absent object has no fields. Removed on one side and
 *     edited on the other: kept with the edit, listed with field null.</li>
 * <li>Any other member, at the top ({@code timestamp}, {@code version}, ...) or in {@code data}: the
 *     device's value if the device changed it from base (removing it included), else the latest's. No
 *     conflict is listed for them.</li>
 * <li>Order: members and records in the latest's order, then the ones new on the device in the device's
 *     order; fields of a merged record in the latest's order, then the device's new ones.</li>
 * <li>Bytes: records nobody touched, and records one side alone touched, keep their exact bytes; a run
 *     of them keeps the bytes between them too. When the latest means the same as base (its bytes
 *     may differ), the result is the device's document byte for byte; when the device means the same
 *     as base, the latest's.</li>
 * </ol>
 *
 * <p>The result parses and passes the store's validation when the three inputs do, and the merge says what
 * that validation would count in it ({@link MergedShape}): a merged version is stored without being read
 * whole again, so this is a promise the store relies on (ThreeWayMergeProperties checks both). Inputs it
 * cannot read as backups raise {@link MergeException}, never anything else.
 */
public final class ThreeWayMerge {

    /** How far ahead a record is looked for when two sides' lists stop matching one for one. */
    private static final int LOOKAHEAD = 8;
    private static final int LATEST = 0;
    private static final int DEVICE = 1;
    private static final int MERGED = 2;

    private final MergeSide base;
    private final MergeSide latest;
    private final MergeSide device;
    private final long latestVersion;
    private final Output out;
    private final List<MergeConflict> conflicts = new ArrayList<>();
    /** The records written per collection, the timestamp's place: the shape of the output, while it is known. */
    private final Map<String, Integer> counts = new java.util.LinkedHashMap<>();
    private int timestampStart = -1;
    private int timestampEnd = -1;
    private boolean shapeKnown = true;
    /**
     * Where the output's collections and records are, as {@link LayoutScanner} would find them: the store would
     * otherwise scan the 50 MB it is handed to find them again. Null once a collection was written without its
     * records being cut out (a side read as a whole document).
     */
    private List<Layout.Region> regions = new ArrayList<>();
    /** Told how far the output is final, for its reader on another thread; or null. */
    private final MergeProgress progress;
    private boolean wroteData;

    private ThreeWayMerge(MergeSide base, MergeSide latest, MergeSide device, long latestVersion, MergeProgress progress) {
        this.progress = progress;
        this.base = base;
        this.latest = latest;
        this.device = device;
        this.latestVersion = latestVersion;
        if (!(base.cut && latest.cut && device.cut)) {
            regions = null; // names read from whole documents may be decoded where a scan keeps them as written
        }
        this.out = new Output((int) Math.min(Integer.MAX_VALUE - 16, latest.size() + device.size() / 16 + 64));
    }

    /**
     * Merges what {@code device} changed since {@code base} onto {@code latest} (number {@code latestVersion}).
     *
     * @throws MergeException when a document cannot be read as a backup
     */
    public static MergeResult merge(byte[] base, byte[] latest, byte[] device, long latestVersion) {
        return merge(base, latest, device, device == null ? 0 : device.length, latestVersion);
    }

    /**
     * Like {@link #merge(byte[], byte[], byte[], long)}, the device's state being the first {@code deviceLength}
     * bytes of {@code device}: a request's buffer, merged without the 50 MB copy trimming it would cost.
     */
    public static MergeResult merge(byte[] base, byte[] latest, byte[] device, int deviceLength, long latestVersion) {
        if (base == null || latest == null || device == null) {
            throw new MergeException("a merge needs three documents: base, latest and device");
        }
        MergeResult r = merge(scan("base", base, base.length), scan("latest", latest, latest.length),
                device, deviceLength, latestVersion);
        return r.latestKept() ? new MergeResult(latest, List.of()) : r;
    }

    /**
     * The same merge, with the base and the latest as the store's layouts of them (their records as slices of
     * the buffers they were rebuilt from): neither is copied into one document, and records the layouts share
     * (the latest's copies of its parent's) are paired without comparing their bytes. When the latest is kept
     * as it is, the result says so ({@link MergeResult#latestKept()}) instead of holding a copy of it.
     */
    public static MergeResult merge(Layout base, Layout latest, byte[] device, int deviceLength, long latestVersion) {
        return merge(base, latest, device, deviceLength, null, latestVersion);
    }

    /**
     * Like {@link #merge(Layout, Layout, byte[], int, long)}, with the device's layout when its writer knows it
     * (a change-set applied to its base): the device's document is then not scanned to find its records.
     */
    public static MergeResult merge(Layout base, Layout latest, byte[] device, int deviceLength, Layout deviceLayout,
                                    long latestVersion) {
        return merge(base, latest, device, deviceLength, deviceLayout, latestVersion, null);
    }

    /**
     * Like {@link #merge(Layout, Layout, byte[], int, Layout, long)}, telling {@code progress} (when not null) how
     * far the document it writes is final as it goes, so that another thread can read it meanwhile. It ends the
     * progress when the result is a document it wrote with its shape known, and abandons it otherwise.
     */
    public static MergeResult merge(Layout base, Layout latest, byte[] device, int deviceLength, Layout deviceLayout,
                                    long latestVersion, MergeProgress progress) {
        try {
            MergeResult r = mergeLayouts(base, latest, device, deviceLength, deviceLayout, latestVersion, progress);
            if (progress != null && r.shape() != null) {
                progress.end(r.buffer(), r.length(), r.shape().timestampStart(), r.shape().timestampEnd());
            }
            return r;
        } finally {
            if (progress != null) {
                progress.abandon();
            }
        }
    }

    private static MergeResult mergeLayouts(Layout base, Layout latest, byte[] device, int deviceLength,
                                            Layout deviceLayout, long latestVersion, MergeProgress progress) {
        if (base == null || latest == null || device == null) {
            throw new MergeException("a merge needs three documents: base, latest and device");
        }
        try {
            MergeSide b = MergeSide.of("base", base);
            MergeSide l = b == null ? null : MergeSide.of("latest", latest);
            MergeSide d = l == null ? null : MergeSide.of("device",
                    deviceLayout != null ? deviceLayout : scan("device", device, deviceLength));
            if (d == null) {
                // a collection the layouts name otherwise than the merge (escapes): the documents whole
                byte[] bd = base.materialize();
                byte[] ld = latest.materialize();
                b = MergeSide.whole("base", bd, bd.length);
                l = MergeSide.whole("latest", ld, ld.length);
                d = MergeSide.whole("device", device, deviceLength);
            }
            if (b.sameBytesAs(l)) {
                return new MergeResult(device, deviceLength, List.of());
            }
            if (b.sameBytesAs(d)) {
                return MergeResult.latestAsItIs();
            }
            // a side that was only re-serialized changed nothing, not even the order of records
            if (b.sameValueAs(l)) {
                return new MergeResult(device, deviceLength, List.of());
            }
            if (b.sameValueAs(d)) {
                return MergeResult.latestAsItIs();
            }
            ThreeWayMerge m = new ThreeWayMerge(b, l, d, latestVersion, progress);
            m.document();
            MergedShape shape = m.shape();
            Layout layout = shape == null || m.regions == null ? null : Layout.over(m.out.buffer(), m.out.size(), m.regions);
            return new MergeResult(m.out.buffer(), m.out.size(), m.conflicts, shape, layout);
        } catch (MergeException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new MergeException("the documents cannot be merged: " + e, e);
        }
    }

    /** The layout of a document that may not even be JSON (a device's state is merged before it is validated). */
    private static Layout scan(String name, byte[] doc, int length) {
        try {
            return LayoutScanner.scan(doc, length);
        } catch (RuntimeException e) {
            throw new MergeException(name + ": not a backup document the merge can read: " + e);
        }
    }

    private void document() {
        out.write('{');
        boolean first = true;
        for (String name : names(latest.doc.top, device.doc.top)) {
            Member bm = base.doc.top.get(name);
            Member lm = latest.doc.top.get(name);
            Member dm = device.doc.top.get(name);
            int before = out.size();
            if (!first) {
                out.write(',');
            }
            boolean wrote = switch (name) {
                case "data" -> wroteData = data(lm != null ? latest.doc : device.doc, lm != null ? lm : dm);
                case "garage" -> objectMember("garage", bm, lm, dm);
                case "timestamp" -> timestamp(bm, lm, dm);
                default -> otherMember(bm, lm, dm);
            };
            if (wrote) {
                first = false;
            } else {
                out.truncate(before);
            }
            published();
        }
        out.write('}');
    }

    private boolean data(IndexedDocument side, Member member) {
        out.write(side.bytes, member.start(), member.valueStart() - member.start());
        out.write('{');
        boolean first = true;
        for (String name : names(latest.doc.data, device.doc.data)) {
            Member bm = base.doc.data.get(name);
            Member lm = latest.doc.data.get(name);
            Member dm = device.doc.data.get(name);
            int before = out.size();
            if (!first) {
                out.write(',');
            }
            boolean wrote;
            if (name.equals("settings")) {
                wrote = objectMember("settings", bm, lm, dm);
            } else if (latest.hasCollection(name) || device.hasCollection(name) || base.hasCollection(name)) {
                wrote = collection(name, bm, lm, dm);
            } else {
                shapeKnown = false;
                wrote = otherMember(bm, lm, dm);
            }
            if (wrote) {
                first = false;
            } else {
                out.truncate(before);
            }
            published();
        }
        out.write('}');
        return true;
    }

    /** The top-level timestamp, merged as any other member, its value's place in the output noted. */
    private boolean timestamp(Member bm, Member lm, Member dm) {
        boolean deviceChanged = !Span.same(Span.of(base.doc, bm), Span.of(device.doc, dm));
        Member m = deviceChanged ? dm : lm;
        if (!copyMember(deviceChanged ? device.doc : latest.doc, m)) {
            return false;
        }
        timestampEnd = out.size();
        timestampStart = timestampEnd - (m.valueEnd() - m.valueStart());
        return true;
    }

    /**
     * What validation would learn of the output (see {@link MergedShape}), or null when the merge wrote
     * something it does not count: a member of {@code data} that is neither a collection nor the settings,
     * or no {@code data} at all, which only inputs that are not valid backups have.
     */
    private MergedShape shape() {
        return shapeKnown && wroteData ? new MergedShape(counts, timestampStart, timestampEnd) : null;
    }

    /** A member merged as a whole value: the device's if it changed it from base, else the latest's. */
    private boolean otherMember(Member bm, Member lm, Member dm) {
        boolean deviceChanged = !Span.same(Span.of(base.doc, bm), Span.of(device.doc, dm));
        return copyMember(deviceChanged ? device.doc : latest.doc, deviceChanged ? dm : lm);
    }

    /** {@code garage} or {@code data.settings}: merged field by field when both sides changed it. */
    private boolean objectMember(String name, Member bm, Member lm, Member dm) {
        Span b = Span.of(base.doc, bm);
        Span l = Span.of(latest.doc, lm);
        Span d = Span.of(device.doc, dm);
        if (Span.same(b, d) || Span.same(l, d)) {
            return copyMember(latest.doc, lm);
        }
        if (Span.same(b, l)) {
            return copyMember(device.doc, dm);
        }
        if (l == null || d == null) {
            Span kept = l == null ? d : l;
            conflicts.add(new MergeConflict(name, null, null, kept.tree(), null, latestVersion));
            return copyMember(l == null ? device.doc : latest.doc, l == null ? dm : lm);
        }
        byte[] merged = new ObjectMerge(name, null, latestVersion, conflicts).merge(b, l, d);
        out.write(latest.doc.bytes, lm.start(), lm.valueStart() - lm.start());
        out.write(merged, 0, merged.length);
        return true;
    }

    /**
     * One collection, by the rules above. Records are first paired by their bytes where they sit (the base's
     * with the latest's, the base's with the device's): records nobody touched, nearly all of them, need no id
     * read and no map. Only the records left over have their ids read and are paired by typed id; ids are
     * unique on each side (the store's validation), so a record equal in bytes to one of the base is that record.
     */
    private boolean collection(String name, Member bm, Member lm, Member dm) {
        MergeSide.Records b = base.records(name);
        MergeSide.Records l = latest.records(name);
        MergeSide.Records d = device.records(name);
        int[] lb = pairByBytes(l, b);
        int[] db = pairByBytes(d, b);
        int[] bl = inverse(lb, b.size());
        int[] bd = inverse(db, b.size());
        Map<String, Integer> baseLeft = new HashMap<>();
        for (int k = 0; k < b.size(); k++) {
            if (bl[k] < 0 || bd[k] < 0) {
                keyed(baseLeft, b, k);
            }
        }
        Map<String, Integer> latestLeft = new HashMap<>();
        for (int i = 0; i < l.size(); i++) {
            if (lb[i] < 0) {
                keyed(latestLeft, l, i);
            }
        }
        Map<String, Integer> deviceLeft = new HashMap<>();
        for (int m = 0; m < d.size(); m++) {
            if (db[m] < 0) {
                keyed(deviceLeft, d, m);
            }
        }
        Pieces pieces = new Pieces(l.size() + d.size());
        boolean asLatest = true;
        for (int i = 0; i < l.size(); i++) {
            int k = lb[i] >= 0 ? lb[i] : find(baseLeft, l.key(i));
            int m = k >= 0 ? (bd[k] >= 0 ? bd[k] : find(deviceLeft, b.key(k))) : find(deviceLeft, l.key(i));
            boolean baseIsDevice = k < 0 && m < 0 || k >= 0 && m >= 0 && (bd[k] == m || same(b, k, d, m));
            boolean baseIsLatest = k >= 0 && (lb[i] == k || same(b, k, l, i));
            if (baseIsDevice) {
                pieces.add(LATEST, i, null);
            } else if (baseIsLatest) {
                asLatest = false;
                if (m >= 0) {
                    pieces.add(DEVICE, m, null);
                }
            } else if (m < 0) {
                conflicts.add(new MergeConflict(name, l.id(i), null, l.span(i).tree(), null, latestVersion));
                pieces.add(LATEST, i, null);
            } else if (same(l, i, d, m)) {
                pieces.add(LATEST, i, null);
            } else {
                asLatest = false;
                byte[] merged = new ObjectMerge(name, l.id(i), latestVersion, conflicts)
                        .merge(k >= 0 ? b.span(k) : null, l.span(i), d.span(m));
                pieces.add(MERGED, -1, merged);
            }
        }
        for (int m = 0; m < d.size(); m++) {
            int k;
            boolean inLatest;
            if (db[m] >= 0) {
                k = db[m];
                inLatest = bl[k] >= 0 || latestLeft.containsKey(b.key(k));
            } else {
                String key = d.key(m);
                k = find(baseLeft, key);
                inLatest = latestLeft.containsKey(key) || k >= 0 && bl[k] >= 0;
            }
            if (inLatest) {
                continue;
            }
            if (k < 0) {
                pieces.add(DEVICE, m, null);
                asLatest = false;
            } else if (!(db[m] == k || same(b, k, d, m))) {
                conflicts.add(new MergeConflict(name, d.id(m), null, d.span(m).tree(), null, latestVersion));
                pieces.add(DEVICE, m, null);
                asLatest = false;
            }
        }
        // the collection's key itself follows the other-member rule; it stays while it holds records
        boolean keyKept = (bm == null) == (dm == null) ? lm != null : dm != null;
        if (!keyKept && pieces.size == 0) {
            return false;
        }
        if (asLatest && lm != null && latest.hasCollection(name)) {
            counts.put(name, l.size());
            return copyCollection(latest, lm, l);
        }
        counts.put(name, pieces.size);
        // one of the two is there: the names come from the latest and the device
        Member named = lm != null ? lm : dm;
        IndexedDocument namedIn = lm != null ? latest.doc : device.doc;
        out.write(namedIn.bytes, named.start(), named.valueStart() - named.start());
        out.write('[');
        writePieces(name, pieces, l, d);
        out.write(']');
        return true;
    }

    private static boolean same(MergeSide.Records a, int i, MergeSide.Records b, int j) {
        return a.sameBytes(i, b, j) || Span.same(a.span(i), b.span(j));
    }

    private static void keyed(Map<String, Integer> byKey, MergeSide.Records records, int i) {
        String key = records.key(i);
        if (byKey.put(key, i) != null) {
            throw new MergeException(records.side + ": data." + records.collection + " has the id " + key.substring(2)
                    + " twice");
        }
    }

    private static int find(Map<String, Integer> byKey, String key) {
        Integer i = byKey.get(key);
        return i == null ? -1 : i;
    }

    /**
     * For each record of {@code now}, the index of the record of {@code old} with the same bytes, or -1: both
     * lists walked side by side, a few places ahead past an insert or a delete.
     */
    private static int[] pairByBytes(MergeSide.Records now, MergeSide.Records old) {
        int[] pair = new int[now.size()];
        int j = 0;
        for (int i = 0; i < now.size(); i++) {
            pair[i] = -1;
            for (int k = j; k < old.size() && k < j + LOOKAHEAD; k++) {
                if (now.sameBytes(i, old, k)) {
                    pair[i] = k;
                    j = k + 1;
                    break;
                }
            }
        }
        return pair;
    }

    private static int[] inverse(int[] pair, int size) {
        int[] inverse = new int[size];
        Arrays.fill(inverse, -1);
        for (int i = 0; i < pair.length; i++) {
            if (pair[i] >= 0) {
                inverse[pair[i]] = i;
            }
        }
        return inverse;
    }

    /** The records of the result, in order: a record of the latest or the device (by index), or merged bytes. */
    private static final class Pieces {
        final int[] side;
        final int[] index;
        final List<byte[]> merged = new ArrayList<>();
        int size;

        Pieces(int capacity) {
            side = new int[capacity];
            index = new int[capacity];
        }

        void add(int from, int i, byte[] bytes) {
            side[size] = from;
            index[size] = bytes == null ? i : merged.size();
            if (bytes != null) {
                merged.add(bytes);
            }
            size++;
        }
    }

    /**
     * Writes records separated by commas; a record that follows its neighbour on the same side is written with
     * its item's separator, as that side wrote it, so a run of one side's records keeps its bytes.
     */
    private void writePieces(String name, Pieces pieces, MergeSide.Records l, MergeSide.Records d) {
        Cut cut = new Cut(name, pieces.size);
        for (int p = 0; p < pieces.size; p++) {
            writePiece(pieces, p, l, d);
            cut.entityEnds();
            published();
        }
        cut.done();
    }

    private void writePiece(Pieces pieces, int p, MergeSide.Records l, MergeSide.Records d) {
        int from = pieces.side[p];
        int i = pieces.index[p];
        if (from == MERGED) {
            if (p > 0) {
                out.write(',');
            }
            byte[] merged = pieces.merged.get(i);
            out.write(merged, 0, merged.length);
            return;
        }
        MergeSide.Records records = from == LATEST ? l : d;
        if (p > 0 && pieces.side[p - 1] == from && pieces.index[p - 1] == i - 1) {
            out.write(records.buffers[i], records.start[i], records.end[i] - records.start[i]);
        } else {
            if (p > 0) {
                out.write(',');
            }
            int s = records.recordStart(i);
            out.write(records.buffers[i], s, records.end[i] - s);
        }
    }

    /**
     * Tells the progress, every so often, that the output so far is final: called only where nothing written
     * before will be taken back (between members once each is decided, between the records of a collection).
     */
    private void published() {
        if (progress != null && out.size() - progress.published >= progress.publishEvery) {
            progress.publish(out.buffer(), out.size(), timestampStart, timestampEnd);
        }
    }

    /** The latest's collection as it is: its member's bytes, its records put back where the skeleton cut them. */
    private boolean copyCollection(MergeSide side, Member m, MergeSide.Records records) {
        if (!side.cut) {
            regions = null;
            return copyMember(side.doc, m);
        }
        int open = m.valueStart() + 1; // the records were cut out right after the array's '['
        out.write(side.doc.bytes, m.start(), open - m.start());
        Cut cut = new Cut(records.collection, records.size());
        for (int i = 0; i < records.size(); i++) {
            out.write(records.buffers[i], records.start[i], records.end[i] - records.start[i]);
            cut.entityEnds();
            published();
        }
        cut.done();
        out.write(side.doc.bytes, open, m.valueEnd() - open);
        return true;
    }

    /** Writes a member as the side wrote it ({@code "name": value}); false when it is absent. */
    private boolean copyMember(IndexedDocument side, Member m) {
        if (m == null) {
            return false;
        }
        out.write(side.bytes, m.start(), m.valueEnd() - m.start());
        return true;
    }

    private static Set<String> names(Map<String, Member> latest, Map<String, Member> device) {
        Set<String> names = new LinkedHashSet<>(latest.keySet());
        names.addAll(device.keySet());
        return names;
    }

    /**
     * The region of one collection in the output (see {@link Layout.Region}): from right after its {@code [} to
     * the end of its last record, each item from the end of the record before.
     */
    private final class Cut {
        private final String name;
        private final int from = out.size();
        private final int[] end;
        private int n;

        Cut(String name, int records) {
            this.name = name;
            this.end = new int[records];
        }

        void entityEnds() {
            end[n++] = out.size();
        }

        void done() {
            if (regions == null) {
                return;
            }
            regions.add(Layout.Region.ofEnds(name, from, end, n, null));
        }
    }

    /** The output, which can take back a separator written for a member that turned out absent. */
    private static final class Output extends ByteArrayOutputStream {
        Output(int size) {
            super(size);
        }

        void truncate(int size) {
            count = size;
        }

        /** The bytes written so far are its first {@link #size()}: no copy. */
        byte[] buffer() {
            return buf;
        }
    }
}
