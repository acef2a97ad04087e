package app.garagesync.backup;

import app.garagesync.api.ApiException;
import app.garagesync.merge.MergeConflict;
import app.garagesync.merge.MergeException;
import app.garagesync.merge.MergeProgress;
import app.garagesync.merge.MergeResult;
import app.garagesync.merge.ThreeWayMerge;
import app.garagesync.store.BackupStore;
import app.garagesync.store.BackupSummary;
import app.garagesync.store.DamagedVersionException;
import app.garagesync.store.Incoming;
import app.garagesync.store.MergeNote;
import app.garagesync.store.StaleBaseException;
import app.garagesync.store.StoreResult;
import app.garagesync.store.VersionInfo;
import app.garagesync.store.delta.Layout;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stores a device's whole state, edited from version {@code base}, without undoing what other devices
 * stored since: when {@code base} is still the latest the state is stored as it is; otherwise what the
 * device changed since {@code base} is merged onto the latest ({@link ThreeWayMerge}) and the result stored.
 * The store takes it only on top of the latest it was merged onto; when another writer (another request,
 * another daemon on a shared bucket) came first meanwhile, the merge is redone onto the new latest.
 */
final class MergeOntoLatest {

    private static final Logger LOG = LoggerFactory.getLogger(MergeOntoLatest.class);
    /**
     * Merges redone after other writers came first, before giving up with 503: each lost race means another
     * write landed, so this many in a row means a burst the device is better off retrying after.
     */
    static final int MAX_TRIES = 10;

    /**
     * Merges of one user through this daemon take turns: run side by side, all but one would lose the race
     * and merge again (a whole read and merge of a 50 MB backup each time). Striped, so that memory stays
     * bounded whatever the number of users; other daemons on a shared store still race, and are retried.
     */
    private final ReentrantLock[] turns = new ReentrantLock[64];
    private final BackupStore store;
    private final BackupReader reader;
    private final MergeMode mode;
    /**
     * Hash the document a merge writes while it writes it ({@link MergeProgress}), one merge each; when both are
     * busy the document is hashed once merged, as before.
     */
    private final ThreadPoolExecutor hashers = SideThreads.pool("garage-sync-merge-hash", 2);

    /**
     * @param merged    how the stored document was merged; null when the device's state was stored as it was
     * @param conflicts every conflict of the merge, as the answer lists them
     * @param summary   the stored (or unchanged) document's summary; null when the latest was kept unread
     */
    record Outcome(StoreResult result, MergeNote merged, List<Map<String, Object>> conflicts, BackupSummary summary) {
    }

    /**
     * The base's document when the caller read it already (a PATCH, which applied its change-set to it),
     * handed over so that the merge alone holds it and can let go of it once merged: with a 50 MB garage
     * the caller's reference kept 50 MB alive through the validation and the store's work.
     */
    static final class KnownBase {
        private byte[] bytes;

        KnownBase(byte[] bytes) {
            this.bytes = bytes;
        }

        byte[] bytes() {
            return bytes;
        }

        private byte[] take() {
            byte[] b = bytes;
            bytes = null;
            return b;
        }
    }

    MergeOntoLatest(BackupStore store, BackupReader reader, MergeMode mode) {
        this.store = store;
        this.reader = reader;
        this.mode = mode;
        for (int i = 0; i < turns.length; i++) {
            turns[i] = new ReentrantLock();
        }
    }

    /**
     * @param device  the device's state: its first {@code length} bytes, validated into {@code summary}
     * @param early   the store's work on {@code device} started while it was validated, or null: stored as it
     *                is when the base is still the latest, else its layout is what the merge reads the device by
     */
    Outcome write(String user, long base, byte[] device, int length, BackupSummary summary, Incoming early) {
        return write(user, base, null, device, length, null, summary, early);
    }

    /**
     * A PATCH's state: its base with a change-set applied, the base's document handed over ({@link KnownBase}:
     * its bytes, or none when the store keeps its layout), the state's layout when the applier knows it (else
     * null), and {@code summary} null on a stale base. Its parts are valid (a stored version, and records read to the
     * rules of validation, see {@link ChangeSet#parse}), so a merge of it is valid too: it is read whole only
     * when it is stored as it is, and a merged document is not read again (a PATCH on a stale base validated
     * 50 MB twice, then once).
     */
    Outcome writeBuilt(String user, long base, KnownBase baseDoc, byte[] device, int length, Layout deviceLayout,
                       BackupSummary summary, Incoming early) {
        return write(user, base, baseDoc, device, length, deviceLayout, summary, early);
    }

    private Outcome write(String user, long base, KnownBase baseDoc, byte[] device, int length, Layout deviceLayout,
                          BackupSummary summary, Incoming early) {
        ReentrantLock turn = turns[Math.floorMod(user.hashCode(), turns.length)];
        turn.lock();
        try {
            return writeInTurn(user, base, baseDoc, device, length, deviceLayout, summary, early);
        } finally {
            turn.unlock();
        }
    }

    private Outcome writeInTurn(String user, long base, KnownBase known, byte[] device, int length, Layout deviceLayout,
                                BackupSummary summary, Incoming early) {
        byte[] baseDoc = known == null ? null : known.take();
        for (int attempt = 0; attempt < MAX_TRIES; attempt++) {
            VersionInfo latest = store.latest(user).orElse(null);
            if (latest == null || store.version(user, base).isEmpty()) {
                throw baseGone(base, latest);
            }
            if (latest.id() == base) {
                // nobody wrote since the device's base: its state is the new version as it is
                if (summary == null) {
                    summary = reader.read(device, length);
                }
                Incoming incoming = early != null ? early : store.incoming(user, device, length);
                early = null;
                try {
                    return new Outcome(store.putOnBase(user, base, incoming, summary), null, List.of(), summary);
                } catch (StaleBaseException e) {
                    continue;
                }
            }
            MergeResult merge;
            MergeProgress progress = new MergeProgress();
            // nothing is stored in reject mode: no hash to make
            CompletableFuture<String> hash = mode == MergeMode.REJECT ? null : hashWhileMerging(progress);
            try {
                // the device's layout: from its writer (a PATCH), or found by the store's scan during validation
                Layout found = deviceLayout != null ? deviceLayout : early != null ? early.layout() : null;
                merge = merge(user, base, baseDoc, latest, device, length, found, progress);
            } catch (MergeException e) {
                if (summary == null) {
                    reader.read(device, length); // a state the merge cannot read: its validation says what is wrong, as a 400
                }
                throw e;
            } finally {
                progress.abandon(); // a merge that wrote no document of its own: its hasher stops
            }
            List<Map<String, Object>> conflicts = describe(merge.conflicts());
            if (mode == MergeMode.REJECT) {
                if (summary == null) {
                    reader.read(device, length); // bad input is a 400 saying what is wrong before a 409
                }
                throw rejected(base, latest.id(), conflicts);
            }
            byte[] doc = merge.buffer();
            MergeNote note = MergeNote.of(base, latest.id(), conflicts);
            if (merge.latestKept()) {
                // the device changed nothing since its base: the latest stays, with nothing to validate or store
                return new Outcome(new StoreResult.Unchanged(latest), note, conflicts, null);
            }
            // past the merge the base's bytes are 50 MB that the validation and the store's work need more (at
            // -Xmx512m they ran out of heap); a lost race below merges from the layouts again
            baseDoc = null;
            // where the merge wrote the records: the store need not scan the 50 MB to find them (when the merge
            // does not say, it scans them on its helper thread while this one hashes the document)
            Incoming incoming = store.incoming(user, doc, merge.length(), merge.layout());
            BackupSummary merged;
            if (doc == device && summary != null) {
                // the engine hands back the device's own array when only the device changed: validated already
                merged = summary;
            } else if (merge.shape() != null) {
                // a merge of valid backups is one (the device's state is valid, see write and writeBuilt):
                // validating its 50 MB again doubled the cost of a merge
                merged = reader.summaryOfMerge(doc, merge.length(), merge.shape(), hashed(hash));
            } else {
                merged = reader.read(doc, merge.length());
            }
            try {
                StoreResult result = store.putOnBase(user, latest.id(), incoming, merged, note);
                return new Outcome(result, note, conflicts, merged);
            } catch (StaleBaseException e) {
                LOG.info("A version of user {} came while a change from version {} was merged onto {}: merging again",
                        user, base, latest.id());
            }
        }
        throw new ApiException(503, "busy", "other devices kept saving while this change was being merged: "
                + "nothing was stored; send it again shortly");
    }

    /**
     * The merge, from the store's layouts of the base and the latest when it keeps them: no copy of either, and
     * the records the latest shares with its base (its layout's copies of the base's) paired without comparing
     * bytes. Otherwise from their documents, {@code baseDoc} when the caller read the base already.
     */
    private MergeResult merge(String user, long base, byte[] baseDoc, VersionInfo latest, byte[] device, int length,
                              Layout deviceLayout, MergeProgress progress) {
        Layout baseLayout;
        try {
            baseLayout = store.layout(user, base);
        } catch (DamagedVersionException e) {
            // without its base, what the device changed cannot be told apart from what it never saw
            throw baseGone(base, latest);
        }
        Layout latestLayout = baseLayout == null ? null : store.layout(user, latest.id());
        if (latestLayout != null) {
            return ThreeWayMerge.merge(baseLayout, latestLayout, device, length, deviceLayout, latest.id(), progress);
        }
        byte[] b = baseDoc != null ? baseDoc : readBase(user, base, latest);
        byte[] l = store.read(user, latest.id());
        MergeResult merge = ThreeWayMerge.merge(b, l, device, length, latest.id());
        // the byte merge hands back the latest's own array when it keeps it
        return merge.buffer() == l ? new MergeResult(null, -1, merge.conflicts()) : merge;
    }

    /** The content hash of the document {@code progress} follows, made on a hasher thread; null when none is free. */
    private CompletableFuture<String> hashWhileMerging(MergeProgress progress) {
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    return BackupReader.contentHash(progress);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }, hashers);
        } catch (RejectedExecutionException busy) {
            return null;
        }
    }

    /** The hash made while merging, once the merge ended it; null when none was made (then it is made now). */
    private static String hashed(CompletableFuture<String> hash) {
        if (hash == null) {
            return null;
        }
        try {
            return hash.join();
        } catch (RuntimeException e) {
            return null;
        }
    }

    private byte[] readBase(String user, long base, VersionInfo latest) {
        try {
            return store.read(user, base);
        } catch (DamagedVersionException e) {
            // without its base, what the device changed cannot be told apart from what it never saw
            throw baseGone(base, latest);
        }
    }

    /** Conflicts as the answers and the version's header list them. */
    static List<Map<String, Object>> describe(List<MergeConflict> conflicts) {
        List<Map<String, Object>> out = new ArrayList<>(conflicts.size());
        for (MergeConflict c : conflicts) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("collection", c.collection());
            m.put("id", c.id());
            m.put("field", c.field());
            m.put("kept", c.kept());
            m.put("overwritten", c.overwritten());
            m.put("overwrittenIn", c.overwrittenIn());
            out.add(m);
        }
        return out;
    }

    static ApiException baseGone(long base, VersionInfo latest) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("base", base);
        details.put("latest", latest == null ? null : latest.id());
        return new ApiException(412, "base-gone", "version " + base + " is not kept for this user (pruned, damaged or "
                + "never stored), so this device's changes cannot be told apart: fetch the latest backup "
                + "(GET /api/backup), apply the changes to it and send them with its ETag", details);
    }

    private static ApiException rejected(long base, long latest, List<Map<String, Object>> conflicts) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("base", base);
        details.put("latest", latest);
        details.put("conflicts", conflicts);
        details.put("conflictCount", conflicts.size());
        return new ApiException(409, "conflict", "version " + base + " is not the latest version (" + latest
                + ") and this server does not merge (garagesync.merge.mode=reject): fetch the latest, apply the "
                + "changes to it and send them again; conflicts lists what a merge would have overwritten", details);
    }
}
