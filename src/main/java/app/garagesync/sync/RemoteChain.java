package app.garagesync.sync;

import app.garagesync.store.StoredVersion;
import app.garagesync.store.delta.Layout;
import app.garagesync.store.delta.LayoutScanner;
import java.io.IOException;
import java.util.Map;

/**
 * Rebuilds a user's versions from a target's objects, the way the store reads its own: a checkpoint, then
 * each delta applied to its parent's layout. Only the layout of the last version rebuilt is kept, which is
 * what the next delta needs when versions are taken in id order (a delta's parent is the version before
 * it); any other parent is rebuilt again from the target. So a restore holds about two versions in memory,
 * however long the chain. Every object is checked against its index entry (size and SHA-256) before it is
 * read, and every document against the SHA-256 of the document that was sent.
 */
public final class RemoteChain {

    /** Reads an object's plain bytes from the target, or null when there is none. */
    public interface Objects {
        byte[] get(String key);
    }

    private final String user;
    private final Map<Long, RemoteObject> index;
    private final Objects objects;
    private long lastId;
    private Layout lastLayout;

    public RemoteChain(String user, Map<Long, RemoteObject> index, Objects objects) {
        this.user = user;
        this.index = index;
        this.objects = objects;
    }

    /** The exact document of version {@code id}, as it was sent to this daemon. */
    public byte[] document(long id, long size) throws IOException {
        byte[] doc = layout(id).materialize();
        if (doc.length != size || !RestoreApi.sha256(doc).equals(index.get(id).sha256())) {
            throw new IOException("version " + id + " does not rebuild to the document that was sent (SHA-256 differs)");
        }
        return doc;
    }

    private Layout layout(long id) throws IOException {
        if (id == lastId && lastLayout != null) {
            return lastLayout;
        }
        RemoteObject o = index.get(id);
        if (o == null) {
            throw new IOException("a delta needs version " + id + ", which the index does not list");
        }
        String key = o.key(user);
        byte[] bytes = objects.get(key);
        if (bytes == null) {
            throw new IOException(key + " is missing");
        }
        if (bytes.length != o.objectSize() || !RestoreApi.sha256(bytes).equals(o.objectSha256())) {
            throw new IOException(key + " does not match its recorded size and SHA-256");
        }
        Layout layout;
        if (o.form() == RemoteObject.Form.json) {
            layout = LayoutScanner.scan(bytes, bytes.length);
        } else {
            StoredVersion v = StoredVersion.parse(bytes);
            if (v.info().id() != id || v.parent() != o.parent()) {
                throw new IOException(key + " holds version " + v.info().id() + " of parent " + v.parent());
            }
            layout = v.rebuild(o.isDelta() ? layout(o.parent()) : null);
        }
        lastId = id;
        lastLayout = layout;
        return layout;
    }
}
