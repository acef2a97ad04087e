package app.garagesync.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads a user's index of versions from the headers of their blobs, once on a local store and before
 * each use on a shared one, finishing a prune that a crash interrupted on the way.
 */
final class VersionLoader {

    private static final Logger LOG = LoggerFactory.getLogger(VersionLoader.class);

    private final BlobStore blobs;
    private final IssuedMark mark;
    private final Map<String, UserVersions> users = new ConcurrentHashMap<>();

    VersionLoader(BlobStore blobs, IssuedMark mark) {
        this.blobs = blobs;
        this.mark = mark;
    }

    public List<String> users() {
        try {
            List<String> out = new ArrayList<>();
            for (String name : blobs.folders("users/")) {
                if (!UserIds.isValid(name)) {
                    continue;
                }
                try {
                    if (!blobs.list(VersionKeys.versionsPrefix(name)).isEmpty()) {
                        out.add(name);
                    }
                } catch (IOException e) {
                    // one unreadable folder must not hide everyone else's: the user is named, and each
                    // caller (verify first) reports that user's problem on its own
                    LOG.error("Versions of user {} cannot be listed: {}", name, e.getMessage());
                    out.add(name);
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The user's versions if they were loaded already, else null: loads nothing. */
    UserVersions cached(String user) {
        return users.get(user);
    }

    UserVersions loaded(String user) {
        UserVersions uv = users.computeIfAbsent(UserIds.require(user), u -> new UserVersions());
        if (uv.byId == null || blobs.shared()) {
            uv.lock.lock();
            try {
                if (uv.byId == null || blobs.shared()) {
                    refresh(user, uv);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the versions of user " + user, e);
            } finally {
                uv.lock.unlock();
            }
        }
        return uv;
    }

    /** Re-reads the list of versions, reading the header of each one not known yet. */
    void refresh(String user, UserVersions uv) throws IOException {
        // on a shared store, in this order: the numbers given and the ids pruned, then what is there. Listed
        // first, a version pruned between the two reads would look gone without a trace, and its number free
        long mark = this.mark.readMark(user);
        // forgotten versions are in the prune record: their blobs stay until a prune, or a load that finds
        // no kept version needing them (a crash between forget and prune, or inside a prune)
        PrunedIds pruned = pruned(user);
        Map<String, Long> listed = blobs.list(VersionKeys.versionsPrefix(user));
        long issued = Math.max(mark, pruned.last());
        NavigableMap<Long, VersionInfo> found = new TreeMap<>();
        NavigableMap<Long, VersionInfo> forgotten = new TreeMap<>();
        Map<Long, StoredForm> forms = new java.util.HashMap<>();
        Map<Long, String> unreadable = new TreeMap<>();
        for (Map.Entry<String, Long> blob : listed.entrySet()) {
            if (!VersionKeys.VERSION_FILE.matcher(blob.getKey()).matches()) {
                continue;
            }
            long id = Long.parseLong(blob.getKey().substring(0, 10));
            issued = Math.max(issued, id); // damaged or not, its number was given
            boolean isForgotten = pruned.contains(id);
            NavigableMap<Long, VersionInfo> into = isForgotten ? forgotten : found;
            VersionInfo known = uv.byId == null ? null : uv.info(id);
            if (known != null && known.storedSize() == blob.getValue()) {
                into.put(id, known);
                forms.put(id, uv.forms.get(id));
                continue;
            }
            try {
                byte[] head = blobs.readHead(VersionKeys.versionKey(user, id), VersionFile.MAX_HEADER);
                byte[] header = java.util.Arrays.copyOf(head, VersionFile.payloadStart(head));
                VersionInfo v = VersionFile.parseHeader(header, blob.getValue());
                if (v.id() != id) {
                    throw new IOException("its header says version " + v.id());
                }
                StoredForm form = VersionFile.parseForm(header, v.size());
                into.put(v.id(), v);
                forms.put(v.id(), form);
            } catch (java.nio.file.NoSuchFileException gone) {
                // pruned between the listing and the read
            } catch (StoreUnavailableException e) {
                // not an unreadable header: leaving the version out would hand its number to the next backup
                throw e;
            } catch (IOException | RuntimeException e) {
                if (isForgotten) {
                    // no kept version can be rebuilt through it: the next prune or load deletes it
                    LOG.warn("Forgotten version {} of user {} has an unreadable header: {}", id, user, e.getMessage());
                    forgotten.put(id, null);
                    continue;
                }
                // listed as damaged, never left out: the previous version would pass for the latest
                LOG.error("Version {} of user {} is damaged, its header is unreadable: {}", id, user, e.getMessage());
                unreadable.put(id, "unreadable header: " + e.getMessage());
            }
        }
        if (uv.byId == null) {
            // the first load: a prune a crash interrupted is finished here, for blobs no kept chain needs
            deleteUnneeded(user, found, forgotten, forms);
        }
        forgotten.values().removeIf(java.util.Objects::isNull);
        uv.failedReads.keySet().retainAll(found.keySet());
        uv.hashChecked.clear();
        uv.unreadable = Collections.unmodifiableMap(unreadable);
        if (issued > mark && !blobs.shared() && uv.byId == null) {
            // a crash between a version's write and its mark, or a store from before the mark: bring it up
            this.mark.raiseMark(user, issued);
        }
        uv.issued = Math.max(uv.issued, issued);
        uv.forms = Collections.unmodifiableMap(forms);
        uv.forgotten = Collections.unmodifiableNavigableMap(forgotten);
        uv.byId = Collections.unmodifiableNavigableMap(found);
    }

    /** Deletes the forgotten blobs that no kept version is rebuilt through, and drops them from the maps. */
    private void deleteUnneeded(String user, Map<Long, VersionInfo> kept, NavigableMap<Long, VersionInfo> forgotten,
                                Map<Long, StoredForm> forms) throws IOException {
        java.util.Set<Long> needed = new java.util.HashSet<>();
        for (long id : kept.keySet()) {
            StoredForm form = forms.get(id);
            // parents are earlier versions; a chain that names a later one is damaged, and read as such
            for (long at = id; form != null && form.isDelta() && form.parent() < at; form = forms.get(at)) {
                at = form.parent();
                if (!forgotten.containsKey(at)) {
                    if (!kept.containsKey(at)) {
                        break;
                    }
                    continue;
                }
                needed.add(at);
            }
        }
        List<Long> unneeded = new ArrayList<>(forgotten.keySet());
        unneeded.removeAll(needed);
        if (unneeded.isEmpty()) {
            return;
        }
        LOG.info("Removing versions {} of user {}, forgotten by retention before an interruption", unneeded, user);
        // forget wrote the prune record without fsync: it must be durable before the files go
        blobs.makeDurable(VersionKeys.prunedKey(user));
        blobs.deleteAll(unneeded.stream().map(id -> VersionKeys.versionKey(user, id)).toList());
        for (long id : unneeded) {
            forgotten.remove(id);
            forms.remove(id);
        }
    }

    public PrunedIds pruned(String user) {
        try {
            return PrunedIds.parse(blobs.read(VersionKeys.prunedKey(user)));
        } catch (NoSuchFileException e) {
            return PrunedIds.none();
        } catch (IOException | NumberFormatException e) {
            throw new IllegalStateException("unreadable prune log of user " + user + ": " + e.getMessage(), e);
        }
    }

    /** Whether every user of a local store was loaded once, so that damage anywhere is known. */
    private volatile boolean allLoaded;

    public Map<String, NavigableMap<Long, String>> damagedEverywhere() {
        if (!allLoaded && !blobs.shared()) {
            // once: reading the headers of every user's versions; later loads keep this up to date
            for (String user : users()) {
                try {
                    loaded(user);
                } catch (RuntimeException e) {
                    LOG.error("Versions of user {} cannot be listed: {}", user, e.getMessage());
                }
            }
            allLoaded = true;
        }
        Map<String, NavigableMap<Long, String>> out = new TreeMap<>();
        users.forEach((user, uv) -> {
            if (uv.byId != null) {
                NavigableMap<Long, String> damaged = uv.damaged();
                if (!damaged.isEmpty()) {
                    out.put(user, damaged);
                }
            }
        });
        return out;
    }
}
