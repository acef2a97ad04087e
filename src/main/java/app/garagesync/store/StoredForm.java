package app.garagesync.store;

/**
 * How a version is stored: whole ({@code parent == 0}), or as a delta against its parent version.
 *
 * @param parent      the version this one is a delta of, 0 for a whole version (a checkpoint)
 * @param payloadSize bytes of the uncompressed payload: the document, or the delta
 * @param chainLength deltas between this version and its checkpoint, this one included
 * @param chainBytes  stored bytes of those deltas, to decide when the next checkpoint is due
 */
record StoredForm(long parent, long payloadSize, int chainLength, long chainBytes) {

    static StoredForm whole(long size) {
        return new StoredForm(0, size, 0, 0);
    }

    boolean isDelta() {
        return parent != 0;
    }
}
