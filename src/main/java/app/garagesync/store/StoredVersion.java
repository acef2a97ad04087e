package app.garagesync.store;

import app.garagesync.store.delta.DeltaCodec;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import java.io.IOException;
import java.util.Arrays;

/**
 * A version exactly as the store keeps it: the bytes of its version file (header line and zstd frame),
 * a checkpoint ({@code parent == 0}) or a delta against version {@code parent}. This is what a target
 * receives, so that a day's change costs a day's delta off-site too; {@link #rebuild} turns it back into
 * the document, given its parent's layout, the same way the store reads it.
 *
 * @param info   the version's metadata, from its header
 * @param parent the version this one is a delta of, 0 for a checkpoint
 * @param bytes  the version file, header included
 */
public record StoredVersion(VersionInfo info, long parent, byte[] bytes) {

    /** Reads a version file's header; the payload is checked (zstd checksum) only when rebuilt. */
    public static StoredVersion parse(byte[] bytes) throws IOException {
        try {
            byte[] header = Arrays.copyOf(bytes, VersionFile.payloadStart(bytes));
            VersionInfo info = VersionFile.parseHeader(header, bytes.length);
            return new StoredVersion(info, VersionFile.parseForm(header, info.size()).parent(), bytes);
        } catch (RuntimeException e) {
            // a header that is JSON but not ours (a missing field, a wrong type) is as damaged as one that is not JSON
            throw new IOException("unreadable version header: " + e.getMessage(), e);
        }
    }

    public boolean isDelta() {
        return parent != 0;
    }

    /**
     * The document's layout: a checkpoint's own, or a delta applied to {@code parentLayout} (the layout of
     * version {@link #parent}, which the caller vouches for; null for a checkpoint).
     */
    public Layout rebuild(Layout parentLayout) throws IOException {
        byte[] header = Arrays.copyOf(bytes, VersionFile.payloadStart(bytes));
        StoredForm form = VersionFile.parseForm(header, info.size());
        byte[] payload = VersionFile.decompress(bytes, header.length, form.payloadSize());
        try {
            if (!isDelta()) {
                return LayoutScanner.scan(payload, payload.length);
            }
            if (parentLayout == null) {
                throw new IOException("version " + info.id() + " is a delta of version " + parent + ", which is not at hand");
            }
            return DeltaCodec.apply(parentLayout, payload);
        } catch (RuntimeException e) {
            throw new IOException("version " + info.id() + " does not rebuild: " + e.getMessage(), e);
        }
    }
}
