package app.garagesync.merge;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>The result parses and passes the store's validation when the three inputs do. Inputs it cannot read
 * as backups raise {@link MergeException}, never anything else.
 */
public final class ThreeWayMerge {

    private final IndexedDocument base;
    private final IndexedDocument latest;
    private final IndexedDocument device;
    private final long latestVersion;
    private final Output out;
    private final List<MergeConflict> conflicts = new ArrayList<>();

    private ThreeWayMerge(IndexedDocument base, IndexedDocument latest, IndexedDocument device, long latestVersion) {
        this.base = base;
        this.latest = latest;
        this.device = device;
        this.latestVersion = latestVersion;
        this.out = new Output(latest.bytes.length + device.bytes.length / 16 + 64);
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
        if (Arrays.equals(base, latest)) {
            return new MergeResult(device, deviceLength, List.of());
        }
        if (Arrays.equals(base, 0, base.length, device, 0, deviceLength)) {
            return new MergeResult(latest, List.of());
        }
        try {
            IndexedDocument b = IndexedDocument.of("base", base);
            IndexedDocument l = IndexedDocument.of("latest", latest);
            IndexedDocument d = IndexedDocument.of("device", device, deviceLength);
            // a side that was only re-serialized changed nothing, not even the order of records
            if (b.sameValueAs(l)) {
                return new MergeResult(device, deviceLength, List.of());
            }
            if (b.sameValueAs(d)) {
                return new MergeResult(latest, List.of());
            }
            ThreeWayMerge m = new ThreeWayMerge(b, l, d, latestVersion);
            m.document();
            return new MergeResult(m.out.buffer(), m.out.size(), m.conflicts);
        } catch (MergeException e) {
            throw e;
        } catch (RuntimeException | StackOverflowError e) {
            throw new MergeException("the documents cannot be merged: " + e, e);
        }
    }

    private void document() {
        out.write('{');
        boolean first = true;
        for (String name : names(latest.top, device.top)) {
            Member bm = base.top.get(name);
            Member lm = latest.top.get(name);
            Member dm = device.top.get(name);
            int before = out.size();
            if (!first) {
                out.write(',');
            }
            boolean wrote = switch (name) {
                case "data" -> data(lm != null ? latest : device, lm != null ? lm : dm);
                case "garage" -> objectMember("garage", bm, lm, dm);
                default -> otherMember(bm, lm, dm);
            };
            if (wrote) {
                first = false;
            } else {
                out.truncate(before);
            }
        }
        out.write('}');
    }

    private boolean data(IndexedDocument side, Member member) {
        out.write(side.bytes, member.start(), member.valueStart() - member.start());
        out.write('{');
        boolean first = true;
        for (String name : names(latest.data, device.data)) {
            Member bm = base.data.get(name);
            Member lm = latest.data.get(name);
            Member dm = device.data.get(name);
            int before = out.size();
            if (!first) {
                out.write(',');
            }
            boolean wrote;
            if (name.equals("settings")) {
                wrote = objectMember("settings", bm, lm, dm);
            } else if (latest.collections.containsKey(name) || device.collections.containsKey(name)
                    || base.collections.containsKey(name)) {
                wrote = collection(name, bm, lm, dm);
            } else {
                wrote = otherMember(bm, lm, dm);
            }
            if (wrote) {
                first = false;
            } else {
                out.truncate(before);
            }
        }
        out.write('}');
        return true;
    }

    /** A member merged as a whole value: the device's if it changed it from base, else the latest's. */
    private boolean otherMember(Member bm, Member lm, Member dm) {
        boolean deviceChanged = !Span.same(Span.of(base, bm), Span.of(device, dm));
        return copyMember(deviceChanged ? device : latest, deviceChanged ? dm : lm);
    }

    /** {@code garage} or {@code data.settings}: merged field by field when both sides changed it. */
    private boolean objectMember(String name, Member bm, Member lm, Member dm) {
        Span b = Span.of(base, bm);
        Span l = Span.of(latest, lm);
        Span d = Span.of(device, dm);
        if (Span.same(b, d) || Span.same(l, d)) {
            return copyMember(latest, lm);
        }
        if (Span.same(b, l)) {
            return copyMember(device, dm);
        }
        if (l == null || d == null) {
            Span kept = l == null ? d : l;
            conflicts.add(new MergeConflict(name, null, null, kept.tree(), null, latestVersion));
            return copyMember(l == null ? device : latest, l == null ? dm : lm);
        }
        byte[] merged = new ObjectMerge(name, null, latestVersion, conflicts).merge(b, l, d);
        out.write(latest.bytes, lm.start(), lm.valueStart() - lm.start());
        out.write(merged, 0, merged.length);
        return true;
    }

    /** One record of the result: an entity of the latest or the device, or a merged record's bytes. */
    private record Piece(IndexedDocument side, Entity entity, byte[] merged) {
    }

    private boolean collection(String name, Member bm, Member lm, Member dm) {
        Map<String, Entity> b = base.records(name);
        Map<String, Entity> l = latest.records(name);
        Map<String, Entity> d = device.records(name);
        List<Piece> pieces = new ArrayList<>(l.size() + 16);
        boolean asLatest = true;
        for (Entity le : l.values()) {
            Entity be = b.get(le.key());
            Entity de = d.get(le.key());
            Span bs = Span.of(base, be);
            Span ls = Span.of(latest, le);
            Span ds = Span.of(device, de);
            if (Span.same(bs, ds)) {
                pieces.add(new Piece(latest, le, null));
            } else if (Span.same(bs, ls)) {
                asLatest = false;
                if (de != null) {
                    pieces.add(new Piece(device, de, null));
                }
            } else if (de == null) {
                conflicts.add(new MergeConflict(name, latest.id(le), null, ls.tree(), null, latestVersion));
                pieces.add(new Piece(latest, le, null));
            } else if (Span.same(ls, ds)) {
                pieces.add(new Piece(latest, le, null));
            } else {
                asLatest = false;
                byte[] merged = new ObjectMerge(name, latest.id(le), latestVersion, conflicts).merge(bs, ls, ds);
                pieces.add(new Piece(null, null, merged));
            }
        }
        for (Entity de : d.values()) {
            if (l.containsKey(de.key())) {
                continue;
            }
            Entity be = b.get(de.key());
            Span ds = Span.of(device, de);
            if (be == null) {
                pieces.add(new Piece(device, de, null));
                asLatest = false;
            } else if (!Span.same(Span.of(base, be), ds)) {
                conflicts.add(new MergeConflict(name, device.id(de), null, ds.tree(), null, latestVersion));
                pieces.add(new Piece(device, de, null));
                asLatest = false;
            }
        }
        // the collection's key itself follows the other-member rule; it stays while it holds records
        boolean keyKept = (bm == null) == (dm == null) ? lm != null : dm != null;
        if (!keyKept && pieces.isEmpty()) {
            return false;
        }
        if (asLatest && lm != null && latest.collections.containsKey(name)) {
            return copyMember(latest, lm);
        }
        // one of the two is there: the names come from the latest and the device
        Member named = lm != null ? lm : dm;
        IndexedDocument namedIn = lm != null ? latest : device;
        out.write(namedIn.bytes, named.start(), named.valueStart() - named.start());
        out.write('[');
        writePieces(pieces);
        out.write(']');
        return true;
    }

    /** Writes records separated by commas; a run of one side's neighbours is copied with the bytes between them. */
    private void writePieces(List<Piece> pieces) {
        Piece previous = null;
        for (Piece p : pieces) {
            if (p.merged != null) {
                if (previous != null) {
                    out.write(',');
                }
                out.write(p.merged, 0, p.merged.length);
            } else if (previous != null && previous.side == p.side && previous.entity != null
                    && p.entity.previousEnd() == previous.entity.end()) {
                out.write(p.side.bytes, previous.entity.end(), p.entity.end() - previous.entity.end());
            } else {
                if (previous != null) {
                    out.write(',');
                }
                out.write(p.side.bytes, p.entity.start(), p.entity.end() - p.entity.start());
            }
            previous = p;
        }
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
