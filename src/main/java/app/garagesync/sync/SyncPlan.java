package app.garagesync.sync;

import app.garagesync.store.PrunedIds;
import app.garagesync.store.VersionInfo;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a target must receive and may lose so that it holds exactly the user's versions (a mirror, as
 * {@code rclone sync} or {@code restic forget --prune} leave it). An object the target holds serves a
 * version when it copies that version ({@code contentHash}) and, if it is a delta, its parent is a
 * version the target keeps: every kept version ends up on the target, so the chain holds. A version
 * with no such object (new, or a delta whose parent is being pruned) is sent in its stored form.
 *
 * @param chosen   for each version, in id order, the object that serves it (absent when it must be sent)
 * @param toSend   ids of the versions to send
 * @param toDelete keys of the objects that serve no kept version: deleted once the index no longer lists them
 * @param conflict null, or why the target holds another history for this user: then nothing is sent or
 *                 deleted. A target only ever loses objects of versions this store pruned, or older copies
 *                 of versions it keeps: never a version it does not know (another machine's, or one a new,
 *                 empty store never had), and an object is never replaced by a different version's
 */
record SyncPlan(Map<Long, RemoteObject> chosen, List<Long> toSend, List<String> toDelete, String conflict) {

    static SyncPlan of(List<VersionInfo> oldestFirst, Map<String, RemoteObject> held, PrunedIds pruned) {
        Map<Long, String> kept = new HashMap<>(); // id -> content hash
        oldestFirst.forEach(v -> kept.put(v.id(), v.contentHash()));
        Set<Long> foreign = new TreeSet<>();
        for (RemoteObject o : held.values()) {
            boolean ours = kept.containsKey(o.id()) ? o.contentHash().equals(kept.get(o.id())) : pruned.contains(o.id());
            if (!ours) {
                foreign.add(o.id());
            }
        }
        if (!foreign.isEmpty()) {
            return new SyncPlan(Map.of(), List.of(), List.of(), "the target holds versions " + abbreviate(foreign)
                    + " of this user that this daemon neither keeps nor pruned (another machine's history, or this"
                    + " store is new): nothing is sent or deleted; restore from the target first (POST /api/restore)"
                    + " or give this user another target");
        }
        Map<Long, String> chosenKey = new LinkedHashMap<>();
        Map<Long, RemoteObject> chosen = new LinkedHashMap<>();
        List<Long> toSend = new ArrayList<>();
        for (VersionInfo v : oldestFirst) {
            for (Map.Entry<String, RemoteObject> h : held.entrySet()) {
                RemoteObject o = h.getValue();
                boolean serves = o.id() == v.id() && o.contentHash().equals(v.contentHash())
                        && (!o.isDelta() || kept.containsKey(o.parent()));
                // a whole object beats a delta: it depends on nothing
                if (serves && (!chosen.containsKey(v.id()) || chosen.get(v.id()).isDelta())) {
                    chosen.put(v.id(), o);
                    chosenKey.put(v.id(), h.getKey());
                }
            }
            if (!chosen.containsKey(v.id())) {
                toSend.add(v.id());
            }
        }
        List<String> toDelete = new ArrayList<>();
        held.keySet().stream().filter(k -> !chosenKey.containsValue(k)).sorted().forEach(toDelete::add);
        return new SyncPlan(chosen, toSend, toDelete, null);
    }

    private static String abbreviate(Set<Long> ids) {
        List<Long> list = new ArrayList<>(ids);
        return list.size() <= 10 ? list.toString() : list.subList(0, 10) + " and " + (list.size() - 10) + " more";
    }

    boolean complete() {
        return conflict == null && toSend.isEmpty();
    }

    /** The index entries: each kept version with the object that serves it. */
    List<Map<String, Object>> index(List<VersionInfo> oldestFirst) {
        List<Map<String, Object>> entries = new ArrayList<>();
        for (VersionInfo v : oldestFirst) {
            entries.add(RemoteLayout.entry(v, chosen.get(v.id())));
        }
        return entries;
    }
}
