package app.garagesync.store;

import app.garagesync.api.ApiException;
import app.garagesync.backup.BackupReader;
import app.garagesync.backup.BackupSummary;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-reads and re-hashes stored versions: each one is rebuilt (zstd checks its own checksum on the
 * way), parsed again, and its content hash and record count compared with what was recorded when it
 * was stored. A gap in a user's version numbers is a version file that went missing.
 */
public final class StoreVerifier {

    private final BackupStore store;
    private final BackupReader reader;

    public StoreVerifier(BackupStore store, BackupReader reader) {
        this.store = store;
        this.reader = reader;
    }

    public record Report(boolean ok, int users, int versions, List<Map<String, Object>> problems) {
    }

    public Report verify(List<String> users) {
        List<Map<String, Object>> problems = new ArrayList<>();
        int checked = 0;
        for (String user : users) {
            List<VersionInfo> versions;
            PrunedIds pruned;
            java.util.NavigableMap<Long, String> unreadable;
            try {
                versions = new ArrayList<>(store.versions(user));
                pruned = store.pruned(user);
                unreadable = new java.util.TreeMap<>(store.damaged(user));
            } catch (RuntimeException e) {
                // this user's problem, reported as such: the others are still verified
                problems.add(problem(user, null, "unreadable: the versions of this user cannot be listed: " + e.getMessage()));
                continue;
            }
            java.util.Collections.reverse(versions); // oldest first: reads along a chain reuse its checkpoint
            // versions whose header reads are checked below; the others are damaged as they stand
            versions.forEach(v -> unreadable.remove(v.id()));
            unreadable.forEach((id, why) -> problems.add(problem(user, id, "damaged: " + why)));
            long expected = 1;
            for (VersionInfo v : versions) {
                for (long missing = expected; missing < v.id(); missing++) {
                    if (!pruned.contains(missing) && !unreadable.containsKey(missing)) {
                        problems.add(problem(user, missing, "missing: no file for this version"));
                    }
                }
                expected = v.id() + 1;
                checked++;
                String why = check(user, v);
                if (why != null) {
                    problems.add(problem(user, v.id(), why));
                }
            }
        }
        problems.sort(java.util.Comparator.comparing((Map<String, Object> p) -> (String) p.get("user"))
                .thenComparing(p -> p.get("version") == null ? 0L : (Long) p.get("version")));
        return new Report(problems.isEmpty(), users.size(), checked, problems);
    }

    private String check(String user, VersionInfo v) {
        byte[] doc;
        try {
            doc = store.readStored(user, v.id());
        } catch (DamagedVersionException e) {
            return "damaged: " + e.getMessage();
        }
        if (doc.length != v.size()) {
            return "damaged: " + doc.length + " bytes instead of " + v.size();
        }
        BackupSummary s;
        try {
            s = reader.read(doc);
        } catch (ApiException e) {
            return "damaged: no longer a valid backup: " + e.getMessage();
        }
        if (!s.contentHash().equals(v.contentHash())) {
            return "damaged: content hash differs from the one recorded at storage";
        }
        if (s.totalRecords() != v.totalRecords()) {
            return "damaged: " + s.totalRecords() + " records instead of " + v.totalRecords();
        }
        return null;
    }

    private static Map<String, Object> problem(String user, Long version, String what) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", user);
        m.put("version", version);
        m.put("problem", what);
        return m;
    }
}
