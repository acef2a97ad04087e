package app.garagesync.store;

import app.garagesync.store.delta.ContentHash;
import app.garagesync.store.delta.DeltaCodec;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a version back: whole from its blob, or rebuilt from its checkpoint and the deltas after it,
 * checked against the content hash recorded when it was stored. Reads take no lock.
 */
final class VersionReader {

    private static final Logger LOG = LoggerFactory.getLogger(VersionReader.class);

    private final BlobStore blobs;
    private final VersionLoader loader;
    private final LayoutCache layouts;
    private final LayoutIndexCache indexes;
    private final int zstdLevel;

    VersionReader(BlobStore blobs, VersionLoader loader, LayoutCache layouts, LayoutIndexCache indexes, int zstdLevel) {
        this.blobs = blobs;
        this.zstdLevel = zstdLevel;
        this.loader = loader;
        this.layouts = layouts;
        this.indexes = indexes;
    }

    /** {@code cached}: whether layouts kept in memory may stand in for what is stored. */
    Document document(String user, long id, boolean cached) {
        UserVersions uv = loader.loaded(user);
        VersionInfo info = uv.byId.get(id);
        if (info == null) {
            throw new IllegalArgumentException("no version " + id);
        }
        Layout newest = cached ? layouts.get(user, LayoutCache.Kind.LATEST, id) : null;
        if (newest != null && uv.byId.get(id) == info) {
            // the common read, GET of the latest version, copies nothing
            return Document.of(newest);
        }
        return withRetries(user, uv, id, forms -> readOnce(user, uv, id, info, forms, cached));
    }

    /**
     * The layout of version {@code id}, from the layouts kept in memory and the deltas after its checkpoint,
     * never copied into one document: what a comparison of two versions needs ({@code /api/changes}).
     * Checked as {@link #document} checks, and a checkpoint read here is kept in memory for the next one.
     */
    Layout layout(String user, long id) {
        UserVersions uv = loader.loaded(user);
        VersionInfo info = uv.byId.get(id);
        if (info == null) {
            throw new IllegalArgumentException("no version " + id);
        }
        Layout newest = layouts.get(user, LayoutCache.Kind.LATEST, id);
        if (newest != null) {
            return newest;
        }
        return withRetries(user, uv, id, forms -> rebuild(user, uv, id, info, forms, true));
    }

    /** One read of version {@code id} from the stored forms it is given. */
    private interface FormsRead<T> {
        T from(Map<Long, StoredForm> forms) throws IOException;
    }

    /**
     * Runs a read, again with the new forms when it failed while a prune changed them: reads take no lock,
     * and a prune may have rewritten a version of this chain whole, or removed one it no longer needs,
     * since the read looked at the forms. A read that fails on unchanged forms, or three times, marks the
     * version damaged; a storage that does not answer is not damage.
     */
    private <T> T withRetries(String user, UserVersions uv, long id, FormsRead<T> read) {
        for (int attempt = 1; ; attempt++) {
            Map<Long, StoredForm> forms = uv.forms;
            try {
                return read.from(forms);
            } catch (StoreUnavailableException e) {
                throw new UncheckedIOException("cannot read version " + id + " of user " + user, e);
            } catch (IOException | RuntimeException e) {
                if (uv.forms == forms || attempt >= 3) {
                    if (uv.byId.containsKey(id)) {
                        uv.failedReads.put(id, String.valueOf(e.getMessage()));
                    }
                    LOG.error("Version {} of user {} does not read back: {}", id, user, e.getMessage());
                    throw new DamagedVersionException(user, id, e.getMessage(), uv.intactBesides(id), e);
                }
            }
        }
    }

    public StoredVersion stored(String user, long id) {
        UserVersions uv = loader.loaded(user);
        if (!uv.byId.containsKey(id)) {
            throw new IllegalArgumentException("no version " + id);
        }
        try {
            // one read of one blob: header and payload agree even if a prune rewrites the file meanwhile
            StoredVersion stored = StoredVersion.parse(blobs.read(VersionKeys.versionKey(user, id)));
            if (stored.isDelta() && !uv.byId.containsKey(stored.parent())) {
                // a delta of a forgotten version, not yet rewritten by the next prune: a target keeps only
                // kept versions, so it gets this one whole, as the prune will store it
                return whole(user, id);
            }
            return stored;
        } catch (StoreUnavailableException e) {
            throw new UncheckedIOException("cannot read version " + id + " of user " + user, e);
        } catch (IOException e) {
            throw new DamagedVersionException(user, id, e.getMessage(), e);
        }
    }

    private StoredVersion whole(String user, long id) throws IOException {
        Document doc = document(user, id, true);
        byte[] json = doc.bytes();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(json.length / 4 + 256);
        out.write(VersionFile.header(loader.loaded(user).byId.get(id), StoredForm.whole(json.length)));
        VersionFile.compressTo(out, json, json.length, zstdLevel);
        return StoredVersion.parse(out.toByteArray());
    }

    private Document readOnce(String user, UserVersions uv, long id, VersionInfo info, Map<Long, StoredForm> forms,
                              boolean cached) throws IOException {
        if (!forms.get(id).isDelta()) {
            // a whole version is its own bytes: read as they are, no layout needed
            return Document.of(payload(user, id, info.size()));
        }
        return Document.of(rebuild(user, uv, id, info, forms, cached));
    }

    /** The layout of version {@code id}: its checkpoint's, with the deltas after it applied. */
    private Layout rebuild(String user, UserVersions uv, long id, VersionInfo info, Map<Long, StoredForm> forms,
                           boolean cached) throws IOException {
        Deque<Long> deltas = new ArrayDeque<>();
        long at = id;
        // checked before anything is rebuilt: each parent an earlier version, so the walk ends
        while (forms.get(at).isDelta()) {
            deltas.push(at);
            long parent = forms.get(at).parent();
            if (parent >= at || deltas.size() > forms.size()) {
                throw new IOException("version " + at + " names " + parent + " as its parent, not an earlier version");
            }
            at = parent;
            if (!forms.containsKey(at)) {
                throw new IOException("its parent version " + at + " is missing");
            }
        }
        Layout layout = cached ? layouts.get(user, LayoutCache.Kind.CHECKPOINT, at) : null;
        if (layout == null) {
            VersionInfo checkpoint = uv.info(at);
            if (checkpoint == null) {
                throw new IOException("version " + at + " is no longer there");
            }
            byte[] doc = payload(user, at, checkpoint.size());
            layout = indexes.load(user, checkpoint, doc);
            if (layout == null) {
                layout = LayoutScanner.scan(doc, doc.length);
                indexes.save(user, checkpoint, layout);
            }
            if (cached) {
                layouts.put(user, LayoutCache.Kind.CHECKPOINT, at, layout);
            }
        }
        if (deltas.isEmpty()) {
            return layout;
        }
        while (!deltas.isEmpty()) {
            long d = deltas.pop();
            layout = DeltaCodec.apply(layout, payload(user, d, forms.get(d).payloadSize()));
        }
        if (layout.size() != info.size()) {
            throw new IOException("rebuilt " + layout.size() + " bytes, expected " + info.size());
        }
        // a delta is checked by its own zstd checksum, not against the parent it is applied to: a
        // header naming the wrong parent rebuilds another document, which only the hash tells
        if (info.contentHash() != null && !(cached && uv.hashChecked.contains(id))) {
            if (!ContentHash.of(layout).equals(info.contentHash())) {
                throw new IOException("the rebuilt document differs from the one stored (content hash)");
            }
            uv.hashChecked.add(id);
        }
        return layout;
    }

    private byte[] payload(String user, long id, long size) throws IOException {
        byte[] bytes = blobs.read(VersionKeys.versionKey(user, id));
        return VersionFile.decompress(bytes, VersionFile.payloadStart(bytes), size);
    }

    Layout parentLayout(String user, UserVersions uv, VersionInfo parent) {
        Layout cached = layouts.get(user, LayoutCache.Kind.LATEST, parent.id());
        if (cached != null) {
            return cached;
        }
        byte[] doc = document(user, parent.id(), true).bytes();
        return LayoutScanner.scan(doc, doc.length);
    }
}
