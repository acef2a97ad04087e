package app.garagesync.store;

import java.io.IOException;
import java.nio.file.NoSuchFileException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code users/<user>/issued}: the highest version number ever given to a user, raised after each
 * write and before the client hears of it, so that numbers never go backwards nor are given twice.
 */
final class IssuedMark {

    private static final Logger LOG = LoggerFactory.getLogger(IssuedMark.class);

    private final BlobStore blobs;

    IssuedMark(BlobStore blobs) {
        this.blobs = blobs;
    }

    /** Raises {@code users/<user>/issued} to {@code id} unless it is there already; never lowers it. */
    void raiseMark(String user, long id) throws IOException {
        if (!blobs.shared()) {
            // one process owns a local store and raises a user's mark under that user's lock only. Without
            // fsync: a kill -9 keeps it, and after a power loss the version files (fsynced before any 201)
            // still bound the numbers given, and loading the user brings the mark up to them. Two more fsyncs
            // per backup cost about as much as the version's own write. Written over in place at a fixed
            // width (leading zeros read the same): a new file per backup adds to what ext4 without a
            // journal scans on every create (the files deleted in the last seconds, recently_deleted in perf)
            String digits = Long.toString(id);
            blobs.overwrite(VersionKeys.issuedKey(user), ("0".repeat(20 - digits.length()) + digits + "\n")
                    .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return;
        }
        byte[] value = (id + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        ConditionalReplace.update(blobs, VersionKeys.issuedKey(user), now ->
                now != null && parseMark(user, now.bytes()) >= id ? null : new ConditionalReplace.Change<>(value, id));
    }

    /**
     * Raises the mark to one above itself and {@code taken} (a number that was given), by a conditional
     * write, and answers that number: no daemon that reads the mark afterwards numbers a version with it.
     * Only a write that a crash or an error stops between this and the version's create leaves it unused.
     */
    long reserve(String user, long taken) throws IOException {
        return reserve(user, taken, ConditionalReplace.CONTENDED_FOR_NANOS);
    }

    /** As {@link #reserve(String, long)}, racing other daemons for at most {@code contendedForNanos}. */
    long reserve(String user, long taken, long contendedForNanos) throws IOException {
        return ConditionalReplace.update(blobs, VersionKeys.issuedKey(user), now -> {
            long next = Math.max(taken, now == null ? 0 : parseMark(user, now.bytes())) + 1;
            return new ConditionalReplace.Change<>((next + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII), next);
        }, contendedForNanos);
    }

    /** The mark, 0 when there is none yet (a store written before it existed) or it does not read. */
    long readMark(String user) throws IOException {
        try {
            return parseMark(user, blobs.read(VersionKeys.issuedKey(user)));
        } catch (NoSuchFileException e) {
            return 0;
        }
    }

    private static long parseMark(String user, byte[] bytes) {
        try {
            return Long.parseLong(new String(bytes, java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (NumberFormatException e) {
            // the listing and the prune record still bound the numbers given; the next write repairs it
            LOG.error("The version number mark of user {} does not read ({}); numbering goes on from the files",
                    user, e.getMessage());
            return 0;
        }
    }
}
