package app.garagesync.merge;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges one object both sides changed (a record, {@code garage}, {@code data.settings}) field by field
 * over its top-level members: a field only one side changed takes that side's value; a field both
 * changed differently takes the device's and is reported. Members keep the latest's order, then the
 * device's new ones; each member keeps its bytes as written.
 */
final class ObjectMerge {

    private final String collection;
    private final Object id;
    private final long latestVersion;
    private final List<MergeConflict> conflicts;

    ObjectMerge(String collection, Object id, long latestVersion, List<MergeConflict> conflicts) {
        this.collection = collection;
        this.id = id;
        this.latestVersion = latestVersion;
        this.conflicts = conflicts;
    }

    /** The merged object's bytes; base may be null (added on both sides: both edited an empty record). */
    byte[] merge(Span base, Span latest, Span device) {
        Map<String, Member> b = members(base);
        Map<String, Member> l = members(latest);
        Map<String, Member> d = members(device);
        Set<String> names = new LinkedHashSet<>(l.keySet());
        names.addAll(d.keySet());
        List<Span> picked = new ArrayList<>();
        List<Member> pickedMembers = new ArrayList<>();
        boolean allLatest = true;
        for (String name : names) {
            Member lm = l.get(name);
            Member dm = d.get(name);
            Span bv = base == null ? null : Span.of(base, b.get(name));
            Span lv = Span.of(latest, lm);
            Span dv = Span.of(device, dm);
            Member pick = lm;
            Span from = latest;
            if (!Span.same(lv, dv) && !Span.same(bv, dv)) {
                if (!Span.same(bv, lv)) {
                    conflicts.add(new MergeConflict(collection, id, name, tree(dv), tree(lv), latestVersion));
                }
                pick = dm;
                from = device;
                allLatest = false;
            }
            if (pick != null) {
                picked.add(from);
                pickedMembers.add(pick);
            }
        }
        if (allLatest) {
            return copy(latest);
        }
        if (pickedMembers.size() == d.size() && allFrom(picked, device)
                && new ArrayList<>(d.values()).equals(pickedMembers)) {
            return copy(device);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write('{');
        for (int i = 0; i < pickedMembers.size(); i++) {
            if (i > 0) {
                out.write(',');
            }
            Member m = pickedMembers.get(i);
            out.write(picked.get(i).bytes(), m.start(), m.valueEnd() - m.start());
        }
        out.write('}');
        return out.toByteArray();
    }

    private static boolean allFrom(List<Span> picked, Span side) {
        for (Span s : picked) {
            if (s != side) {
                return false;
            }
        }
        return true;
    }

    /** An object's members by name; none for an absent value or null (garage and settings may be null). */
    private static Map<String, Member> members(Span s) {
        if (s == null || s.isNull()) {
            return Map.of();
        }
        Map<String, Member> byName = new LinkedHashMap<>();
        for (Member m : new JsonCursor(s.name(), s.bytes(), s.start()).members()) {
            if (byName.put(m.name(), m) != null) {
                throw new MergeException(s.name() + ": the object at byte " + s.start() + " has the member '"
                        + m.name() + "' twice");
            }
        }
        return byName;
    }

    private static JsonNode tree(Span s) {
        return s == null ? null : s.tree();
    }

    private static byte[] copy(Span s) {
        return java.util.Arrays.copyOfRange(s.bytes(), s.start(), s.end());
    }
}
