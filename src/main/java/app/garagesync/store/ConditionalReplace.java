package app.garagesync.store;

import java.io.IOException;

/**
 * The read-modify-write of a small record several daemons update (the mark of numbers given, the prune
 * record): read it with its tag, work out the new content, replace it only if nobody changed it
 * meanwhile, and start again from the new content when somebody did.
 */
final class ConditionalReplace {

    /** The new content of the record, and what the update answers once it is written. */
    record Change<T>(byte[] content, T answer) {
    }

    /** From what the record holds now (null: no record yet), the change to write; null when none is needed. */
    interface Step<T> {
        Change<T> next(BlobStore.Tagged now) throws IOException;
    }

    private ConditionalReplace() {
    }

    /** The written change's answer, or null when {@code step} found nothing to write. */
    static <T> T update(BlobStore blobs, String key, Step<T> step) throws IOException {
        for (int race = 0; ; race++) {
            BlobStore.Tagged now = blobs.readTagged(key);
            Change<T> change = step.next(now);
            if (change == null) {
                return null;
            }
            try {
                blobs.replaceIf(key, now == null ? null : now.tag(), out -> out.write(change.content()));
                return change.answer();
            } catch (BlobStore.BlobChangedException e) {
                if (race >= VersionStore.MAX_RACES) {
                    throw e;
                }
            }
        }
    }
}
